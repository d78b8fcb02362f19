"""Dashboard figures on hand-built data, as of Wednesday 18 November 2026.

November 2026 has 21 working days (no holidays here); by the 18th, 13 have begun,
so a monthly goal of 100 expects 61.90 and one of 10 expects 6.19. The company
week starts on Monday unless a test says otherwise: the week of the 18th starts
Monday 16 November, and by Wednesday 3 of its 5 working days have begun (0.6).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from activities.models import Deal, Metric
from plans.models import Goal, GoalPeriod, GoalScope, PlanStatus
from reporting.dashboards import selectors as dashboards
from reporting.models import DeviationEpisode
from salesmgmt.models import CompanySettings, User
from tests.factories import ActivityFactory, PlanTargetFactory, UserFactory, WeeklyPlanFactory
from tests.factories.deals import DealFactory, stage

AS_OF = date(2026, 11, 18)
NOV = (date(2026, 11, 1), date(2026, 11, 30))
WEEK = date(2026, 11, 16)


@pytest.fixture
def m(db):
    return {x.key: x for x in Metric.objects.all()}


def goal(rep, metric, target, *, by, period=GoalPeriod.MONTH, start=NOV[0], end=NOV[1]):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric,
        period=period,
        start=start,
        end=end,
        target=Decimal(target),
        created_by=by,
    )


def log(rep, metric, quantity, day=date(2026, 11, 10)):
    return ActivityFactory(rep=rep, metric=metric, day=day, quantity=Decimal(quantity))


# --- Leaderboard ----------------------------------------------------------------------------------


@pytest.fixture
def board(team, manager, m):
    """Five reps of Alpha:

    Bea    calls 150 of 100                           -> 150.0%
    Eve    calls 100 of 100, sales value 500 logged   -> 100.0%
    Al     calls 120 of 100, meetings 8 of 10         -> mean 100.0%, sales value 0
    Cy     calls 50 + 3 of 100 (a weekly goal of 20 calls has the 3) -> 53.0%
    Dee    no monthly goal; this week planned 50 calls (10 done), 10 meetings (9 done)
    """
    names = ["Al", "Bea", "Cy", "Dee", "Eve"]
    reps = {n: UserFactory(first_name=n, last_name="Rep", team=team) for n in names}
    for name, calls in (("Bea", 150), ("Eve", 100), ("Al", 120), ("Cy", 50)):
        goal(reps[name], m["calls"], 100, by=manager)
        log(reps[name], m["calls"], calls)
    goal(reps["Al"], m["meetings"], 10, by=manager)
    log(reps["Al"], m["meetings"], 8)
    log(reps["Eve"], m["sales-value"], 500)
    goal(
        reps["Cy"],
        m["calls"],
        20,
        by=manager,
        period=GoalPeriod.WEEK,
        start=WEEK,
        end=WEEK + timedelta(days=6),
    )
    log(reps["Cy"], m["calls"], 3, day=WEEK)
    plan = WeeklyPlanFactory(rep=reps["Dee"], week_start=WEEK)
    PlanTargetFactory(plan=plan, metric=m["calls"], planned=50)
    PlanTargetFactory(plan=plan, metric=m["meetings"], planned=10)
    log(reps["Dee"], m["calls"], 10, day=WEEK)
    log(reps["Dee"], m["meetings"], 9, day=WEEK + timedelta(days=1))
    return reps


def standings(reps, viewer, metrics):
    reps = sorted(reps.values(), key=lambda r: r.first_name)
    progress = dashboards.reps_goals(viewer, reps, as_of=AS_OF)
    grid = dashboards.week_grid([r.pk for r in reps], WEEK, [x.pk for x in metrics], today=AS_OF)
    return dashboards.leaderboard(
        reps,
        progress,
        dashboards.sales_value_by_rep([r.pk for r in reps], start=NOV[0], end=AS_OF),
        month_start=NOV[0],
        cells_by_rep=dashboards.cells_by_metric(grid, metrics),
    )


def test_leaderboard_ranks_by_mean_attainment_of_the_months_goals(board, manager, m):
    rows = standings(board, manager, [m["calls"], m["meetings"]])
    assert [(s.rep.first_name, s.rank, s.attainment, s.goals) for s in rows] == [
        ("Bea", 1, Decimal("150.0"), 1),
        ("Eve", 2, Decimal("100.0"), 1),  # ties with Al: the same rank; listed first for
        ("Al", 2, Decimal("100.0"), 2),  # its higher sales value
        ("Cy", 4, Decimal("53.0"), 1),  # the weekly goal does not count for the month
        ("Dee", None, None, 0),  # no monthly goal: listed last, unranked
    ]
    assert [s.sales_value for s in rows] == [
        Decimal("0.00"),
        Decimal("500.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    # 4 ranked: the top 2 and the bottom 2 places, but Eve and Al tie across the line
    # (one place each side): equal reps carry the same label, here none.
    assert [s.standing for s in rows] == ["top", "", "", "laggard", ""]


def test_lagging_metric_is_the_lowest_pace_goal_else_the_plan_metric_furthest_behind(
    board, manager, m
):
    by_name = {s.rep.first_name: s for s in standings(board, manager, [m["calls"], m["meetings"]])}
    # Al: calls 120 / 61.90 = 193.9%, meetings 8 / 6.19 = 129.2% -> meetings.
    al = by_name["Al"].lagging
    assert (al.metric.key, al.pace, al.source) == ("meetings", Decimal("129.2"), "goal")
    # Cy: month calls 53 / 61.90 = 85.6%; week calls 3 of 20, 3 of 5 days -> 3 / 12 = 25.0%.
    cy = by_name["Cy"].lagging
    assert (cy.metric.key, cy.pace, cy.source) == ("calls", Decimal("25.0"), "goal")
    # Dee: no goal; plan calls 10 / (50 x 0.6) = 33.3%, meetings 9 / 6 = 150.0%.
    dee = by_name["Dee"].lagging
    assert (dee.metric.key, dee.pace, dee.source) == ("calls", Decimal("33.3"), "plan")


def test_small_teams_have_fewer_top_and_laggard_places(team, manager, m):
    reps = {n: UserFactory(first_name=n, team=team) for n in ("Ann", "Ben", "Cat")}
    for name, calls in (("Ann", 90), ("Ben", 80), ("Cat", 70)):
        goal(reps[name], m["calls"], 100, by=manager)
        log(reps[name], m["calls"], calls)
    rows = standings(reps, manager, [m["calls"]])
    assert [(s.rep.first_name, s.standing) for s in rows] == [
        ("Ann", "top"),
        ("Ben", ""),
        ("Cat", "laggard"),
    ]


@pytest.mark.parametrize(
    "calls, expected",
    [
        # Four at 0.0% below one at 50%: the bottom 2 places cut the tie, which is mostly
        # lagging, so all four lag (the page showed three "lagging" and a fourth not).
        (
            (50, 0, 0, 0, 0),
            [(1, "top"), (2, "laggard"), (2, "laggard"), (2, "laggard"), (2, "laggard")],
        ),
        # Everyone equal: nobody is top or lagging.
        ((70, 70, 70, 70), [(1, ""), (1, ""), (1, ""), (1, "")]),
        # 80.04% and 80.01% both read 80.0%: a tie as shown.
        ((8004, 8001, 7000, 6000), [(1, "top"), (1, "top"), (3, "laggard"), (4, "laggard")]),
    ],
)
def test_ties_share_their_rank_and_their_label(team, manager, m, calls, expected):
    reps = {f"R{i}": UserFactory(first_name=f"R{i}", team=team) for i in range(len(calls))}
    for rep, logged in zip(reps.values(), calls, strict=True):
        goal(rep, m["calls"], 10000 if max(calls) > 1000 else 100, by=manager)
        log(rep, m["calls"], logged)
    rows = standings(reps, manager, [m["calls"]])
    assert [(s.rank, s.standing) for s in rows] == expected


def test_team_leaderboard_for_a_rep_ignores_what_the_rep_may_not_see(board, m):
    """A rep sees their team's ranking (DESIGN: "team leaderboard") though not their
    teammates' goals."""
    bea = board["Bea"]
    assert not Goal.objects.visible_to(bea).filter(rep=board["Al"]).exists()
    rows = dashboards.team_leaderboard(User.objects.reps().filter(team=bea.team), today=AS_OF)
    assert [(s.rep.first_name, s.rank) for s in rows] == [
        ("Bea", 1),
        ("Al", 2),  # tied at 100%: the same rank; no sales-value order here, names decide
        ("Eve", 2),
        ("Cy", 4),
        ("Dee", None),
    ]


