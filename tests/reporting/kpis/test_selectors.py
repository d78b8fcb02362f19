"""KPI values pinned on a hand-built November 2026 (team Alpha: rep and teammate).

One file because its figures are all pinned on the same hand-built month with the same
helpers (`groups`, `make_kpi`, `log`); splitting it would copy that month.

November 2026 has 21 weekdays; with Thanksgiving (26th) a holiday, 20 working days.
By the end of Wednesday 18 November (AS_OF, a day judged after it: ``today`` is later), 13
of them are over. Company weeks start on
Monday: the weeks starting in November up to the 18th are the 2nd, 9th and 16th.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import ActivityMonth, Metric
from plans.models import PlanStatus
from reporting.kpis.admin import KpiForm
from reporting.kpis.selectors import (
    describe,
    evaluate_current,
    evaluate_kpis,
    kpi_period,
    status_of,
)
from reporting.models import Kpi, KpiDirection, KpiKind, KpiPeriod
from salesmgmt.models import CompanySettings, Holiday, User
from tests.factories import ActivityFactory, PlanTargetFactory, UserFactory, WeeklyPlanFactory
from tests.factories.deals import DealFactory, at, stage, walk
from tests.factories.tasks import TaskFactory, company_time

AS_OF = date(2026, 11, 18)
NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 30), "as_of": AS_OF}
D = Decimal


def nov(day: int) -> date:
    return date(2026, 11, day)


def metric(key: str) -> Metric:
    return Metric.objects.get(key=key)


def make_kpi(key, kind, *, target=100, amber=90, red=75, period=KpiPeriod.MONTH, **fields):
    return Kpi.objects.create(
        key=f"t-{key}",
        name=key.title(),
        kind=kind,
        period=period,
        target=D(target),
        amber_threshold=D(amber),
        red_threshold=D(red),
        **fields,
    )


@pytest.fixture
def november(db):
    Holiday.objects.create(day=nov(26), name="Thanksgiving")


@pytest.fixture
def groups(rep, teammate):
    return {rep.pk: [rep.pk], teammate.pk: [teammate.pk], "team": [rep.pk, teammate.pk]}


def log(rep, key, day, quantity):
    ActivityFactory(rep=rep, metric=metric(key), day=day, quantity=D(quantity))


# --- metric_total -------------------------------------------------------------------------------


def test_a_weekly_metric_total_over_the_month_reads_per_week_against_the_weekly_target(
    rep, teammate, groups, november
):
    kpi = make_kpi(
        "calls",
        KpiKind.METRIC_TOTAL,
        metric=metric("calls"),
        period=KpiPeriod.WEEK,
        target=50,
        amber=45,
        red=35,
    )
    log(rep, "calls", nov(2), 70)
    log(rep, "calls", nov(18), 50)
    log(rep, "calls", nov(19), 500)  # after as_of
    log(rep, "calls", date(2026, 10, 30), 500)  # before the month
    log(teammate, "calls", nov(10), 100)
    log(teammate, "contacts", nov(10), 999)  # another metric

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    # 13 working days over = 2.6 weeks of five: Rita's 120 calls are 46.15 a week, against
    # the weekly 50 itself (not the month's 679 against a scaled 504, as was read before).
    mine = values[(kpi.pk, rep.pk)]
    assert (mine.target, mine.amber, mine.red) == (D("50"), D("45"), D("35"))
    assert mine.periods == D("2.6") and mine.per == "per week, on average over 2.6 weeks"
    assert mine.value == D("46.15") and mine.status == "green"
    assert values[(kpi.pk, teammate.pk)].value == D("38.46")  # 100 / 2.6
    assert values[(kpi.pk, teammate.pk)].status == "amber"
    team = values[(kpi.pk, "team")]
    assert (team.value, team.numerator, team.denominator) == (D("42.31"), D(220), D(2))
    assert team.status == "amber"
    # Over its own week the same KPI reads the week's total against the pro-rated target.
    week = evaluate_kpis([kpi], groups=groups, start=nov(16), end=nov(22), as_of=AS_OF)
    assert week[(kpi.pk, rep.pk)].periods is None and week[(kpi.pk, rep.pk)].per == ""
    assert week[(kpi.pk, rep.pk)].value == D("50.00")


def test_the_day_under_way_is_not_due_yet(rep, groups, november):
    """Judged on its own day (``today``), a day is not expected yet; judged later it is:
    the page at four in the afternoon reads what the morning's alert check read."""
    kpi = make_kpi("calls", KpiKind.METRIC_TOTAL, metric=metric("calls"), period="week", target=50)
    log(rep, "calls", nov(18), 30)
    week = {"start": nov(16), "end": nov(22), "as_of": AS_OF}
    # Mon 16 and Tue 17 are over on Wednesday: 2/5 of 50 (a weekly 50, amber 45, red 35).
    live = evaluate_kpis([kpi], groups=groups, today=AS_OF, **week)[(kpi.pk, rep.pk)]
    assert (live.value, live.target) == (D("30.00"), D("20.00"))
    later = evaluate_kpis([kpi], groups=groups, today=nov(19), **week)[(kpi.pk, rep.pk)]
    assert (later.value, later.target) == (D("30.00"), D("30.00"))


