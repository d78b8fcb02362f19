"""Quota consistency on hand-built monthly goals, as of Wednesday 18 November 2026.

The last 6 complete months are May to October 2026; the last 12, November 2025
to October 2026. Every goal below targets 100 calls, so the calls logged are
the attainment in percent.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.dashboards.consistency import (
    DECLINING,
    IMPROVING,
    STEADY,
    TOO_LITTLE,
    VOLATILE,
    consistency,
    describe,
    month_window,
)
from tests.factories import ActivityFactory, UserFactory

AS_OF = date(2026, 11, 18)
MAY_TO_OCT = [date(2026, m, 1) for m in range(5, 11)]


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


def month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def monthly(rep, by, metric, first: date, *, target=100, logged=None, day=None):
    """A monthly goal for ``rep`` and, if ``logged``, that many units logged in the month."""
    goal = Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric,
        period=GoalPeriod.MONTH,
        start=first,
        end=month_end(first),
        target=Decimal(target),
        created_by=by,
    )
    if logged:
        ActivityFactory(rep=rep, metric=metric, day=day or first.replace(day=15), quantity=logged)
    return goal


def history(rep, by, metric, attainments, months=MAY_TO_OCT):
    for first, value in zip(months, attainments, strict=True):
        monthly(rep, by, metric, first, logged=value)


def test_window_is_the_complete_months_before_as_of():
    assert month_window(AS_OF, 6) == (date(2026, 5, 1), date(2026, 10, 31))
    assert month_window(AS_OF, 12) == (date(2025, 11, 1), date(2026, 10, 31))
    assert month_window(date(2026, 1, 1), 1) == (date(2025, 12, 1), date(2025, 12, 31))


def test_steady_rep_at_90_percent(rep, manager, calls):
    history(rep, manager, calls, [90, 90, 90, 90, 90, 90])
    c = consistency([rep.pk], months=6, as_of=AS_OF)[rep.pk]
    assert c.attainments == [Decimal("90.0")] * 6
    assert [m for m, _ in c.months] == MAY_TO_OCT
    assert (c.mean, c.std_dev, c.trend, c.scatter) == (
        Decimal("90.0"),
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("0.0"),
    )
    assert c.label == STEADY


def test_rep_swinging_between_150_and_50_is_volatile(rep, manager, calls):
    history(rep, manager, calls, [150, 50, 150, 50, 150, 50])
    c = consistency([rep.pk], months=6, as_of=AS_OF)[rep.pk]
    assert (c.mean, c.std_dev) == (Decimal("100.0"), Decimal("50.0"))
    # The fitted line falls 8.6 points a month; the months swing 47.8 around it.
    assert (c.trend, c.scatter) == (Decimal("-8.6"), Decimal("47.8"))
    assert c.label == VOLATILE


def test_rising_rep_is_improving_and_falling_rep_declining(rep, teammate, manager, calls):
    history(rep, manager, calls, [60, 70, 80, 90, 100, 110])
    history(teammate, manager, calls, [110, 100, 90, 80, 70, 60])
    result = consistency([rep.pk, teammate.pk], months=6, as_of=AS_OF)
    up, down = result[rep.pk], result[teammate.pk]
    # Population sd of 60..110 by 10: sqrt(1750 / 6) = 17.08
    assert (up.mean, up.std_dev, up.trend, up.scatter) == (
        Decimal("85.0"),
        Decimal("17.1"),
        Decimal("10.0"),
        Decimal("0.0"),
    )
    assert up.label == IMPROVING
    assert (down.mean, down.std_dev, down.trend) == (
        Decimal("85.0"),
        Decimal("17.1"),
        Decimal("-10.0"),
    )
    assert down.label == DECLINING


def test_month_attainment_is_the_mean_of_its_goals_and_months_without_goals_are_skipped(
    rep, manager, calls
):
    meetings = Metric.objects.get(key="meetings")
    # May: calls 80 of 100 (80%), meetings 12 of 10 (120%) -> 100%.
    monthly(rep, manager, calls, date(2026, 5, 1), logged=80)
    monthly(rep, manager, meetings, date(2026, 5, 1), target=10, logged=12)
    # June: no goal at all (calls logged, but they are not measured against anything).
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 6, 10), quantity=500)
    # July: logged on the last day still counts (final actual).
    monthly(rep, manager, calls, date(2026, 7, 1), logged=95, day=date(2026, 7, 31))
    # August: a goal with nothing logged is 0%.
    monthly(rep, manager, calls, date(2026, 8, 1))
    # November (the running month) is not a complete month.
    monthly(rep, manager, calls, date(2026, 11, 1), logged=300)

    c = consistency([rep.pk], months=6, as_of=AS_OF)[rep.pk]
    assert c.months == [
        (date(2026, 5, 1), Decimal("100.0")),
        (date(2026, 7, 1), Decimal("95.0")),
        (date(2026, 8, 1), Decimal("0.0")),
    ]
    assert c.mean == Decimal("65.0")
    # sqrt((35^2 + 30^2 + 65^2) / 3) = 46.0
    assert c.std_dev == Decimal("46.0")
    # Skipped June keeps its place on the x axis (months 0, 2 and 3).
    assert (c.trend, c.scatter) == (Decimal("-28.9"), Decimal("28.5"))
    assert c.label == VOLATILE


def test_fewer_than_three_months_is_too_little_history(rep, teammate, manager, calls):
    history(rep, manager, calls, [90, 120], months=MAY_TO_OCT[-2:])
    result = consistency([rep.pk, teammate.pk], months=6, as_of=AS_OF)
    c = result[rep.pk]
    assert (c.mean, c.std_dev, c.label) == (Decimal("105.0"), Decimal("15.0"), TOO_LITTLE)
    assert c.trend is None
    assert result[teammate.pk].months == [] and result[teammate.pk].mean is None
    assert result[teammate.pk].label == TOO_LITTLE


def test_twelve_months_reach_further_back_than_six(rep, manager, calls):
    twelve = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]
    history(rep, manager, calls, [50, 50, 50, 50, 50, 50, 90, 90, 90, 90, 90, 90], months=twelve)
    six = consistency([rep.pk], months=6, as_of=AS_OF)[rep.pk]
    year = consistency([rep.pk], months=12, as_of=AS_OF)[rep.pk]
    assert (six.mean, six.std_dev, six.label) == (Decimal("90.0"), Decimal("0.0"), STEADY)
    assert len(year.months) == 12
    assert (year.mean, year.std_dev) == (Decimal("70.0"), Decimal("20.0"))
    assert year.label == IMPROVING


def test_team_and_company_goals_do_not_count_for_a_rep(rep, team, manager, calls):
    history(rep, manager, calls, [90, 90, 90, 90, 90, 90])
    for first in MAY_TO_OCT:
        Goal.objects.create(
            scope=GoalScope.TEAM,
            team=team,
            metric=calls,
            period=GoalPeriod.MONTH,
            start=first,
            end=month_end(first),
            target=Decimal("1000"),
            created_by=manager,
        )
    assert consistency([rep.pk], months=6, as_of=AS_OF)[rep.pk].mean == Decimal("90.0")


def test_one_query_whatever_the_number_of_reps_and_months(team, manager, calls):
    def count(n_reps, months):
        reps = [UserFactory(team=team) for _ in range(n_reps)]
        for r in reps:
            history(r, manager, calls, [90] * len(months), months=months)
        with CaptureQueriesContext(connection) as ctx:
            consistency([r.pk for r in reps], months=12, as_of=AS_OF)
        return len(ctx)

    twelve = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]
    assert count(2, MAY_TO_OCT[-1:]) == count(15, twelve) == 1


def test_describe_without_months():
    c = describe([])
    assert (c.mean, c.std_dev, c.label) == (None, None, TOO_LITTLE)
