"""Reverse funnel on hand-built 90-day histories.

As of Wednesday 18 November 2026 the 90 days run from 21 August; the weeks left in
November are those of 16, 23 and 30 November: three.
"""

from datetime import date
from decimal import Decimal

from activities.models import Metric
from plans.goals.reverse_funnel import reverse_funnel
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory

AS_OF = date(2026, 11, 18)
OCT = date(2026, 10, 5)


def log(rep, day, **quantities):
    for key, quantity in quantities.items():
        metric = Metric.objects.get(key=key.replace("_", "-"))
        ActivityFactory(rep=rep, metric=metric, day=day, quantity=Decimal(quantity))


def november_goal(rep, by, target, key="sales-closed"):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=Metric.objects.get(key=key),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal(target),
        created_by=by,
    )


def figures(funnel):
    return [
        (s.metric.key, s.rate_percent, s.rate_source, s.needed, s.per_week, s.did_per_week)
        for s in funnel.steps
    ]


def test_works_back_from_the_remaining_sales_through_the_reps_own_rates(rep, manager):
    # 400 calls, 200 contacts, 40 set, 30 held, 9 sales in the 90 days; 3 of the sales
    # fall in November and count toward the goal of 12.
    log(rep, OCT, calls=400, contacts=200, appointments_set=40, appointments_held=30)
    log(rep, OCT, sales_closed=6)
    log(rep, date(2026, 11, 10), sales_closed=3)
    log(rep, date(2026, 8, 20), calls=1000, sales_closed=50)  # 91 days back: outside
    log(rep, date(2026, 11, 19), calls=1000)  # after as_of
    november_goal(rep, manager, 12)

    funnel = reverse_funnel(rep, as_of=AS_OF)

    assert funnel.progress.actual == Decimal("3.00")
    assert (funnel.sales_needed, funnel.weeks_left) == (9, 3)
    assert figures(funnel) == [
        ("calls", Decimal("50.0"), "own", 400, 134, Decimal("31.1")),
        ("contacts", Decimal("20.0"), "own", 200, 67, Decimal("15.6")),
        ("appointments-set", Decimal("75.0"), "own", 40, 14, Decimal("3.1")),
        ("appointments-held", Decimal("30.0"), "own", 30, 10, Decimal("2.3")),
        ("sales-closed", None, "", 9, 3, Decimal("0.7")),
    ]
    assert funnel.per_week == {
        "calls": 134,
        "contacts": 67,
        "appointments-set": 14,
        "appointments-held": 10,
        "sales-closed": 3,
    }


def test_a_step_without_the_reps_history_borrows_the_teams_rate(rep, teammate, manager):
    # Rita logs no appointments held; the team (Rita + Tom) has 10 held of 30 set, 7 sales.
    log(rep, OCT, calls=100, contacts=50, appointments_set=10, sales_closed=2)
    log(teammate, OCT, appointments_set=20, appointments_held=10, sales_closed=5)
    november_goal(rep, manager, 4)

    funnel = reverse_funnel(rep, as_of=AS_OF)

    assert figures(funnel) == [
        ("calls", Decimal("50.0"), "own", 180, 60, Decimal("7.8")),
        ("contacts", Decimal("20.0"), "own", 90, 30, Decimal("3.9")),
        ("appointments-set", Decimal("33.3"), "team", 18, 6, Decimal("0.8")),
        ("appointments-held", Decimal("70.0"), "team", 6, 2, Decimal("0.0")),
        ("sales-closed", None, "", 4, 2, Decimal("0.2")),
    ]


def test_without_any_history_a_step_and_those_above_say_not_enough(rep, manager):
    log(rep, OCT, appointments_set=10, appointments_held=5, sales_closed=1)
    november_goal(rep, manager, 2)

    funnel = reverse_funnel(rep, as_of=AS_OF)

    assert [(s.metric.key, s.rate_source, s.needed, s.enough_history) for s in funnel.steps] == [
        ("calls", "none", None, False),
        ("contacts", "none", None, False),
        ("appointments-set", "own", 20, True),
        ("appointments-held", "own", 10, True),
        ("sales-closed", "", 2, True),
    ]


def test_sales_value_goal_turns_into_sales_at_the_average_won_deal(rep, manager):
    log(rep, OCT, appointments_set=8, appointments_held=8, sales_closed=4, sales_value=4000)
    log(rep, date(2026, 11, 4), sales_value=1000)
    november_goal(rep, manager, 5500, key="sales-value")

    funnel = reverse_funnel(rep, as_of=AS_OF)

    # 4,500 to go at an average deal of 5,000 / 4 = 1,250 -> 3.6 -> 4 sales.
    assert funnel.from_value
    assert funnel.average_deal == Decimal("1250.00")
    assert funnel.sales_needed == 4
    assert [(s.metric.key, s.needed) for s in funnel.steps][-3:] == [
        ("appointments-set", 8),
        ("appointments-held", 8),
        ("sales-closed", 4),
    ]


def test_a_metric_missing_from_the_catalogue_is_skipped(rep, manager):
    Metric.objects.filter(key="contacts").update(active=False)
    log(rep, OCT, calls=300, contacts=999, appointments_set=30, appointments_held=30)
    log(rep, OCT, sales_closed=10)
    november_goal(rep, manager, 5)

    funnel = reverse_funnel(rep, as_of=AS_OF)

    assert [(s.metric.key, s.rate_percent, s.needed) for s in funnel.steps] == [
        ("calls", Decimal("10.0"), 150),
        ("appointments-set", Decimal("100.0"), 15),
        ("appointments-held", Decimal("33.3"), 15),
        ("sales-closed", None, 5),
    ]


def test_a_reached_goal_needs_nothing_more(rep, manager):
    log(rep, date(2026, 11, 3), sales_closed=6, calls=10)
    november_goal(rep, manager, 5)
    funnel = reverse_funnel(rep, as_of=AS_OF)
    assert [s.needed for s in funnel.steps] == [0, 0, 0, 0, 0]


def test_no_current_outcome_goal_means_no_funnel(rep, manager):
    assert reverse_funnel(rep, as_of=AS_OF) is None
    november_goal(rep, manager, 50, key="calls")
    assert reverse_funnel(rep, as_of=AS_OF) is None


def test_query_count_does_not_depend_on_history(rep, manager, django_assert_num_queries):
    for n in range(30):
        log(rep, date(2026, 9, 1 + n % 28), calls=10, contacts=5, sales_closed=1)
    november_goal(rep, manager, 12)
    CompanySettings.load()
    with django_assert_num_queries(5):  # holidays come from the cache
        assert reverse_funnel(rep, as_of=AS_OF) is not None