def test_metric_total_over_its_own_week_and_a_rep_who_logged_nothing(rep, teammate, november):
    kpi = make_kpi(
        "calls",
        KpiKind.METRIC_TOTAL,
        metric=metric("calls"),
        period="week",
        target=50,
        amber=45,
        red=35,
    )
    log(rep, "calls", nov(16), 20)
    log(rep, "calls", nov(18), 10)
    start, end = kpi_period(kpi, AS_OF)
    assert (start, end) == (nov(16), nov(22))

    values = evaluate_kpis(
        [kpi],
        groups={"team": [rep.pk, teammate.pk], "nobody": []},
        start=start,
        end=end,
        as_of=AS_OF,
    )

    team = values[(kpi.pk, "team")]
    assert (team.target, team.amber, team.red) == (D("30.00"), D("27.00"), D("21.00"))  # 3/5
    assert team.value == D("15.00") and team.status == "red"
    assert values[(kpi.pk, "nobody")].value is None
    assert values[(kpi.pk, "nobody")].status == ""


def test_metric_totals_of_a_whole_closed_month_come_from_the_month_rollup(rep, teammate, groups):
    """A closed month reads the activity month rollup (kept exact by triggers); a month
    under way reads the rows. Same figures either way; tampering with the rollup shows
    which was read."""
    kpi = make_kpi("calls", KpiKind.METRIC_TOTAL, metric=metric("calls"), target=50)
    log(rep, "calls", date(2026, 10, 1), 30)
    log(rep, "calls", date(2026, 10, 31), 12)
    log(teammate, "calls", date(2026, 10, 15), 8)
    october = {"start": date(2026, 10, 1), "end": date(2026, 10, 31), "as_of": AS_OF}

    before = evaluate_kpis([kpi], groups=groups, **october)
    ActivityMonth.objects.filter(rep=rep, month=date(2026, 10, 1)).update(quantity=1)
    tampered = evaluate_kpis([kpi], groups=groups, **october)
    to_the_30th = evaluate_kpis([kpi], groups=groups, **october | {"as_of": date(2026, 10, 30)})

    assert (before[(kpi.pk, rep.pk)].value, before[(kpi.pk, "team")].value) == (D(42), D(25))
    assert tampered[(kpi.pk, rep.pk)].value == D(1)  # the rollup was read
    assert to_the_30th[(kpi.pk, rep.pk)].value == D(30)  # a month under way: the rows


# --- ratios: held rate and hit rate -------------------------------------------------------------


