"""Report packs: the monthly job (once per pack and month, on its day and hour in company
time), the e-mail and its CSVs, and the admin pages. Data: test_company's March 2025."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reporting.models import (
    CommissionPlan,
    CommissionStatement,
    MonthlyReview,
    ReportKind,
    ReportPack,
    ReportPackDelivery,
    ReviewStatus,
)
from reporting.packs.admin import ReportPackAdminForm
from reporting.packs.services import deliver_pack, send_report_packs
from salesmgmt.models import CompanySettings
from tests.cast import ROLES
from tests.reporting.company.test_selectors import catalogue, goals, march  # noqa: F401  (fixtures)

MARCH = date(2025, 3, 1)


def company_time(*args) -> datetime:
    return datetime(*args, tzinfo=CompanySettings.load().tzinfo)


@pytest.fixture
def pack(cast):
    pack = ReportPack.objects.create(
        name="Board pack",
        reports=list(ReportKind.values),
        extra_emails="investor@example.com",
        day_of_month=2,
        hour=8,
        created_by=cast["admin"],
    )
    pack.recipients.set([cast["director"], cast["manager"]])
    return pack


def attachment(message, name) -> list[list[str]]:
    content = next(c for n, c, _ in message.attachments if n == name)
    return list(csv.reader(io.StringIO(content)))


# --- The job --------------------------------------------------------------------------------------


def test_pack_goes_out_once_when_its_day_and_hour_come(pack, march):  # noqa: F811
    assert send_report_packs(now=company_time(2025, 4, 2, 7, 59)) == 0
    assert send_report_packs(now=company_time(2025, 4, 1, 23, 0)) == 0
    assert mail.outbox == []
    assert send_report_packs(now=company_time(2025, 4, 2, 8, 0)) == 1
    assert send_report_packs(now=company_time(2025, 4, 2, 9, 0)) == 0  # same month: done
    assert send_report_packs(now=company_time(2025, 4, 28, 9, 0)) == 0
    assert len(mail.outbox) == 1
    (delivery,) = ReportPackDelivery.objects.all()
    assert delivery.month == MARCH
    assert delivery.recipients.split() == [
        "director@example.com",
        "manager@example.com",
        "investor@example.com",
    ]
    assert send_report_packs(now=company_time(2025, 5, 3, 0, 0)) == 1  # April's
    assert ReportPackDelivery.objects.filter(month=date(2025, 4, 1)).count() == 1


def test_due_time_is_company_time(pack):
    company = CompanySettings.load()
    company.timezone = "America/New_York"
    company.save()
    # 12:30 UTC on 2 April is 08:30 in New York (EDT): due.
    assert send_report_packs(now=datetime(2025, 4, 2, 12, 30, tzinfo=UTC)) == 1
    assert ReportPackDelivery.objects.get().month == MARCH


def test_inactive_packs_and_packs_without_addresses_are_not_sent(pack, cast):
    pack.active = False
    pack.save()
    assert send_report_packs(now=company_time(2025, 4, 3, 9, 0)) == 0
    pack.active = True
    pack.extra_emails = ""
    pack.save()
    pack.recipients.clear()
    assert send_report_packs(now=company_time(2025, 4, 3, 9, 0)) == 0
    assert mail.outbox == [] and not ReportPackDelivery.objects.exists()


def test_a_second_worker_finds_the_delivery(pack):
    assert deliver_pack(pack=pack, month=MARCH) is not None
    assert deliver_pack(pack=pack, month=MARCH) is None
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_next_run(pack):
    failing = mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp down")
    )
    with failing, pytest.raises(OSError):
        send_report_packs(now=company_time(2025, 4, 2, 8, 0))
    assert not ReportPackDelivery.objects.exists()
    assert send_report_packs(now=company_time(2025, 4, 2, 9, 0)) == 1


def test_a_pack_with_a_bad_stored_address_does_not_stop_the_others(pack, cast):
    """An address saved without the pages' checks skips that pack, not every pack after it."""
    broken = ReportPack.objects.create(
        name="Aardvark pack",  # sorts first
        reports=[ReportKind.LEADERBOARD],
        extra_emails="not an address",
        created_by=cast["admin"],
    )
    assert send_report_packs(now=company_time(2025, 4, 2, 8, 0)) == 1
    assert list(ReportPackDelivery.objects.values_list("pack", flat=True)) == [pack.pk]
    assert not broken.deliveries.exists()


