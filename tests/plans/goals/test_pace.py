"""Goal pace, attainment and projection on a hand-built month (November 2026).

November 2026 has 21 weekdays; with Thanksgiving (26th) a holiday, 20 working days.
By Wednesday 18 November, 13 of them have begun.
"""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Metric
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.models import CompanySettings, Holiday
from tests.factories import ActivityFactory

AS_OF = date(2026, 11, 18)


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


@pytest.fixture
def november(db):
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")


def month_goal(*, calls, by, target, **owner):
    return Goal.objects.create(
        metric=calls,
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal(target),
        created_by=by,
        **owner,
    )


def test_rep_goal_pace_attainment_projection(rep, manager, calls, november):
    goal = month_goal(calls=calls, by=manager, target=200, scope=GoalScope.REP, rep=rep)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 2), quantity=60)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 18), quantity=57)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 19), quantity=500)  # after as_of
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 10, 30), quantity=500)  # before

    (p,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=AS_OF)

    assert (p.elapsed.done, p.elapsed.total) == (13, 20)
    assert p.actual == Decimal("117.00")
    assert p.expected == Decimal("130.00")
    assert p.attainment == Decimal("58.5")
    assert p.pace == Decimal("90.0")
    assert p.projection == Decimal("180.00")
    assert p.status == "green"  # 90% is exactly the amber line, not below it


def test_status_turns_amber_then_red(rep, manager, calls, november):
    goal = month_goal(calls=calls, by=manager, target=200, scope=GoalScope.REP, rep=rep)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 3), quantity=116)
    (p,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=AS_OF)
    assert p.pace == Decimal("89.2") and p.status == "amber"

    settings = CompanySettings.load()
    settings.goal_red_below = 95
    settings.goal_amber_below = 99
    settings.save()
    (p,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=AS_OF)
    assert p.status == "red"


def test_team_division_and_company_goals_sum_their_reps(
    rep, teammate, other_team_rep, south_rep, manager, team, north, admin, calls, november
):
    for person, n in ((rep, 10), (teammate, 20), (other_team_rep, 40), (south_rep, 80)):
        ActivityFactory(rep=person, metric=calls, day=date(2026, 11, 10), quantity=n)
    ActivityFactory(rep=manager, metric=calls, day=date(2026, 11, 10), quantity=1000)  # not a rep
    month_goal(calls=calls, by=manager, target=100, scope=GoalScope.TEAM, team=team)
    month_goal(calls=calls, by=admin, target=100, scope=GoalScope.DIVISION, division=north)
    month_goal(calls=calls, by=admin, target=100, scope=GoalScope.COMPANY)

    actuals = {p.goal.scope: p.actual for p in goal_progress(Goal.objects.all(), as_of=AS_OF)}

    assert actuals == {"team": 30, "division": 70, "company": 150}


def test_goal_progress_query_count_does_not_grow(
    rep, teammate, manager, calls, november, django_assert_num_queries
):
    for person in (rep, teammate):
        month_goal(calls=calls, by=manager, target=10, scope=GoalScope.REP, rep=person)
    CompanySettings.load()  # cached, as on every page
    with django_assert_num_queries(2):
        assert len(goal_progress(Goal.objects.all(), as_of=AS_OF)) == 2


@pytest.mark.parametrize(
    "as_of, status",
    [
        # Tuesday 3 November: 2 of 20 working days (10%): far behind, but too early to tell.
        (date(2026, 11, 3), "early"),
        # Thursday 5 November: 4 of 20 (20%): judged from here on, as the alerts are.
        (date(2026, 11, 5), "red"),
    ],
)
def test_a_goal_behind_reads_too_early_to_tell_until_a_fifth_of_its_days(
    rep, manager, calls, november, as_of, status
):
    goal = month_goal(calls=calls, by=manager, target=200, scope=GoalScope.REP, rep=rep)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 2), quantity=1)

    (p,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=as_of)

    assert p.status == status


def test_a_goal_on_track_early_in_its_period_reads_on_track(rep, manager, calls, november):
    goal = month_goal(calls=calls, by=manager, target=200, scope=GoalScope.REP, rep=rep)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 2), quantity=30)
    (p,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=date(2026, 11, 3))
    assert p.status == "green"
