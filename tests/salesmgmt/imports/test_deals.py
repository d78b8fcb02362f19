"""Deals from a spreadsheet, through the pages: stages, history date, won and lost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.deals.services import move_deal
from activities.models import Activity, Deal, LostReason, StageTransition
from salesmgmt.models import CompanySettings
from tests.factories.api import CustomerFactory, make_deal, stage
from tests.salesmgmt.imports.helpers import (
    csv_bytes,
    problems,
    read_csv_bytes,
    read_xlsx,
    run,
    upload,
)

HEADER = [
    "external_id", "title", "customer", "owner", "pipeline", "stage", "amount", "currency",
    "expected_close", "probability", "stage_date", "lost_reason",
]  # fmt: skip


@pytest.fixture
def today(db):
    return CompanySettings.load().today()


def test_import_creates_moves_and_dates_stages(client_for, manager, rep, teammate, today):
    CustomerFactory(owner=rep, name="Acme", external_id="ERP-1")
    CustomerFactory(owner=teammate, name="Beta")
    client = client_for(manager)
    close = (today + timedelta(days=30)).isoformat()
    entered = (today - timedelta(days=10)).isoformat()
    sheet = [
        HEADER,
        ["D-1", "Acme fleet", "ERP-1", "rep", "new-business", "proposal", "12000", "", close, "", entered, ""],
        ["D-2", "Beta pilot", "beta", "teammate", "new-business", "lead", "500.50", "", close, "30", "", ""],
    ]  # fmt: skip
    job = upload(client, "deals", csv_bytes(sheet))
    assert job.problems == [] and job.counts["create"] == 2
    run(client, job)
    d1 = Deal.objects.get(external_id="D-1")
    assert (d1.owner, d1.stage.key, d1.amount) == (rep, "proposal", 12000)
    assert timezone.localdate(d1.stage_entered_at).isoformat() == entered
    assert StageTransition.objects.get(deal=d1).to_stage.key == "proposal"

    assert upload(client, "deals", csv_bytes(sheet)).counts["unchanged"] == 2

    sheet[1][5], sheet[1][10] = "won", today.isoformat()
    sheet[2][5], sheet[2][11] = "lost", "price"
    job = upload(client, "deals", csv_bytes(sheet))
    assert job.counts["update"] == 2
    run(client, job)
    d1.refresh_from_db()
    assert d1.stage.key == "won" and d1.closed_on is not None
    assert StageTransition.objects.filter(deal=d1).count() == 2
    assert Activity.objects.filter(deal=d1, source="deal").exists()  # the sale is credited
    assert Deal.objects.get(external_id="D-2").lost_reason.key == "price"


def test_bad_rows_named_nothing_written(client_for, rep, other_team_rep, today):
    CustomerFactory(owner=rep, name="Acme")
    theirs = CustomerFactory(owner=other_team_rep, name="Beta")
    close = today.isoformat()
    sheet = [
        HEADER,
        ["D-1", "ok", "Acme", "", "new-business", "lead", "10", "", close, "", "", ""],
        ["D-2", "", "Nobody", "", "new-business", "won-ish", "-1", "XXX", "soon", "150", "", ""],
        ["D-3", "x", theirs.name, "", "renewals", "lost", "1", "", close, "", "", ""],
    ]  # fmt: skip
    job = upload(client_for(rep), "deals", csv_bytes(sheet))
    assert problems(job) == {
        (3, "title"),
        (3, "customer"),
        (3, "stage"),
        (3, "amount"),
        (3, "currency"),
        (3, "expected_close"),
        (3, "probability"),
        (4, "customer"),
        (4, "lost_reason"),
    }
    run(client_for(rep), job)
    assert not Deal.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_export_imports_back_unchanged(client_for, manager, rep, teammate, fmt):
    make_deal(rep, title="One")
    make_deal(teammate, title="Two", stage_key="proposal", probability=40)
    lost = make_deal(rep, title="Three")
    move_deal(
        deal=lost, to_stage=stage("lost"), by=rep, lost_reason=LostReason.objects.get(key="price")
    )
    client = client_for(manager)
    response = client.get(reverse("deals:list"), {"export": f"sheet-{fmt}"})
    data = response.content if fmt == "xlsx" else b"".join(response.streaming_content)
    header = read_xlsx(response)[0] if fmt == "xlsx" else read_csv_bytes(data)[0]
    assert header == HEADER
    job = upload(client, "deals", data, name=f"deals.{fmt}")
    assert job.problems == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 3, "invalid": 0}


def test_a_deal_won_on_a_past_day_counts_its_sale_on_that_day(client_for, manager, rep, today):
    """Last quarter's won deals, imported with their stage_date, close on that day and
    credit their sale then, not on the day of the import (this month's KPIs stay put)."""
    CustomerFactory(owner=rep, name="Acme")
    won_on = today - timedelta(days=75)
    sheet = [
        HEADER,
        ["D-9", "Acme 2025", "Acme", "rep", "new-business", "won", "900", "", won_on.isoformat(), "", won_on.isoformat(), ""],
    ]  # fmt: skip
    client = client_for(manager)
    job = upload(client, "deals", csv_bytes(sheet))
    assert job.problems == []
    run(client, job)
    deal = Deal.objects.get(external_id="D-9")
    assert deal.closed_on == won_on
    sales = Activity.objects.filter(deal=deal, source="deal")
    assert sales.count() == 2 and set(sales.values_list("day", flat=True)) == {won_on}
    assert upload(client, "deals", csv_bytes(sheet)).counts["unchanged"] == 1