def held_rate_kpi(key: str) -> Kpi:
    """Appointments held / set, green from 80%, red below 60%."""
    return make_kpi(
        key,
        KpiKind.RATIO,
        metric=metric("appointments-held"),
        denominator=metric("appointments-set"),
        target=80,
        amber=70,
        red=60,
    )


@pytest.mark.parametrize("as_of, status", [(nov(3), "early"), (nov(5), "red")])
def test_a_kpi_behind_reads_too_early_to_tell_until_a_fifth_of_its_days(
    rep, november, as_of, status
):
    """2 of 20 working days over on the 3rd; 4 (a fifth) on the 5th, when the alerts
    start judging too. A rate reads the same way as a pro-rated total."""
    total = make_kpi("calls-month", KpiKind.METRIC_TOTAL, metric=metric("calls"), target=200)
    rate = held_rate_kpi("held-rate")
    log(rep, "calls", nov(2), 1)
    log(rep, "appointments-set", nov(2), 10)
    log(rep, "appointments-held", nov(2), 1)

    values = evaluate_kpis([total, rate], groups={"me": [rep.pk]}, **(NOV | {"as_of": as_of}))

    assert values[(total.pk, "me")].status == status
    assert values[(rate.pk, "me")].status == status
    assert values[(rate.pk, "me")].value == D("10.0")


def test_ratio_and_hit_rate_pool_the_groups_numbers(rep, teammate, groups):
    held_rate = held_rate_kpi("held")
    hit_rate = make_kpi(
        "hit",
        KpiKind.RATIO,
        metric=metric("sales-closed"),
        denominator=metric("appointments-held"),
        target=30,
        amber=25,
        red=20,
    )
    log(rep, "appointments-set", nov(3), 10)
    log(rep, "appointments-held", nov(5), 7)
    log(rep, "sales-closed", nov(12), 2)
    log(teammate, "appointments-set", nov(4), 10)
    log(teammate, "appointments-held", nov(6), 5)
    log(teammate, "sales-closed", nov(13), 1)
    log(teammate, "sales-closed", nov(20), 5)  # after as_of

    values = evaluate_kpis([held_rate, hit_rate], groups=groups, **NOV)

    assert values[(held_rate.pk, rep.pk)].value == D("70.0")
    assert values[(held_rate.pk, rep.pk)].status == "green"
    assert values[(held_rate.pk, teammate.pk)].value == D("50.0")
    assert values[(held_rate.pk, teammate.pk)].status == "red"
    assert values[(held_rate.pk, "team")].value == D("60.0")  # 12 / 20
    assert values[(held_rate.pk, "team")].status == "amber"
    assert values[(hit_rate.pk, rep.pk)].value == D("28.6")  # 2 / 7
    assert values[(hit_rate.pk, teammate.pk)].value == D("20.0")  # 1 / 5
    team = values[(hit_rate.pk, "team")]
    assert (team.value, team.numerator, team.denominator) == (D("25.0"), D(3), D(12))
    assert team.status == "green"  # exactly on the amber line is not below it
    assert values[(hit_rate.pk, teammate.pk)].status == "amber"
    assert team.target == D("30")  # ratios are never pro-rated


def test_ratio_without_a_denominator_is_not_measured(rep):
    kpi = make_kpi(
        "held",
        KpiKind.RATIO,
        metric=metric("appointments-held"),
        denominator=metric("appointments-set"),
    )
    log(rep, "appointments-held", nov(5), 3)
    value = evaluate_kpis([kpi], groups={"me": [rep.pk]}, **NOV)[(kpi.pk, "me")]
    assert value.value is None and value.status == ""


# --- deals: stage conversion and average deal size ----------------------------------------------