# --- Weekly trend -------------------------------------------------------------------------------


@pytest.fixture
def trend_data(rep, m):
    # Saturday 14, Sunday 15, Monday 16 November; and 12 weeks back, out of range.
    log(rep, m["calls"], 1, day=date(2026, 11, 14))
    log(rep, m["calls"], 10, day=date(2026, 11, 15))
    log(rep, m["calls"], 100, day=date(2026, 11, 16))
    log(rep, m["calls"], 1000, day=date(2026, 8, 1))
    log(rep, m["meetings"], 4, day=date(2026, 11, 17))


def test_trend_buckets_follow_a_monday_week(rep, m, trend_data):
    plan = WeeklyPlanFactory(rep=rep, week_start=WEEK)
    PlanTargetFactory(plan=plan, metric=m["calls"], planned=120)
    trend = dashboards.weekly_trend([rep.pk], [m["calls"], m["meetings"]], today=AS_OF)
    assert len(trend.weeks) == 12
    assert (trend.weeks[0], trend.weeks[-1]) == (date(2026, 8, 31), WEEK)
    calls, meetings = trend.series
    assert calls.actual[-2:] == [Decimal("11"), Decimal("100")]  # Sat + Sun, then Mon
    assert sum(calls.actual[:-2]) == 0
    assert calls.planned[-1] == Decimal("120") and calls.planned[-2] is None
    assert meetings.actual[-1] == Decimal("4")
    assert trend.labels()[-1] == "16 Nov (so far)"


