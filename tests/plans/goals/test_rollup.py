"""Roll-up: a goal next to the sum of the goals one level below, with the gap flagged;
and one goal's cumulative progress week by week."""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Metric
from plans.goals.selectors import progress_over_time, rollup
from plans.models import Goal, GoalPeriod
from salesmgmt.models import Holiday
from tests.factories import ActivityFactory, UserFactory

NOV = date(2026, 11, 1)


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


def goal(calls, by, target, *, start=NOV, period=GoalPeriod.MONTH, end=None, **owner):
    scope = next(iter(owner), "company")
    return Goal.objects.create(
        scope=scope,
        metric=calls,
        period=period,
        start=start,
        end=end or date(2026, 11, 30),
        target=Decimal(target),
        created_by=by,
        **owner,
    )


def test_team_division_and_company_goals_roll_up_with_their_gaps(
    cast, team, other_team, south_team, north, south, calls
):
    admin = cast["admin"]
    # Team Alpha: its reps' goals add up to 70 + 50 = 120 against 100 -> over by 20.
    alpha = goal(calls, admin, 100, team=team)
    goal(calls, admin, 70, rep=cast["rep"])
    goal(calls, admin, 50, rep=cast["teammate"])
    gone = UserFactory(team=team, is_active=False)
    goal(calls, admin, 999, rep=gone)  # left the team's active reps: not counted
    goal(calls, admin, 999, rep=cast["rep"], start=date(2026, 10, 1), end=date(2026, 10, 31))
    # Team Beta: 30 against 80 -> under by 50. Gamma: no rep goals -> not allocated.
    beta = goal(calls, admin, 80, team=other_team)
    goal(calls, admin, 30, rep=cast["other_team_rep"])
    gamma = goal(calls, admin, 60, team=south_team)
    # North: Alpha + Beta = 180 against 180 -> matched. South: 60 against 100.
    north_goal = goal(calls, admin, 180, division=north)
    south_goal = goal(calls, admin, 100, division=south)
    # Company: 180 + 100 = 280 against 250 -> over by 30.
    company = goal(calls, admin, 250)

    rolls = rollup(Goal.objects.all())

    def of(g):
        r = rolls[g.pk]
        return (r.children_total, r.children_count, r.gap, r.state)

    assert of(alpha) == (Decimal("120.00"), 2, Decimal("20.00"), "over")
    assert of(beta) == (Decimal("30.00"), 1, Decimal("-50.00"), "under")
    assert of(gamma) == (Decimal("0.00"), 0, None, "unallocated")
    assert of(north_goal) == (Decimal("180.00"), 2, Decimal("0.00"), "matched")
    assert of(south_goal) == (Decimal("60.00"), 1, Decimal("-40.00"), "under")
    assert of(company) == (Decimal("280.00"), 2, Decimal("30.00"), "over")
    assert not any(Goal.objects.get(pk=pk).scope == "rep" for pk in rolls)


def test_rollup_runs_one_query_per_level_whatever_the_numbers(
    cast, team, north, calls, django_assert_num_queries
):
    admin = cast["admin"]
    for _n in range(20):
        goal(calls, admin, 10, rep=UserFactory(team=team))
    parents = [goal(calls, admin, 100, team=team), goal(calls, admin, 100, division=north)]
    parents.append(goal(calls, admin, 100))
    with django_assert_num_queries(3):
        rolls = rollup(parents)
    assert rolls[parents[0].pk].children_total == Decimal("200.00")


def test_progress_over_time_is_cumulative_per_company_week(rep, manager, calls):
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")
    g = goal(calls, manager, 200, rep=rep)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 2), quantity=60)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 10), quantity=40)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 18), quantity=17)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 19), quantity=500)  # after as_of

    points = progress_over_time(g, as_of=date(2026, 11, 18))

    # Weeks end on Sundays 1, 8, 15, 22, 29 Nov, then the month's last day (30 Nov).
    # Working days by then: 0, 5, 10, 15, 19, 20 (of 20; Thanksgiving is off).
    assert [(p.end.day, p.actual, p.expected) for p in points] == [
        (1, Decimal("0.00"), Decimal("0.00")),
        (8, Decimal("60.00"), Decimal("50.00")),
        (15, Decimal("100.00"), Decimal("100.00")),
        (22, Decimal("117.00"), Decimal("150.00")),
        (29, None, Decimal("190.00")),
        (30, None, Decimal("200.00")),
    ]