def test_stage_conversion_of_the_proposal_stage(rep, teammate, groups):
    kpi = make_kpi(
        "proposal", KpiKind.STAGE_CONVERSION, stage=stage("proposal"), target=50, amber=40, red=30
    )

    def deal(owner, steps):
        walk(DealFactory(owner=owner), [(k, at(day)) for k, day in steps], by=owner)

    deal(rep, [("lead", nov(1)), ("proposal", nov(3)), ("negotiation", nov(10))])  # advanced
    deal(rep, [("lead", nov(1)), ("proposal", nov(4)), ("lost", nov(12))])  # lost: not advanced
    deal(teammate, [("lead", nov(1)), ("proposal", nov(5)), ("won", nov(19))])  # won after as_of
    deal(teammate, [("lead", nov(1)), ("proposal", nov(6)), ("lead", nov(7)), ("proposal", nov(8))])
    deal(teammate, [("lead", date(2026, 10, 1)), ("proposal", date(2026, 10, 20)), ("won", nov(2))])
    deal(rep, [("lead", nov(1)), ("proposal", nov(19))])  # entered after as_of

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    assert values[(kpi.pk, rep.pk)].value == D("50.0")  # 1 of 2
    assert values[(kpi.pk, teammate.pk)].value == D("0.0")  # 0 of 2 (re-entry counts once)
    team = values[(kpi.pk, "team")]
    assert (team.value, team.numerator, team.denominator) == (D("25.0"), D(1), D(4))
    assert team.status == "red"

    later = evaluate_kpis([kpi], groups=groups, **(NOV | {"as_of": nov(20)}))
    assert later[(kpi.pk, rep.pk)].value == D("33.3")  # the 19th's entry joins, 1 of 3
    assert later[(kpi.pk, teammate.pk)].value == D("50.0")  # the won deal now moved on
    assert later[(kpi.pk, "team")].value == D("40.0")  # 2 of 5


def test_average_deal_size_of_deals_won_in_the_period(rep, teammate, groups):
    kpi = make_kpi("size", KpiKind.AVG_DEAL_SIZE, target=2000, amber=1600, red=1000)

    def won(owner, amount, day):
        walk(
            DealFactory(owner=owner, amount=D(amount)),
            [("lead", at(date(2026, 10, 1))), ("won", at(day))],
            by=owner,
        )

    won(rep, "1000", nov(5))
    won(rep, "500", nov(12))
    won(teammate, "3000", nov(17))
    won(teammate, "800", nov(19))  # after as_of
    won(rep, "999", date(2026, 10, 30))  # before the month
    lost = DealFactory(owner=rep, amount=D("50000"))
    walk(lost, [("lead", at(nov(2))), ("lost", at(nov(3)))], by=rep)

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    assert values[(kpi.pk, rep.pk)].value == D("750.00")
    assert values[(kpi.pk, rep.pk)].status == "red"
    assert values[(kpi.pk, teammate.pk)].value == D("3000.00")
    team = values[(kpi.pk, "team")]
    assert (team.value, team.numerator, team.denominator) == (D("1500.00"), D("4500"), D(3))
    assert team.status == "amber"


# --- weekly plans: submission rate and attainment -----------------------------------------------


def plan(rep, week_day, status, *, submitted=False, **targets):
    p = WeeklyPlanFactory(
        rep=rep,
        week_start=week_day,
        status=status,
        submitted_at=timezone.now() if submitted else None,
    )
    for key, planned in targets.items():
        PlanTargetFactory(plan=p, metric=metric(key.replace("_", "-")), planned=D(planned))
    return p


def test_plan_submission_rate_counts_rep_weeks_started_up_to_today(rep, teammate, groups):
    kpi = make_kpi("plans", KpiKind.PLAN_SUBMISSION_RATE, target=100, amber=90, red=75)
    plan(rep, nov(2), PlanStatus.APPROVED, submitted=True)
    plan(rep, nov(9), PlanStatus.RETURNED, submitted=True)  # was submitted
    plan(rep, nov(16), PlanStatus.DRAFT)
    plan(rep, nov(23), PlanStatus.SUBMITTED, submitted=True)  # starts after as_of
    plan(rep, date(2026, 10, 26), PlanStatus.APPROVED, submitted=True)  # starts before the month
    plan(teammate, nov(2), PlanStatus.SUBMITTED)

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    assert values[(kpi.pk, rep.pk)].value == D("66.7")  # 2 of 3 weeks
    assert values[(kpi.pk, teammate.pk)].value == D("33.3")
    team = values[(kpi.pk, "team")]
    assert (team.value, team.numerator, team.denominator) == (D("50.0"), D(3), D(6))
    assert team.status == "red"