def test_trend_buckets_follow_a_sunday_week(rep, m, trend_data):
    company = CompanySettings.load()
    company.week_start = 6  # Sunday
    company.save()
    trend = dashboards.weekly_trend([rep.pk], [m["calls"]], today=AS_OF)
    assert trend.weeks[-1] == date(2026, 11, 15)
    assert trend.weeks[-2] == date(2026, 11, 8)
    (calls,) = trend.series
    assert calls.actual[-2:] == [Decimal("1"), Decimal("110")]  # Sat alone, then Sun + Mon


def test_trend_chart_puts_money_on_its_own_axis(rep, m):
    trend = dashboards.weekly_trend([rep.pk], [m["calls"], m["sales-value"]], today=AS_OF)
    chart = trend.chart(planned=False)
    assert chart["type"] == "line"
    assert [d["label"] for d in chart["data"]["datasets"]] == ["Calls", "Sales value"]
    assert chart["data"]["datasets"][1]["yAxisID"] == "money"
    assert "money" in chart["options"]["scales"]
    assert chart["data"]["datasets"][0]["data"] == [0.0] * 12


# --- My week, pipeline, plan status, alerts -------------------------------------------------------


def test_rep_week_shows_focus_metrics_and_the_plans_other_numbers(rep, m):
    plan = WeeklyPlanFactory(rep=rep, week_start=WEEK)
    PlanTargetFactory(plan=plan, metric=m["calls"], planned=50)
    PlanTargetFactory(plan=plan, metric=m["upsells"], planned=4)
    log(rep, m["calls"], 36, day=WEEK)
    week = dashboards.rep_week(rep, WEEK, [m["calls"], m["meetings"]], today=AS_OF)
    assert week.plan == plan and week.progress == Decimal("0.6")
    rows = {r.metric.key: r for r in week.rows}
    assert list(rows) == ["calls", "meetings", "upsells"]
    calls = rows["calls"]
    assert (calls.planned, calls.actual, calls.expected) == (
        Decimal("50"),
        Decimal("36"),
        Decimal("30.0"),
    )
    assert (calls.attainment, calls.pace) == (Decimal("72.0"), "good")
    assert rows["meetings"].planned is None and rows["meetings"].attainment is None
    assert rows["upsells"].pace == "low"


