"""The activity rollups (month and week) stay exact on every write path, and
check_rollups says so.

Each test writes through one path (the API one by one, bulk ingest and its re-send, a
won deal's sale and its reopening, edits moving a row to another month or rep, deletes,
queryset updates, a new company week start), then compares both rollups with the rows
in SQL.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from activities.deals import services as deal_services
from activities.log import rollups
from activities.models import Activity, ActivityMonth, ActivityWeek
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, days_ago
from tests.factories.deals import DealFactory, stage

pytestmark = pytest.mark.django_db


def month_total(rep, key="calls", day=None):
    day = day or days_ago(1)
    row = ActivityMonth.objects.filter(rep=rep, metric__key=key, month=day.replace(day=1)).first()
    return (row.quantity, row.entries) if row else None


def exact():
    assert rollups.differences() == []
    return True


def test_api_create_edit_move_and_delete(rep, api_for):
    api = api_for(rep)
    day = days_ago(1)
    made = api.post(
        "/api/v1/activities/", {"day": str(day), "metric": "calls", "quantity": 12}, format="json"
    ).data
    api.post("/api/v1/activities/", {"day": str(day), "metric": "calls", "quantity": 3})
    assert month_total(rep, day=day) == (Decimal("15.00"), 2) and exact()

    url = f"/api/v1/activities/{made['id']}/"
    api.patch(url, {"quantity": 20, "version": made["version"]}, format="json")
    assert month_total(rep, day=day) == (Decimal("23.00"), 2) and exact()

    # Moved to the month before (within the days a rep may still write when the
    # current month is young; otherwise only within the month): each month exact.
    earlier = day.replace(day=1) - timedelta(days=1)
    if (days_ago(0) - earlier).days <= 14:
        version = api.get(url).data["version"]
        assert api.patch(url, {"day": str(earlier), "version": version}).status_code == 200
        assert month_total(rep, day=earlier) == (Decimal("20.00"), 1)
        assert month_total(rep, day=day) == (Decimal("3.00"), 1) and exact()

    for row in api.get("/api/v1/activities/").data["results"]:
        api.delete(f"/api/v1/activities/{row['id']}/")
    assert not ActivityMonth.objects.filter(rep=rep).exists() and exact()


def test_bulk_ingest_and_a_changed_resend(rep, api_for):
    api = api_for(rep)
    entries = [
        {
            "day": str(days_ago(1 + i % 5)),
            "metric": "calls" if i % 2 else "contacts",
            "quantity": i + 1,
            "source": "dialer",
            "external_id": f"c-{i}",
        }
        for i in range(40)
    ]
    assert (
        api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json").status_code == 200
    )
    assert exact()
    for e in entries[:10]:
        e["quantity"] += 100
    response = api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json")
    assert response.json()["updated"] == 10 and exact()
    total = sum(Decimal(e["quantity"]) for e in entries)
    assert sum(m.quantity for m in ActivityMonth.objects.filter(rep=rep)) == total


def test_a_won_deal_counts_its_sale_and_reopening_takes_it_away(rep):
    deal = DealFactory(owner=rep, amount=Decimal("1234.50"))
    deal_services.move_deal(deal=deal, to_stage=stage("won"), by=rep)
    today = days_ago(0)
    assert month_total(rep, "sales-value", today) == (Decimal("1234.50"), 1) and exact()
    deal.refresh_from_db()
    deal_services.move_deal(deal=deal, to_stage=stage("proposal"), by=rep)
    assert month_total(rep, "sales-value", today) is None and exact()


def test_queryset_updates_and_deletes_and_a_rep_change(rep, teammate):
    for n in range(6):
        ActivityFactory(rep=rep, day=days_ago(n % 3), quantity=n + 1)
    Activity.objects.filter(rep=rep).update(quantity=2)
    assert exact()
    Activity.objects.filter(pk=Activity.objects.filter(rep=rep).first().pk).update(rep=teammate)
    assert exact()
    Activity.objects.filter(rep=rep, day=days_ago(0)).delete()
    assert exact()


def week_totals(rep):
    return {w.week: w.quantity for w in ActivityWeek.objects.filter(rep=rep)}


def test_weeks_follow_the_company_week_start_and_are_rebuilt_when_it_changes(rep):
    settings = CompanySettings.load()
    # Sunday 29 November, Monday 30 November, Saturday 5 December, Sunday 6 December 2026.
    for day, quantity in ((29, 1), (30, 2), (35, 4), (36, 8)):
        ActivityFactory(rep=rep, day=date(2026, 11, 1) + timedelta(days=day - 1), quantity=quantity)
    assert week_totals(rep) == {date(2026, 11, 23): 1, date(2026, 11, 30): 14} and exact()

    settings.week_start = 6  # Sunday
    settings.save()
    assert week_totals(rep) == {date(2026, 11, 29): 7, date(2026, 12, 6): 8} and exact()

    ActivityFactory(rep=rep, day=date(2026, 12, 12), quantity=16)  # a Saturday
    Activity.objects.filter(rep=rep, day=date(2026, 11, 29)).update(day=date(2026, 12, 7))
    assert week_totals(rep) == {date(2026, 11, 29): 6, date(2026, 12, 6): 25} and exact()


def test_check_rollups_finds_a_difference_and_fix_repairs_it(rep, capsys):
    ActivityFactory(rep=rep, day=days_ago(1), quantity=7)
    call_command("check_rollups")
    assert "match the activity rows: 1 (rep, metric, month) and 1 (rep, metric, week)" in (
        capsys.readouterr().out
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE activities_activitymonth SET quantity = quantity + 1")
        cursor.execute("UPDATE activities_activityweek SET entries = entries + 1")
    with pytest.raises(CommandError, match="2 rollup rows differ"):
        call_command("check_rollups")
    out = capsys.readouterr().out
    assert "month of " in out and "rows 7.00 (1), rollup 8.00 (1)" in out
    assert "week of " in out and "rows 7.00 (1), rollup 7.00 (2)" in out
    call_command("check_rollups", "--fix")
    assert "Rebuilt: 1 (rep, metric, month) and 1 (rep, metric, week) rows." in (
        capsys.readouterr().out
    )
    assert month_total(rep) == (Decimal("7.00"), 1)
    assert list(ActivityWeek.objects.values_list("quantity", "entries")) == [(Decimal("7.00"), 1)]