def test_plan_attainment_judges_the_week_under_way_by_its_pace(rep, teammate, groups, november):
    kpi = make_kpi("attain", KpiKind.PLAN_ATTAINMENT, target=100, amber=85, red=70)
    plan(rep, nov(2), PlanStatus.APPROVED, submitted=True, calls=50, sales_value=1000)
    plan(rep, nov(9), PlanStatus.SUBMITTED, submitted=True, calls=50)
    plan(rep, nov(16), PlanStatus.SUBMITTED, submitted=True, calls=50)
    plan(teammate, nov(9), PlanStatus.DRAFT, calls=50)  # never submitted
    log(rep, "calls", nov(3), 40)
    log(rep, "calls", nov(10), 60)
    log(rep, "calls", nov(17), 15)
    log(rep, "calls", nov(19), 100)  # after as_of
    log(rep, "sales-value", nov(3), 5)  # money metrics are left out
    log(teammate, "calls", nov(10), 60)

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    # 40 + 60 + 15 logged against 50 + 50 + 50 x 3/5 planned to date = 115 / 130.
    mine = values[(kpi.pk, rep.pk)]
    assert (mine.value, mine.numerator, mine.denominator) == (D("88.5"), D(115), D(130))
    assert mine.status == "green"
    assert values[(kpi.pk, teammate.pk)].value is None
    assert values[(kpi.pk, "team")].value == D("88.5")


def test_plan_attainment_reads_whole_weeks_from_the_week_rollup(rep, november):
    """A whole week's actual is its row in the week rollup; the week under way is read
    from its days (a deliberately wrong rollup row shows which is read)."""
    kpi = make_kpi("attain", KpiKind.PLAN_ATTAINMENT)
    plan(rep, nov(9), PlanStatus.SUBMITTED, submitted=True, calls=50)
    plan(rep, nov(16), PlanStatus.SUBMITTED, submitted=True, calls=50)
    log(rep, "calls", nov(10), 40)
    log(rep, "calls", nov(17), 15)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE activities_activityweek SET quantity = quantity + 5")

    value = evaluate_kpis([kpi], groups={"me": [rep.pk]}, **NOV)[(kpi.pk, "me")]

    # (40 + 5) + 15 logged against 50 + 50 x 3/5 planned.
    assert (value.numerator, value.denominator) == (D(60), D(80))


def test_plan_attainment_in_weeks_that_start_on_sunday(rep, teammate, groups, november):
    company = CompanySettings.load()
    company.week_start = 6
    company.save()
    kpi = make_kpi("attain", KpiKind.PLAN_ATTAINMENT)
    plan(rep, nov(8), PlanStatus.SUBMITTED, submitted=True, calls=50)
    plan(teammate, nov(15), PlanStatus.SUBMITTED, submitted=True, calls=50)
    log(rep, "calls", nov(8), 10)  # Sunday: the first day of the rep's planned week
    log(rep, "calls", nov(14), 20)  # Saturday: its last
    log(rep, "calls", nov(15), 99)  # the next week, which the rep did not plan
    log(teammate, "calls", nov(15), 7)
    log(teammate, "calls", nov(19), 8)  # after as_of

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    assert (values[(kpi.pk, rep.pk)].numerator, values[(kpi.pk, rep.pk)].denominator) == (
        D(30),
        D(50),
    )
    # Wednesday the 18th: 3 of the week's 5 working days have begun.
    assert (values[(kpi.pk, teammate.pk)].numerator, values[(kpi.pk, teammate.pk)].denominator) == (
        D(7),
        D(30),
    )
    team = values[(kpi.pk, "team")]
    assert (team.numerator, team.denominator, team.value) == (D(37), D(80), D("46.3"))


