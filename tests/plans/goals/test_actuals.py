"""A goal's actual: whole past months from the activity month rollup, the rest from rows.

The figures must not depend on where they are read: the same rows give the same actual
for year, quarter, month and week goals, as of any day, for a rep, a team and the company.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from activities.models import Activity, Metric
from plans.goals.selectors import with_actuals
from plans.models import Goal, GoalPeriod, GoalScope
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def history(rep, teammate):
    calls = Metric.objects.get(key="calls")
    for n, day in enumerate(
        [
            date(2025, 12, 31),
            date(2026, 1, 1),
            date(2026, 2, 14),
            date(2026, 3, 31),
            date(2026, 4, 1),
            date(2026, 4, 15),
            date(2026, 4, 16),
            date(2026, 12, 31),
        ]
    ):
        ActivityFactory(rep=rep, day=day, metric=calls, quantity=Decimal(n + 1) + Decimal("0.25"))
        ActivityFactory(rep=teammate, day=day, metric=calls, quantity=10)
    return calls


def goal(metric, by, period, start, end, **owner):
    return Goal.objects.create(
        metric=metric, period=period, start=start, end=end, target=100, created_by=by, **owner
    )


def april_goal(metric, by, rep):
    return goal(
        metric,
        by,
        GoalPeriod.MONTH,
        date(2026, 4, 1),
        date(2026, 4, 30),
        scope=GoalScope.REP,
        rep=rep,
    )


def raw(reps, start, end, as_of):
    rows = Activity.objects.filter(rep__in=reps, day__range=(start, min(end, as_of)))
    return sum((a.quantity for a in rows), Decimal(0))


@pytest.mark.parametrize(
    "as_of",
    [date(2026, 4, 15), date(2026, 4, 1), date(2026, 4, 30), date(2026, 3, 31), date(2027, 1, 5)],
)
def test_actuals_equal_the_rows_whatever_the_period_and_the_day(
    history, rep, teammate, manager, as_of
):
    mine, team = {"scope": GoalScope.REP, "rep": rep}, [rep, teammate]
    cases = [  # (period, start, end, owner, whose rows count)
        (GoalPeriod.YEAR, *YEAR, mine, [rep]),
        (GoalPeriod.QUARTER, date(2026, 4, 1), date(2026, 6, 30), mine, [rep]),
        (
            GoalPeriod.MONTH,
            date(2026, 4, 1),
            date(2026, 4, 30),
            {"scope": GoalScope.TEAM, "team": rep.team},
            team,
        ),
        (GoalPeriod.WEEK, date(2026, 3, 30), date(2026, 4, 5), mine, [rep]),
        (GoalPeriod.YEAR, *YEAR, {"scope": GoalScope.COMPANY}, team),
    ]
    expected = {
        goal(history, manager, period, start, end, **owner).pk: raw(reps, start, end, as_of)
        for period, start, end, owner, reps in cases
    }
    actual = {g.pk: g.actual for g in with_actuals(Goal.objects.all(), as_of=as_of)}
    assert actual == expected


def test_past_months_are_read_from_the_rollup(history, rep, manager):
    """Proof of where the figure comes from: a (deliberately) wrong rollup row for
    February moves the year goal's actual as of April, not the April month goal's."""
    year = goal(history, manager, GoalPeriod.YEAR, *YEAR, scope=GoalScope.REP, rep=rep)
    april = april_goal(history, manager, rep)
    as_of = date(2026, 4, 20)
    before = {g.pk: g.actual for g in with_actuals(Goal.objects.all(), as_of=as_of)}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activitymonth SET quantity = quantity + 1000 WHERE month = %s",
            [date(2026, 2, 1)],
        )
    after = {g.pk: g.actual for g in with_actuals(Goal.objects.all(), as_of=as_of)}
    assert after[year.pk] - before[year.pk] == 1000
    assert (
        after[april.pk]
        == before[april.pk]
        == raw([rep], date(2026, 4, 1), date(2026, 4, 30), as_of)
    )
    assert before[year.pk] == raw([rep], *YEAR, as_of) > 0


def test_at_a_months_last_day_the_month_itself_is_read_from_the_rollup(history, rep, manager):
    """A past month's report (as of its last day) reads that month from the rollup too:
    a (deliberately) wrong rollup row for April moves the April goal as of 30 April, and
    not as of 29 April, when April's days come from the rows."""
    april = april_goal(history, manager, rep)

    def actual(as_of):
        return with_actuals(Goal.objects.filter(pk=april.pk), as_of=as_of).get().actual

    before = {day: actual(day) for day in (date(2026, 4, 29), date(2026, 4, 30))}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activitymonth SET quantity = quantity + 1000 WHERE month = %s",
            [date(2026, 4, 1)],
        )
    assert actual(date(2026, 4, 30)) - before[date(2026, 4, 30)] == 1000
    assert actual(date(2026, 4, 29)) == before[date(2026, 4, 29)]
    assert before[date(2026, 4, 30)] == raw(
        [rep], date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 30)
    )
