"""CSV import of customers: a dry run that shows every row's problems and writes
nothing, then an all-or-nothing import in bulk; external_id updates instead of
duplicating; owners are reps the importer may act for.

One file because every test drives the same upload, preview and run helpers
(`make_csv`, `upload`, `preview`, `run`); splitting it would copy them.
"""

import csv
import io
import math
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.customers.imports import BATCH, check_import, decode_upload, run_import
from activities.models import Contact, Customer, CustomerStatus
from tests.factories.customers import ContactFactory, CustomerFactory, reason

HEADER = [
    "name",
    "owner",
    "status",
    "segment",
    "source_channel",
    "lost_reason",
    "lost_note",
    "city",
    "phone",
    "email",
    "external_id",
    "contact_name",
    "contact_role",
    "contact_phone",
    "contact_email",
]


def make_csv(rows: list[dict], header=HEADER, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def upload(client, text: str | bytes, name="customers.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("customers:import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def preview(client, **params):
    return client.get(reverse("customers:import_preview"), params)


def run(client, response):
    return client.post(reverse("customers:import_run"), {"token": response.context["token"]})


def problems(response) -> list[tuple[int, str, str]]:
    return [
        (row.number, p.column, p.message)
        for row in response.context["check"].rows
        for p in row.problems
    ]


GOOD = {"name": "Kestrel Bakery", "owner": "rep", "status": "prospect", "city": "York"}


# --- The dry run -------------------------------------------------------------------------


def test_preview_lists_every_problem_by_row_and_column_and_writes_nothing(
    client_for, manager, rep, teammate, other_team_rep
):
    CustomerFactory(owner=other_team_rep, external_id="BETA-1")
    text = make_csv(
        [
            GOOD,  # row 2
            {"name": "", "owner": "rep"},  # row 3
            {"name": "Away", "owner": "other_rep"},  # row 4: not one of the manager's reps
            {"name": "Nobody", "owner": "ghost"},  # row 5
            {"name": "Gone", "owner": "rep", "status": "did_not_buy"},  # row 6
            {"name": "Huh", "owner": "rep", "status": "asleep", "segment": "huge"},  # row 7
            {
                "name": "Mail",
                "owner": "rep",
                "email": "nope",
                "contact_name": "Mo",
                "contact_email": "x@",
            },
            {"name": "Who", "owner": "rep", "contact_role": "CFO"},  # row 9
            {"name": "Taken", "owner": "rep", "external_id": "BETA-1"},  # row 10
            {"name": "Pair", "owner": "rep", "external_id": "E-1"},  # row 11
            {"name": "Pair again", "owner": "rep", "external_id": "E-1"},  # row 12
            {"name": "Odd", "owner": "rep", "source_channel": "telepathy", "lost_reason": "x"},
            {"name": "Open", "owner": "rep", "lost_reason": "price"},  # row 14
            {"name": "x" * 201, "owner": "rep", "phone": "1" * 41},  # row 15
            {"name": "Fine", "owner": "teammate", "status": "Did not buy", "lost_reason": "Price"},
        ]
    )
    client = client_for(manager)

    response = upload(client, text)
    assert response.status_code == 302
    page = preview(client)

    assert not Customer.objects.exclude(external_id="BETA-1").exists()
    assert page.context["counts"] == {
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "invalid": 12,
        "rows": 15,
    }
    assert problems(page) == [
        (3, "name", "A customer needs a name."),
        (4, "owner", "No rep you may act for has the username 'other_rep'."),
        (5, "owner", "No rep you may act for has the username 'ghost'."),
        (6, "lost_reason", "Say why: a reason is required for this status."),
        (7, "status", "Unknown status 'asleep': use prospect, active, did_not_buy, lost."),
        (7, "segment", "Unknown segment 'huge': use small, mid, enterprise, public."),
        (8, "email", "'nope' is not an e-mail address."),
        (8, "contact_email", "'x@' is not an e-mail address."),
        (9, "contact_name", "Name the contact these details belong to."),
        (10, "external_id", "This external_id belongs to a customer you cannot change."),
        (12, "external_id", "Repeats the external_id of row 11."),
        (
            13,
            "source_channel",
            "No active channel 'telepathy': use one of email, field-visit, inbound-phone, "
            "online, outbound-phone, referral, walk-in.",
        ),
        (
            13,
            "lost_reason",
            "No active reason 'x': use one of competitor, no-budget, no-response, other, "
            "price, product-fit, timing.",
        ),
        (14, "lost_reason", "Only customers who did not buy or were lost carry a reason."),
        (15, "name", "At most 200 characters (201 given)."),
        (15, "phone", "At most 40 characters (41 given)."),
    ]
    body = page.content.decode()
    assert "Dry run — nothing has been written yet." in body
    assert "12 rows have 16 problems." in body
    assert 'action="/customers/import/run/"' not in body  # no Import button while rows are bad
    only_bad = preview(client, show="problems")
    assert [row.number for row in only_bad.context["page"]] == [
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        12,
        13,
        14,
        15,
    ]


def test_posting_import_with_bad_rows_writes_nothing(client_for, rep):
    client = client_for(rep)
    upload(client, make_csv([GOOD, {"name": "", "city": "Leeds"}]))
    page = preview(client)

    response = run(client, page)

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:import_preview")
    assert not Customer.objects.exists()


# --- Writing -----------------------------------------------------------------------------


def test_import_writes_exactly_the_rows_with_their_contacts(client_for, manager, rep, teammate):
    text = make_csv(
        [
            {
                "name": "Kestrel Bakery",
                "owner": "rep",
                "status": "active",
                "segment": "Small business",
                "source_channel": "referral",
                "city": "York",
                "phone": "'+44 1904 000000",  # as our own export writes it
                "email": "hello@kestrel.example",
                "external_id": "ERP-1",
                "contact_name": "Kim Kestrel",
                "contact_role": "Owner",
                "contact_phone": "07700 900000",
                "contact_email": "kim@kestrel.example",
            },
            {
                "name": "Gone Ltd",
                "owner": "teammate",
                "status": "did not buy",
                "lost_reason": "no-budget",
                "lost_note": "Budget frozen until spring",
            },
        ]
    )
    client = client_for(manager)
    upload(client, text)
    page = preview(client)
    assert page.context["counts"]["create"] == 2
    assert 'action="/customers/import/run/"' in page.content.decode()

    response = run(client, page)

    assert response.status_code == 302
    assert list(
        Customer.objects.order_by("name").values_list(
            "name",
            "owner__username",
            "status",
            "segment",
            "source_channel__key",
            "lost_reason__key",
            "lost_note",
            "city",
            "phone",
            "email",
            "external_id",
        )
    ) == [
        (
            "Gone Ltd",
            "teammate",
            "did_not_buy",
            "",
            None,
            "no-budget",
            "Budget frozen until spring",
            "",
            "",
            "",
            "",
        ),
        (
            "Kestrel Bakery",
            "rep",
            "active",
            "small",
            "referral",
            None,
            "",
            "York",
            "+44 1904 000000",
            "hello@kestrel.example",
            "ERP-1",
        ),
    ]
    assert list(
        Contact.objects.values_list("customer__name", "name", "role", "phone", "email")
    ) == [("Kestrel Bakery", "Kim Kestrel", "Owner", "07700 900000", "kim@kestrel.example")]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Imported customers.csv: 2 customers added, 0 updated, 0 unchanged."]
    # The upload is gone: posting again does nothing.
    again = run(client, page)
    assert again["Location"] == reverse("customers:import")
    assert Customer.objects.count() == 2


def test_external_id_updates_the_customer_instead_of_adding_one(client_for, rep):
    stored = CustomerFactory(
        name="Old name", owner=rep, external_id="ERP-9", city="Leeds", phone="0113"
    )
    ContactFactory(customer=stored, name="Ann Buyer", role="Buyer", email="ann@old.example")
    other = CustomerFactory(name="Untouched", owner=rep, external_id="ERP-10")
    # No phone column: phones stay as they are; a blank city clears it; Ann is updated by name.
    header = [
        "external_id",
        "name",
        "status",
        "lost_reason",
        "city",
        "contact_name",
        "contact_role",
    ]
    text = make_csv(
        [
            {
                "external_id": "ERP-9",
                "name": "New name",
                "status": "lost",
                "lost_reason": "competitor",
                "city": "",
                "contact_name": "ann buyer",
                "contact_role": "Head of buying",
            },
            {"external_id": "ERP-10", "name": "Untouched"},
            {"external_id": "ERP-11", "name": "Brand new"},
        ],
        header=header,
    )
    client = client_for(rep)
    upload(client, text)
    page = preview(client)
    assert page.context["counts"] == {
        "create": 1,
        "update": 1,
        "unchanged": 1,
        "invalid": 0,
        "rows": 3,
    }

    run(client, page)

    stored.refresh_from_db()
    assert (stored.name, stored.status, stored.lost_reason, stored.city, stored.phone) == (
        "New name",
        CustomerStatus.LOST,
        reason("competitor"),
        "",
        "0113",
    )
    assert list(stored.contacts.values_list("name", "role", "email")) == [
        ("Ann Buyer", "Head of buying", "ann@old.example")
    ]
    other.refresh_from_db()
    assert other.name == "Untouched"
    assert Customer.objects.count() == 3
    assert Customer.objects.get(external_id="ERP-11").owner == rep  # a rep's own, by default


def test_a_rep_imports_only_customers_they_own(client_for, rep, teammate):
    CustomerFactory(owner=teammate, external_id="TOM-1")
    client = client_for(rep)
    upload(
        client,
        make_csv(
            [
                {"name": "Mine", "owner": ""},
                {"name": "Also mine", "owner": "rep"},
                {"name": "Tom's", "owner": "teammate"},
                {"name": "Tom's update", "external_id": "TOM-1"},
            ]
        ),
    )
    page = preview(client)

    assert problems(page) == [
        (4, "owner", "No rep you may act for has the username 'teammate'."),
        (5, "external_id", "This external_id belongs to a customer you cannot change."),
    ]


def test_a_manager_must_name_the_owner(client_for, manager):
    client = client_for(manager)
    upload(client, make_csv([{"name": "Nobody's"}]))

    assert problems(preview(client)) == [
        (2, "owner", "Say which rep owns this customer (their username).")
    ]


def test_exported_customers_import_back_unchanged(client_for, rep):
    CustomerFactory(
        name="=cmd|' /C calc'!A0",
        owner=rep,
        phone="+44 20 7946 0000",
        external_id="ERP-1",
        did_not_buy=True,
        lost_note="-too dear",
        segment="mid",
    )
    CustomerFactory(name="Plain", owner=rep, external_id="ERP-2", city="Leeds")
    client = client_for(rep)
    exported = b"".join(client.get(reverse("customers:list"), {"export": "csv"}).streaming_content)

    upload(client, exported)
    page = preview(client)

    assert page.context["check"].ignored_columns == [
        "Team",
        "Open deals",
        "Open pipeline",
        "Last activity",
        "Last activity metric",
        "Next step due",
        "Next step",
        "Created",
    ]
    assert page.context["counts"] == {
        "create": 0,
        "update": 0,
        "unchanged": 2,
        "invalid": 0,
        "rows": 2,
    }


# --- Reading files -------------------------------------------------------------------------


def test_semicolons_bom_and_windows_encoding_are_read(rep):
    text = make_csv([{**GOOD, "name": "Café Crème", "city": "Zürich"}], delimiter=";")

    for data in (("\ufeff" + text).encode(), text.encode("cp1252")):
        check = check_import(text=decode_upload(data), by=rep)
        assert [(r.cells["name"], r.cells["city"], r.action) for r in check.rows] == [
            ("Café Crème", "Zürich", "create")
        ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" \n\n", "The file is empty: the first row must name the columns."),
        ("city,phone\nLeeds,1\n", "The file needs a 'name' column"),
        ("name,Name\nA,B\n", "Columns named twice: name."),
    ],
)
def test_file_problems_stop_the_preview(client_for, rep, text, message):
    client = client_for(rep)
    upload(client, text)
    page = preview(client)

    assert page.context["check"].file_problems[0].startswith(message)
    assert page.context["check"].ready is False


