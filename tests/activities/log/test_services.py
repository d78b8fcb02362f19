"""The activity log's write rules and its change history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from activities.log.services import DayLine, check_can_write_day, save_day_log
from activities.models import Activity, ActivityChange, Channel, Metric
from salesmgmt.csv_export import safe_cell
from salesmgmt.errors import RuleViolation
from tests.factories import days_ago


def test_day_log_creates_updates_and_deletes_with_history(rep):
    calls, meetings = Metric.objects.get(key="calls"), Metric.objects.get(key="meetings")
    phone = Channel.objects.get(key="outbound-phone")
    day = days_ago(1)

    counts = save_day_log(
        rep=rep,
        day=day,
        by=rep,
        lines=[
            DayLine(metric=calls, quantity=Decimal("30"), channel=phone),
            DayLine(metric=calls, quantity=Decimal("5")),
            DayLine(metric=meetings, quantity=Decimal("2")),
        ],
    )
    assert counts == {"created": 3, "updated": 0, "deleted": 0}

    counts = save_day_log(
        rep=rep,
        day=day,
        by=rep,
        lines=[
            DayLine(metric=calls, quantity=Decimal("32"), channel=phone),
            DayLine(metric=calls, quantity=Decimal("5")),
            DayLine(metric=meetings, quantity=Decimal("0")),
        ],
    )
    assert counts == {"created": 0, "updated": 1, "deleted": 1}
    assert sorted(Activity.objects.filter(rep=rep).values_list("quantity", flat=True)) == [
        Decimal("5"),
        Decimal("32"),
    ]
    updated = ActivityChange.objects.get(action="updated")
    assert (updated.old["quantity"], updated.new["quantity"]) == ("30.00", "32.00")
    assert updated.old["channel"] == "outbound-phone"
    deleted = ActivityChange.objects.get(action="deleted")
    assert deleted.old["metric"] == "meetings" and deleted.new is None


def test_rep_edit_window_is_fourteen_days(rep, manager):
    check_can_write_day(rep=rep, day=days_ago(14), by=rep)
    with pytest.raises(RuleViolation):
        check_can_write_day(rep=rep, day=days_ago(15), by=rep)
    check_can_write_day(rep=rep, day=days_ago(60), by=manager)


def test_nobody_logs_the_future(rep, manager):
    for who in (rep, manager):
        with pytest.raises(RuleViolation):
            check_can_write_day(rep=rep, day=days_ago(-1), by=who)


def test_outsiders_and_teammates_cannot_write_a_reps_log(rep, teammate, other_manager):
    for who in (teammate, other_manager):
        with pytest.raises(PermissionDenied):
            check_can_write_day(rep=rep, day=days_ago(1), by=who)


def test_same_metric_channel_product_twice_is_refused(rep):
    calls = Metric.objects.get(key="calls")
    with pytest.raises(RuleViolation):
        save_day_log(
            rep=rep,
            day=days_ago(0),
            by=rep,
            lines=[
                DayLine(metric=calls, quantity=Decimal("1")),
                DayLine(metric=calls, quantity=Decimal("2")),
            ],
        )
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("-1-HYPERLINK(x)", "'-1-HYPERLINK(x)"),
        ("-2", "-2"),  # a negative number stays a number
        ("-12.5%", "-12.5%"),
        (Decimal("-0.20"), "-0.20"),
        ("@cmd", "'@cmd"),
        ("plain", "plain"),
        (None, ""),
        (Decimal("4.50"), "4.50"),
    ],
)
def test_csv_cells_cannot_become_formulas(value, expected):
    assert safe_cell(value) == expected