# --- tasks --------------------------------------------------------------------------------------


def test_task_on_time_rate(rep, teammate, groups):
    kpi = make_kpi("tasks", KpiKind.TASK_ON_TIME_RATE, target=90, amber=80, red=70)

    def task(owner, due, done=None):
        TaskFactory(assignee=owner, due_at=due, done_at=done)

    task(rep, company_time(nov(3), 10), company_time(nov(2), 16))  # early
    task(rep, company_time(nov(5), 10), company_time(nov(5), 10))  # exactly on time
    task(rep, company_time(nov(5), 10), company_time(nov(6), 9))  # late
    task(rep, company_time(nov(10), 10))  # still open, overdue
    task(rep, company_time(nov(20), 10))  # due after as_of
    task(rep, company_time(date(2026, 10, 31), 10), company_time(nov(2), 10))  # due before
    task(teammate, company_time(nov(18), 23), company_time(nov(18), 22))

    values = evaluate_kpis([kpi], groups=groups, **NOV)

    mine = values[(kpi.pk, rep.pk)]
    assert (mine.value, mine.numerator, mine.denominator) == (D("50.0"), D(2), D(4))
    assert mine.status == "red"
    assert values[(kpi.pk, teammate.pk)].value == D("100.0")
    assert values[(kpi.pk, "team")].value == D("60.0")


def test_an_open_task_due_later_today_is_not_late_yet(rep):
    kpi = make_kpi("tasks", KpiKind.TASK_ON_TIME_RATE)
    company = CompanySettings.load()
    today = company.today()
    end_of_today = datetime.combine(today + timedelta(days=1), time.min, tzinfo=company.tzinfo)
    TaskFactory(assignee=rep, due_at=min(timezone.now() + timedelta(minutes=5), end_of_today))
    TaskFactory(assignee=rep, due_at=timezone.now() - timedelta(days=1))  # overdue, open

    value = evaluate_kpis(
        [kpi], groups={"me": [rep.pk]}, start=today - timedelta(days=3), end=today
    )

    assert (value[(kpi.pk, "me")].numerator, value[(kpi.pk, "me")].denominator) == (D(0), D(1))


# --- status, definitions, current periods, query count -----------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (D("90"), "higher", "green"),
        (D("89.9"), "higher", "amber"),
        (D("75"), "higher", "amber"),
        (D("74.9"), "higher", "red"),
        (D("10"), "lower", "green"),
        (D("10.1"), "lower", "amber"),
        (D("20"), "lower", "amber"),
        (D("20.1"), "lower", "red"),
        (None, "higher", ""),
    ],
)
def test_status_by_direction(value, direction, expected):
    if direction == KpiDirection.LOWER:
        assert status_of(value, amber=D(10), red=D(20), direction=direction) == expected
    else:
        assert status_of(value, amber=D(90), red=D(75), direction=direction) == expected


def test_lower_is_better_kpi_turns_red_above_its_threshold(rep):
    kpi = make_kpi(
        "lost",
        KpiKind.RATIO,
        metric=metric("sales-closed"),
        denominator=metric("appointments-held"),
        direction=KpiDirection.LOWER,
        target=20,
        amber=30,
        red=40,
    )
    log(rep, "appointments-held", nov(3), 10)
    log(rep, "sales-closed", nov(4), 5)
    assert evaluate_kpis([kpi], groups={"me": [rep.pk]}, **NOV)[(kpi.pk, "me")].status == "red"