def test_more_than_ten_thousand_rows_are_refused(rep):
    text = "name\n" + "".join(f"Customer {i}\n" for i in range(10_001))

    check = check_import(text=text, by=rep)

    assert check.file_problems == [
        "A file holds at most 10,000 rows; split it and import each part."
    ]


def test_not_text_is_refused_at_upload(client_for, rep):
    client = client_for(rep)
    response = upload(client, b"\x81\x8d\x8f\x90\x9d" * 10)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["The file is not text: save it from your spreadsheet as CSV (UTF-8)."]
    }


def test_preview_without_upload_goes_back_to_the_upload_page(client_for, rep):
    response = preview(client_for(rep))

    assert response["Location"] == reverse("customers:import")


def test_another_users_token_does_not_run(client_for, rep, teammate):
    client = client_for(rep)
    upload(client, make_csv([GOOD | {"owner": ""}]))
    token = preview(client).context["token"]

    other = client_for(teammate)  # same test client, now signed in as Tom: a new session
    response = other.post(reverse("customers:import_run"), {"token": token})

    assert response["Location"] == reverse("customers:import")
    assert not Customer.objects.exists()


def test_template_download_has_the_columns(client_for, rep):
    response = client_for(rep).get(reverse("customers:import"), {"template": "csv"})
    header, example = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))

    assert header == HEADER
    assert check_import(text=make_csv([dict(zip(HEADER, example, strict=True))]), by=rep).ready