def test_admin_form_refuses_bad_addresses_and_report_kinds(cast):
    form = ReportPackAdminForm(
        data={
            "name": "Pack",
            "reports": ["bogus"],
            "extra_emails": "investor@example.com\nnot an address",
            "day_of_month": 2,
            "hour": 8,
            "created_by": cast["admin"].pk,
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"reports", "extra_emails"}
    good = ReportPackAdminForm(
        data={
            "name": "Pack",
            "reports": ["kpis", "company_monthly"],
            "extra_emails": " investor@example.com , partner@example.com ",
            "day_of_month": 2,
            "hour": 8,
            "created_by": cast["admin"].pk,
        }
    )
    assert good.is_valid(), good.errors
    assert good.cleaned_data["reports"] == ["company_monthly", "kpis"]
    assert good.cleaned_data["extra_emails"] == "investor@example.com\npartner@example.com"


def test_command_runs_the_job(pack, capsys):
    call_command("send_report_packs", "--now", "2025-04-02T08:30")
    call_command("send_report_packs", "--now", "2025-04-02T09:30")
    out = capsys.readouterr().out
    assert "1 report pack(s) sent." in out and "0 report pack(s) sent." in out
    assert len(mail.outbox) == 1


# --- The e-mail -----------------------------------------------------------------------------------


def test_email_has_the_report_and_csvs(pack, march, goals, cast, team, other_team):  # noqa: F811
    MonthlyReview.objects.create(
        rep=cast["rep"], month=MARCH, status=ReviewStatus.DRAFT, generated_at=timezone.now()
    )
    MonthlyReview.objects.create(
        rep=cast["teammate"], month=MARCH, status=ReviewStatus.SHARED, generated_at=timezone.now()
    )
    plan = CommissionPlan.objects.create(name="Standard", rate=Decimal("5"))
    CommissionStatement.objects.create(
        rep=cast["rep"],
        month=MARCH,
        plan=plan,
        credited_value=Decimal("500"),
        commission=Decimal("25"),
        bonus=Decimal("0"),
        total=Decimal("25"),
        computed_at=timezone.now(),
    )
    send_report_packs(now=company_time(2025, 4, 2, 8, 0))
    (message,) = mail.outbox
    assert message.subject == "Demo Company: Board pack — March 2025"
    assert message.to == [] and len(message.bcc) == 3  # nobody sees the others' addresses
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "Headlines" in html and "Team ranking" in html and "USD 4,500.00" in html
    assert "Sales value: USD 4,500.00" in message.body
    assert [name for name, _, _ in message.attachments] == [
        "leaderboard-2025-03.csv",
        "goals-2025-03.csv",
        "kpis-by-team-2025-03.csv",
        "commission-statements-2025-03.csv",
        "team-summaries-2025-03.csv",
    ]
    leaderboard = attachment(message, "leaderboard-2025-03.csv")
    assert [(r[0], r[2], r[5]) for r in leaderboard[1:]] == [
        ("1", "teammate", "2000.00"),
        ("2", "rep", "1500.00"),
        ("3", "south_rep", "700.00"),
        ("4", "other_rep", "300.00"),
    ]
    goals_csv = {(r[0], r[1], r[2]): r for r in attachment(message, "goals-2025-03.csv")[1:]}
    assert goals_csv[("Company", "Company", "Sales value")][10] == "50.0"
    assert goals_csv[("Team", "Alpha", "Calls")][8:11] == ["15.00", "10.00", "150.0"]
    statements = attachment(message, "commission-statements-2025-03.csv")
    assert statements[1] == ["Rita Rep", "rep", "Alpha", "Standard", "500.00", "", "", "25.00", "0.00", "0.00", "25.00"]  # fmt: skip
    summaries = {r[0]: r for r in attachment(message, "team-summaries-2025-03.csv")[1:]}
    assert summaries["Alpha"][3:] == ["2", "2", "1", "1", "0", "0"]
    assert summaries["Beta"][3:] == ["1", "0", "0", "0", "0", "1"]
    kpis = attachment(message, "kpis-by-team-2025-03.csv")
    assert {r[0] for r in kpis[1:]} == {"Alpha", "Beta", "Gamma"}


def test_csv_attachments_are_formula_safe(pack, march, cast):  # noqa: F811
    cast["rep"].first_name, cast["rep"].last_name = "=SUM(A1:A9)", ""
    cast["rep"].save()
    deliver_pack(pack=pack, month=MARCH)
    rows = attachment(mail.outbox[0], "leaderboard-2025-03.csv")
    assert "'=SUM(A1:A9)" in [r[1] for r in rows]


def test_pack_without_the_monthly_report_lists_its_csvs(pack):
    pack.reports = [ReportKind.GOALS]
    pack.save()
    deliver_pack(pack=pack, month=MARCH)
    (message,) = mail.outbox
    assert "Headlines" not in message.alternatives[0][0]
    assert "goals-2025-03.csv" in message.body
    assert [name for name, _, _ in message.attachments] == ["goals-2025-03.csv"]


# --- Pages ----------------------------------------------------------------------------------------


def pages(pack):
    return {
        "list": ("get", reverse("reports:packs")),
        "create": ("get", reverse("reports:pack_create")),
        "edit": ("get", reverse("reports:pack_edit", args=[pack.pk])),
        "delete": ("get", reverse("reports:pack_delete", args=[pack.pk])),
        "preview": ("get", reverse("reports:pack_preview", args=[pack.pk])),
        "send": ("post", reverse("reports:pack_send", args=[pack.pk])),
        "delete-post": ("post", reverse("reports:pack_delete", args=[pack.pk])),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_open_pack_pages(role, pack, cast, client_for):
    client = client_for(cast[role])
    for name, (method, url) in pages(pack).items():
        if role == "admin" and name == "delete-post":
            continue
        status = getattr(client, method)(url).status_code
        expected = (302 if method == "post" else 200) if role == "admin" else 404
        assert status == expected, (name, status)
    assert ReportPack.objects.filter(pk=pack.pk).exists()
    assert len(mail.outbox) == (1 if role == "admin" else 0)


def form_data(cast, **changes):
    return {
        "name": "Investors",
        "reports": [ReportKind.COMPANY_MONTHLY, ReportKind.LEADERBOARD],
        "recipients": [cast["director"].pk],
        "extra_emails": "a@example.com\nb@example.com",
        "day_of_month": "3",
        "hour": "9",
        "active": "on",
        **changes,
    }


def test_admin_creates_a_pack(cast, client_for):
    response = client_for(cast["admin"]).post(reverse("reports:pack_create"), form_data(cast))
    assert response.status_code == 302
    pack = ReportPack.objects.get()
    assert (pack.name, pack.day_of_month, pack.hour, pack.active) == ("Investors", 3, 9, True)
    assert pack.reports == ["company_monthly", "leaderboard"]
    assert pack.extra_emails == "a@example.com\nb@example.com"
    assert list(pack.recipients.all()) == [cast["director"]]
    assert pack.created_by == cast["admin"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"extra_emails": "a@example.com\nnot-an-address"}, "extra_emails"),
        ({"reports": []}, "reports"),
        ({"recipients": [], "extra_emails": ""}, "recipients"),
        ({"day_of_month": "31"}, "day_of_month"),
        ({"hour": "24"}, "hour"),
    ],
)
def test_pack_form_errors(changes, field, cast, client_for):
    response = client_for(cast["admin"]).post(
        reverse("reports:pack_create"), form_data(cast, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ReportPack.objects.exists()


def test_admin_edits_and_deletes_a_pack(pack, cast, client_for):
    client = client_for(cast["admin"])
    edit = reverse("reports:pack_edit", args=[pack.pk])
    assert client.get(edit).context["form"].initial["name"] == "Board pack"
    client.post(edit, form_data(cast, name="Renamed", active="", version=pack.version))
    pack.refresh_from_db()
    assert (pack.name, pack.active) == ("Renamed", False)
    assert client.post(reverse("reports:pack_delete", args=[pack.pk])).status_code == 302
    assert not ReportPack.objects.exists()


def test_preview_shows_the_email_without_sending(pack, cast, client_for):
    response = client_for(cast["admin"]).get(reverse("reports:pack_preview", args=[pack.pk]))
    assert response.status_code == 200
    email = response.context["email"]
    assert email.addresses[-1] == "investor@example.com"
    assert "srcdoc=" in response.content.decode()
    assert mail.outbox == []


def test_send_now_sends_last_month_and_records_it(pack, cast, client_for):
    client = client_for(cast["admin"])
    url = reverse("reports:pack_send", args=[pack.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # an explicit "send now" sends again
    assert len(mail.outbox) == 2
    today = CompanySettings.load().today()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert list(ReportPackDelivery.objects.values_list("month", flat=True)) == [last]