def test_definition_in_plain_words(db):
    kpi = make_kpi(
        "held",
        KpiKind.RATIO,
        metric=metric("appointments-held"),
        denominator=metric("appointments-set"),
    )
    assert describe(kpi) == "Appointments held / Appointments set logged in the period, in percent."
    kpi.description = "Our own words."
    assert describe(kpi) == "Our own words."


def test_each_kpi_is_measured_over_its_own_current_period(rep, november):
    weekly = make_kpi("calls-week", KpiKind.METRIC_TOTAL, metric=metric("calls"), period="week")
    monthly = make_kpi("calls-month", KpiKind.METRIC_TOTAL, metric=metric("calls"), period="month")
    log(rep, "calls", nov(10), 30)
    log(rep, "calls", nov(17), 12)

    values = evaluate_current([weekly, monthly], groups={"me": [rep.pk]}, as_of=AS_OF)

    assert values[(weekly.pk, "me")].value == D("12.00")
    assert values[(monthly.pk, "me")].value == D("42.00")


def test_the_seeded_default_set(db):
    seeded = Kpi.objects.exclude(key__startswith="t-")
    assert seeded.count() == 8
    assert set(seeded.values_list("kind", flat=True)) == set(KpiKind.values)
    hit = seeded.get(key="hit-rate")
    assert (hit.metric.key, hit.denominator.key) == ("sales-closed", "appointments-held")
    assert seeded.get(key="proposal-conversion").stage.key == "proposal"


def _all_kinds_and_history(reps):
    for person in reps:
        log(person, "calls", nov(3), 10)
        log(person, "appointments-held", nov(4), 3)
        plan(person, nov(9), PlanStatus.SUBMITTED, submitted=True, calls=20)
        TaskFactory(assignee=person, due_at=company_time(nov(4), 10))
        walk(DealFactory(owner=person), [("lead", at(nov(1))), ("proposal", at(nov(2)))], by=person)


@pytest.mark.parametrize("extra_reps", [3, 48])
def test_query_count_does_not_grow_with_reps_or_groups(
    rep, teammate, team, november, extra_reps, django_assert_num_queries
):
    reps = [rep, teammate] + [UserFactory(team=team) for _ in range(extra_reps)]
    _all_kinds_and_history(reps)
    kpis = list(Kpi.objects.all())
    groups = {person.pk: [person.pk] for person in reps} | {"team": [p.pk for p in reps]}
    CompanySettings.load()

    # One query per figure family (metric totals and ratios share one: 6) and one for the
    # holidays, for 5 reps or 50.
    with django_assert_num_queries(7):
        values = evaluate_kpis(kpis, groups=groups, **NOV)

    assert len(values) == len(kpis) * len(groups)
    # 10 calls per rep over November's 2.6 weeks over, per week:
    assert values[(Kpi.objects.get(key="calls-per-week").pk, "team")].value == D("3.85")


def test_a_single_group_summed_by_the_database_reads_as_with_its_reps(
    rep, teammate, team, november, django_assert_num_queries
):
    """A company or division is one group: summed in SQL, from ids or a queryset of reps,
    every kind reads exactly as when the same group is measured beside its reps."""
    reps = [rep, teammate, UserFactory(team=team)]
    _all_kinds_and_history(reps)
    log(rep, "calls", nov(10), 7)  # reps differ, so an average over them is not one rep's
    log(teammate, "sales-closed", nov(4), 2)
    log(teammate, "appointments-set", nov(4), 5)
    plan(teammate, nov(16), PlanStatus.SUBMITTED, submitted=True, calls=30)
    for owner, amount in ((rep, "1000"), (teammate, "3000")):
        deal = DealFactory(owner=owner, amount=D(amount))
        walk(deal, [("lead", at(nov(2))), ("proposal", at(nov(5))), ("won", at(nov(9)))], by=owner)
    kpis = list(Kpi.objects.all())
    ids = [p.pk for p in reps]
    beside_reps = evaluate_kpis(kpis, groups={"all": ids} | {p.pk: [p.pk] for p in reps}, **NOV)
    from_ids = evaluate_kpis(kpis, groups={"all": ids}, **NOV)
    # Six families and how many reps there are (the holidays are cached by now).
    with django_assert_num_queries(7):
        from_queryset = evaluate_kpis(kpis, groups={"all": User.objects.filter(pk__in=ids)}, **NOV)

    def figures(values):
        return {
            k.key: (v.value, v.numerator, v.denominator, v.status)
            for k in kpis
            for v in [values[(k.pk, "all")]]
        }

    expected = figures(beside_reps)
    assert figures(from_ids) == expected
    assert figures(from_queryset) == expected
    assert all(value is not None for value, *_ in expected.values())
    # 37 calls over 3 reps over 2.6 weeks: 4.74 per rep per week
    assert expected["calls-per-week"][:3] == (D("4.74"), D("37.00"), D("3.00"))