# --- Size and speed ----------------------------------------------------------------------


def rows_for(owners: list[str], n: int, start: int = 0) -> list[dict]:
    return [
        {
            "name": f"Customer {i}",
            "owner": owners[i % len(owners)],
            "status": "did_not_buy" if i % 5 == 0 else "prospect",
            "lost_reason": "price" if i % 5 == 0 else "",
            "source_channel": "referral",
            "city": "Leeds",
            "email": f"c{i}@example.com",
            "external_id": f"EXT-{i}" if i % 2 else "",
            "contact_name": f"Person {i}",
            "contact_email": f"p{i}@example.com",
        }
        for i in range(start, start + n)
    ]


def test_the_dry_run_reads_with_the_same_queries_for_20_and_2000_rows(manager, rep, teammate):
    def queries(n):
        CustomerFactory(owner=rep, external_id="EXT-1")
        text = make_csv(rows_for(["rep", "teammate"], n))
        with CaptureQueriesContext(connection) as ctx:
            check = check_import(text=text, by=manager)
        assert check.ready
        Customer.objects.all().delete()
        return len(ctx)

    assert queries(20) == queries(2000) == 5


def test_a_2000_row_import_writes_in_batches(
    client_for, manager, rep, teammate, django_assert_max_num_queries
):
    CustomerFactory(owner=rep, external_id="EXT-1")
    text = make_csv(rows_for(["rep", "teammate"], 2000))

    # Reads: 5 (owners, channels, reasons, customers by external_id, their contacts);
    # writes: one INSERT per batch of new customers, one UPDATE batch, one INSERT per
    # batch of contacts; plus the savepoint. The database caps a batch by its parameter
    # limit (SQLite: 999 / columns, so 27 + 11 batches here; PostgreSQL: 2 + 2). The audit
    # trail adds the history rows of each (salesmgmt.audit): their batches, one read of
    # the updated customer's latest history row and one insert of its change.
    def batches(model, rows):
        columns = [f for f in model._meta.concrete_fields if not f.primary_key]
        return math.ceil(rows / min(BATCH, connection.ops.bulk_batch_size(columns, [None] * rows)))

    def history(model, rows):
        return batches(model.history.model, rows)

    bound = (
        5
        + batches(Customer, 1999)
        + 1
        + batches(Contact, 2000)
        + 2
        + history(Customer, 1999)
        + 2
        + history(Contact, 2000)
        # Webhooks: one query per event type (customer created, changed) finds no endpoint.
        + 2
    )

    with django_assert_max_num_queries(bound):
        check = run_import(text=text, by=manager)

    assert check.counts == {"create": 1999, "update": 1, "unchanged": 0, "invalid": 0, "rows": 2000}
    assert Customer.objects.count() == 2000
    assert Contact.objects.count() == 2000
    assert Customer.objects.filter(status="did_not_buy", lost_reason__key="price").count() == 400


def test_ten_thousand_rows_import_in_one_request(client_for, manager, rep, teammate):
    text = make_csv(rows_for(["rep", "teammate"], 10_000))
    client = client_for(manager)

    started = time.perf_counter()
    upload(client, text)
    page = preview(client)
    previewed = time.perf_counter()
    response = run(client, page)
    finished = time.perf_counter()

    print(
        f"\n10,000 rows ({len(text.encode()) / 1e6:.1f} MB): upload + dry run "
        f"{previewed - started:.1f} s, import {finished - previewed:.1f} s"
    )
    assert response.status_code == 302
    assert Customer.objects.count() == 10_000
    assert Contact.objects.count() == 10_000
    assert finished - started < 60
