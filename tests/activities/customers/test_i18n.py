"""Customers in the reader's language: the pages in Greek with Greek dates and figures,
the exports' headers translated while their cells stay machine-readable, and the
import that keeps its English column keys, reads our export's headers in any
language and explains its problems in the reader's language."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from activities.models import Activity, Metric
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory
from tests.factories.customers import CustomerFactory, DealFactory

GREEK = {"HTTP_ACCEPT_LANGUAGE": "el"}


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_customer_list_in_greek_with_greek_figures_and_dates(client_for, rep):
    customer = CustomerFactory(name="Ζαχαροπλαστείο Αθηνά", owner=rep, city="Πάτρα")
    DealFactory(customer=customer, amount=Decimal("12500.50"))
    ActivityFactory(rep=rep, customer=customer, day=date(2026, 12, 1))

    response = client_for(rep).get(reverse("customers:list"), **GREEK)
    body = response.content.decode()

    assert '<html lang="el"' in body
    assert "Οι πελάτες μου" in body  # "My customers"
    assert "Νέος πελάτης" in body  # "New customer"
    assert "12.500,50" in body  # the open pipeline, Greek separators
    assert "1 Δεκ 2026" in body  # the last activity, DATE_MEDIUM in Greek
    main = body.split("<main", 1)[1]
    assert "My customers" not in main
    assert "Open pipeline" not in main


def test_customer_page_in_greek_names_seeded_catalogue_entries_in_greek(client_for, rep):
    customer = CustomerFactory(name="Κάβα Νίκος", owner=rep, did_not_buy=True)
    ActivityFactory(
        rep=rep, customer=customer, metric=Metric.objects.get(key="calls"), quantity=Decimal("3")
    )

    body = client_for(rep).get(reverse("customers:detail", args=[customer.pk]), **GREEK)
    body = body.content.decode()

    assert "Δεν αγόρασε" in body  # the status "Did not buy"
    assert "Τιμή" in body  # the seeded lost reason "Price"
    assert "Κλήσεις: 3" in body  # the seeded metric "Calls" in the timeline
    assert "No contacts yet." not in body


def test_customer_export_headers_in_greek_cells_machine_readable(client_for, rep):
    customer = CustomerFactory(name="Φούρνος", owner=rep, did_not_buy=True, segment="mid")
    DealFactory(customer=customer, amount=Decimal("1234.50"))

    header, row = csv_rows(
        client_for(rep).get(reverse("customers:list"), {"export": "csv"}, **GREEK)
    )

    assert header[:3] == ["Όνομα", "Υπεύθυνος", "Κατάσταση"]
    assert row[2:6] == ["did_not_buy", "mid", "", "price"]  # keys, not labels
    assert row[13] == "1234.50"  # open pipeline: "." decimals, no grouping


def test_a_greek_export_imports_back_unchanged(client_for, rep):
    CustomerFactory(name="Ταβέρνα", owner=rep, external_id="ERP-9", city="Βόλος")
    client = client_for(rep)
    exported = b"".join(
        client.get(reverse("customers:list"), {"export": "csv"}, **GREEK).streaming_content
    )

    upload = io.BytesIO(exported)
    upload.name = "export.csv"
    client.post(reverse("customers:import"), {"file": upload}, **GREEK)
    page = client.get(reverse("customers:import_preview"), **GREEK)

    assert page.context["check"].columns[:3] == ["name", "owner", "status"]
    assert page.context["counts"]["unchanged"] == 1
    assert page.context["counts"]["invalid"] == 0


def test_import_problems_in_the_readers_language_with_english_column_keys(client_for, manager):
    client = client_for(manager)
    upload = io.BytesIO(b"name,status\nAcme,maybe\n")
    upload.name = "customers.csv"
    client.post(reverse("customers:import"), {"file": upload}, **GREEK)
    page = client.get(reverse("customers:import_preview"), **GREEK)

    problems = {p.column: p.message for row in page.context["check"].rows for p in row.problems}
    assert set(problems) == {"owner", "status"}  # the columns keep their English keys
    assert (
        problems["status"]
        == "Άγνωστη κατάσταση 'maybe': χρησιμοποιήστε prospect, active, did_not_buy, lost."
    )


def test_import_accepts_english_keys_and_labels_whatever_the_language(client_for, rep):
    client = client_for(rep)
    upload = io.BytesIO(b"name,status,segment\nAcme,Active customer,Mid-market\n")
    upload.name = "customers.csv"
    client.post(reverse("customers:import"), {"file": upload}, **GREEK)
    check = client.get(reverse("customers:import_preview"), **GREEK).context["check"]

    assert [r.problems for r in check.rows] == [[]]
    assert (check.rows[0].customer.status, check.rows[0].customer.segment) == ("active", "mid")


def test_lost_report_export_in_greek_keeps_keys_and_iso_months(client_for, rep):
    CustomerFactory(name="Ψιλικά", owner=rep, did_not_buy=True)

    rows = csv_rows(client_for(rep).get(reverse("customers:lost"), {"export": "csv"}, **GREEK))

    assert rows[0][0] == "Ανά"  # "By"
    reason = next(r for r in rows if r[1] == "price")
    assert reason[2] == "Τιμή"
    month = next(r for r in rows if len(r[1]) == 7 and r[1][4] == "-")
    assert month[1] == CompanySettings.load().today().strftime("%Y-%m")


def test_seeded_names_are_stored_in_english_and_read_in_the_language(db):
    calls = Metric.objects.get(key="calls")
    assert calls.name == "Calls"
    with translation.override("id"):
        assert str(calls) == "Panggilan"
    with translation.override("fil"):
        assert str(calls) == "Tawag"
    assert Activity._meta.verbose_name_plural == "activities"