def test_a_single_group_without_reps_measures_nothing(db):
    kpis = list(Kpi.objects.all())
    for members in ([], User.objects.none()):
        values = evaluate_kpis(kpis, groups={"nobody": members}, **NOV)
        assert {values[(k.pk, "nobody")].value for k in kpis} == {None}


def test_query_count_for_all_periods_is_fixed(rep, november):
    CompanySettings.load()
    with CaptureQueriesContext(connection) as captured:
        evaluate_current(list(Kpi.objects.all()), groups={"me": [rep.pk]}, as_of=AS_OF)
    # The KPIs (1); the holidays, read once and then from the cache (1); the weekly one's
    # activity (1); the monthly ones' six families (6).
    assert len(captured) == 9


# --- the admin's KPI form -------------------------------------------------------------------------


def kpi_form(**changes):

    data = {
        "key": "new-kpi",
        "name": "New KPI",
        "kind": KpiKind.METRIC_TOTAL,
        "metric": metric("calls").pk,
        "period": KpiPeriod.WEEK,
        "target": "100",
        "amber_threshold": "90",
        "red_threshold": "75",
        "direction": KpiDirection.HIGHER,
        "position": 0,
        "active": True,
    }
    data.update(changes)
    return KpiForm(data={k: v for k, v in data.items() if v is not None})


def test_admin_form_accepts_a_complete_kpi(db):
    assert kpi_form().is_valid()
    held, appointments_set = metric("appointments-held"), metric("appointments-set")
    assert kpi_form(kind=KpiKind.RATIO, metric=held.pk, denominator=appointments_set.pk).is_valid()
    assert kpi_form(
        kind=KpiKind.STAGE_CONVERSION, metric=None, stage=stage("proposal").pk
    ).is_valid()
    assert kpi_form(kind=KpiKind.TASK_ON_TIME_RATE, metric=None).is_valid()
    lower = kpi_form(
        direction=KpiDirection.LOWER, target="5", amber_threshold="10", red_threshold="20"
    )
    assert lower.is_valid()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metric": None}, "metric"),
        ({"kind": KpiKind.RATIO}, "denominator"),
        ({"kind": KpiKind.STAGE_CONVERSION, "metric": None}, "stage"),
        ({"kind": KpiKind.AVG_DEAL_SIZE}, "metric"),  # not used by that kind
        ({"amber_threshold": "70"}, "amber_threshold"),  # amber below red
        ({"amber_threshold": "110"}, "amber_threshold"),  # amber above the target
        ({"direction": KpiDirection.LOWER}, "amber_threshold"),  # thresholds the wrong way
    ],
)
def test_admin_form_refuses_what_the_kind_or_direction_does_not_allow(db, changes, field):
    form = kpi_form(**changes)
    assert not form.is_valid()
    assert field in form.errors


def test_admin_form_refuses_a_ratio_of_a_metric_to_itself(db):
    form = kpi_form(kind=KpiKind.RATIO, denominator=metric("calls").pk)
    assert "denominator" in form.errors