def test_open_pipeline_by_stage(rep, teammate):
    DealFactory(owner=rep, stage=stage("proposal"), amount=Decimal("1000"))  # 55%
    DealFactory(owner=rep, stage=stage("proposal"), amount=Decimal("500"), probability=90)
    DealFactory(owner=rep, stage=stage("lead"), amount=Decimal("200"))  # 5%
    DealFactory(owner=rep, stage=stage("won"), amount=Decimal("9999"))
    DealFactory(owner=teammate, stage=stage("lead"), amount=Decimal("7777"))
    lines = dashboards.rep_dashboard(rep, rep).pipeline
    assert [(s.stage, s.count, s.amount, s.weighted) for s in lines] == [
        ("Lead", 1, Decimal("200.00"), Decimal("10.00")),
        ("Proposal", 2, Decimal("1500.00"), Decimal("1000.00")),  # 550 + 450
    ]
    assert Deal.objects.count() == 5


def test_plan_status_by_week(rep, teammate, team):
    third = UserFactory(team=team)
    nxt = WEEK + timedelta(weeks=1)
    WeeklyPlanFactory(rep=rep, week_start=WEEK, status=PlanStatus.SUBMITTED)
    WeeklyPlanFactory(rep=teammate, week_start=WEEK, status=PlanStatus.APPROVED)
    WeeklyPlanFactory(rep=rep, week_start=nxt)
    counts = dashboards.plan_status_by_week([rep.pk, teammate.pk, third.pk], [WEEK, nxt])
    assert counts[WEEK] == {"draft": 0, "submitted": 1, "approved": 1, "returned": 0, "none": 1}
    assert counts[nxt] == {"draft": 1, "submitted": 0, "approved": 0, "returned": 0, "none": 2}


def test_weeks_between_follow_the_company_week(db):
    assert dashboards.weeks_between(date(2026, 11, 1), date(2026, 11, 30)) == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]


def test_metric_totals(rep, teammate, m):
    log(rep, m["calls"], 5, day=NOV[0])
    log(rep, m["calls"], 7, day=NOV[1])
    log(rep, m["calls"], 100, day=date(2026, 12, 1))
    log(teammate, m["calls"], 1000, day=NOV[0])
    assert dashboards.metric_totals([rep.pk], start=NOV[0], end=NOV[1]) == {
        m["calls"].pk: Decimal("12")
    }


def test_open_alerts_of_a_rep_and_of_a_team(rep, teammate, other_team_rep, team, manager, m):
    def episode(person, severity, closed=None):
        g = goal(person, m["calls"], 100, by=manager)
        return DeviationEpisode.objects.create(
            goal=g,
            rep=person,
            period_start=g.start,
            severity=severity,
            opened_on=date(2026, 11, 10),
            closed_on=closed,
            actual=Decimal("40"),
            expected=Decimal("60"),
        )

    amber = episode(rep, "amber")
    red = episode(teammate, "red")
    episode(other_team_rep, "red")
    closed = goal(rep, m["meetings"], 5, by=manager)
    DeviationEpisode.objects.create(
        goal=closed,
        rep=rep,
        period_start=closed.start,
        severity="red",
        opened_on=date(2026, 11, 2),
        closed_on=date(2026, 11, 5),
        actual=1,
        expected=2,
    )
    assert dashboards.open_alerts(manager, rep=rep) == [amber]
    team_alerts = dashboards.open_alerts(manager, team=team)
    assert team_alerts == [red, amber]  # red first
    assert team_alerts[0].subject == "Calls, November 2026"
    assert dashboards.open_alerts(rep, team=team) == [amber]  # a rep sees only their own
