"""The rep and team dashboard pages: who sees which, what they show, their CSV
exports, and a query count that does not grow with reps or history.

The cast: North has Alpha (manager; rep Rita, teammate) and Beta (other_manager;
other_team_rep), led by the director; South has Gamma (south_manager; south_rep).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope, PlanStatus
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.calendar import month_of
from salesmgmt.models import CompanySettings
from tests.factories import (
    ActivityFactory,
    PlanTargetFactory,
    TeamFactory,
    UserFactory,
    WeeklyPlanFactory,
)
from tests.factories.deals import DealFactory, stage
from tests.factories.tasks import company_day

ROLES = (
    "rep",
    "teammate",
    "other_team_rep",
    "south_rep",
    "manager",
    "other_manager",
    "south_manager",
    "director",
    "admin",
)
SEES_RITA = {"rep", "manager", "director", "admin"}
LEADS_ALPHA = {"manager", "director", "admin"}
REPS = {"rep", "teammate", "other_team_rep", "south_rep"}


def month_goal(rep, metric, target, *, by, first=None):
    period = month_of(first or company_day())
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric,
        period=GoalPeriod.MONTH,
        start=period.start,
        end=period.end,
        target=Decimal(target),
        created_by=by,
    )


def months_back(n: int):
    """First days of the current month and the n - 1 before it."""
    first = company_day().replace(day=1)
    firsts = []
    for _ in range(n):
        firsts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return firsts


# --- Who sees which page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_rep_page_of_rita_by_role(cast, client_for, role):
    response = client_for(cast[role]).get(reverse("dashboards:rep", args=[cast["rep"].pk]))
    assert response.status_code == (200 if role in SEES_RITA else 404)
    if response.status_code == 200:
        assert response.context["person"] == cast["rep"]


@pytest.mark.parametrize("role", ROLES)
def test_my_dashboard_is_for_reps_others_land_on_their_team(cast, client_for, role):
    response = client_for(cast[role]).get(reverse("dashboards:me"))
    if role in REPS:
        assert response.status_code == 200
        assert response.context["person"] == cast[role] and response.context["is_self"]
    else:
        assert response.status_code == 302 and response.url == reverse("dashboards:team")


@pytest.mark.parametrize("role", ROLES)
def test_team_page_of_alpha_by_role(cast, team, other_team, south_team, client_for, role):
    response = client_for(cast[role]).get(reverse("dashboards:team"), {"team": team.pk})
    if role in REPS:
        assert response.status_code == 302 and response.url == reverse("dashboards:me")
    elif role in LEADS_ALPHA:
        assert response.status_code == 200 and response.context["team"] == team
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "role, teams",
    [
        ("manager", ["Alpha"]),
        ("other_manager", ["Beta"]),
        ("south_manager", ["Gamma"]),
        ("director", ["Alpha", "Beta"]),
        ("admin", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_team_switcher_offers_the_teams_one_leads(
    cast, team, other_team, south_team, client_for, role, teams
):
    response = client_for(cast[role]).get(reverse("dashboards:team"))
    assert response.status_code == 200
    assert [t.name for t in response.context["teams"]] == teams
    assert response.context["team"].name == teams[0]


def test_team_page_without_a_team(client_for, db):
    lonely = UserFactory(role="manager")
    response = client_for(lonely).get(reverse("dashboards:team"))
    assert response.status_code == 200 and b"You do not lead a team yet" in response.content


def test_team_page_rejects_a_team_that_is_not_a_number(cast, client_for):
    response = client_for(cast["admin"]).get(reverse("dashboards:team"), {"team": "x"})
    assert response.status_code == 404


# --- What the pages show ------------------------------------------------------------------------


@pytest.fixture
def alpha_month(cast, team, manager):
    """Rita: calls 30 of 100 this month (an open amber alert); Tom: calls 60 of 100 and
    a submitted plan for this week."""
    calls = Metric.objects.get(key="calls")
    rita, tom = cast["rep"], cast["teammate"]
    day = company_day().replace(day=1)
    rita_goal = month_goal(rita, calls, 100, by=manager)
    month_goal(tom, calls, 100, by=manager)
    ActivityFactory(rep=rita, metric=calls, day=day, quantity=30)
    ActivityFactory(rep=tom, metric=calls, day=day, quantity=60)
    plan = WeeklyPlanFactory(rep=tom, status=PlanStatus.SUBMITTED)
    PlanTargetFactory(plan=plan, metric=calls, planned=40)
    DeviationEpisode.objects.create(
        goal=rita_goal,
        rep=rita,
        period_start=rita_goal.start,
        severity="amber",
        opened_on=day,
        actual=30,
        expected=50,
    )
    DealFactory(owner=rita, stage=stage("proposal"), amount=Decimal("1000"))
    return {"calls": calls, "plan": plan}


def test_team_page_figures(cast, team, alpha_month, client_for):
    response = client_for(cast["manager"]).get(reverse("dashboards:team"))
    ctx = response.context
    assert [(s.rep.first_name, s.rank, s.attainment) for s in ctx["leaderboard"]] == [
        ("Tom", 1, Decimal("60.0")),
        ("Rita", 2, Decimal("30.0")),
    ]
    assert [s.standing for s in ctx["leaderboard"]] == ["top", "laggard"]
    lagging = ctx["leaderboard"][1].lagging  # None only while nothing is expected yet
    assert lagging is None or lagging.metric.key == "calls"
    assert ctx["counts"]["submitted"] == 1 and ctx["counts"]["none"] == 1
    assert [e.rep for e in ctx["alerts"]] == [cast["rep"]]
    body = response.content.decode()
    assert reverse("dashboards:rep", args=[cast["rep"].pk]) in body
    assert 'data-chart="team-trend-chart"' in body and 'id="team-trend-chart"' in body


def test_rep_page_figures(cast, alpha_month, client_for):
    response = client_for(cast["rep"]).get(reverse("dashboards:me"))
    ctx = response.context
    (progress,) = ctx["goals"]
    assert (progress.goal.rep, progress.actual) == (cast["rep"], Decimal("30.00"))
    assert [(s.pipeline, s.stage, s.count) for s in ctx["pipeline"]] == [
        ("New business", "Proposal", 1)
    ]
    assert ctx["pipeline"].weighted == Decimal("550.00")
    # The team leaderboard: names, ranks and attainment only.
    assert [(s.rep.first_name, s.rank) for s in ctx["leaderboard"]] == [("Tom", 1), ("Rita", 2)]
    body = response.content.decode()
    assert "60.0%" in body and "Sales value" not in body.split('id="leaderboard"')[1]
    assert [e.subject for e in ctx["alerts"]] == [f"Calls, {month_of(company_day()).label}"]
    assert 'id="rep-trend-chart"' in body and 'id="consistency-chart"' not in body


def test_manager_sees_the_rep_page_of_their_rep_with_a_link_to_the_pipeline(
    cast, alpha_month, client_for
):
    rita = cast["rep"]
    response = client_for(cast["manager"]).get(reverse("dashboards:rep", args=[rita.pk]))
    assert response.context["pipeline_url"] == f"{reverse('deals:pipeline')}?rep={rita.pk}"
    assert not response.context["is_self"]


def test_rep_page_week_parameter(cast, client_for):
    week = CompanySettings.load().week_of(company_day()) - timedelta(weeks=3)
    response = client_for(cast["rep"]).get(
        reverse("dashboards:me"), {"week": (week + timedelta(days=2)).isoformat()}
    )
    assert response.context["my_week"].week == week


# --- CSV exports ---------------------------------------------------------------------------------

TEAM_EXPORTS = {
    "plan-status": "team,week_start,status,reps",
    "grid": "team,week_start,rep,plan_status,metric,planned,actual,attainment_percent,pace",
    "goals": "owner,scope,metric,period,start,end,target,stretch_target,actual,expected,",
    "leaderboard": "rank,rep,standing,attainment_percent,month_goals,sales_value,lagging_metric",
    "funnel": "team,pipeline,period_start,period_end,stage,entered,advanced,conversion_percent",
    "trend": "who,week_start,metric,actual,planned",
    "alerts": "rep,team,subject,severity,opened_on,worsened_on,actual,expected",
    "consistency": "rep,window_months,month,attainment_percent,mean_percent,std_dev,",
}
REP_EXPORTS = {
    "week": "rep,week_start,metric,planned,expected_by_today,actual,attainment_percent,pace",
    "goals": "owner,scope,metric,period,start,end,target,stretch_target,actual,expected,",
    "pipeline": "rep,pipeline,stage,open_deals,amount,weighted",
    "trend": "who,week_start,metric,actual,planned",
    "consistency": "rep,window_months,month,attainment_percent,mean_percent,std_dev,",
    "alerts": "rep,team,subject,severity,opened_on,worsened_on,actual,expected",
    "leaderboard": "rank,rep,attainment_percent",
}


def _csv(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return b"".join(response.streaming_content).decode().splitlines()


@pytest.mark.parametrize("name", TEAM_EXPORTS)
def test_every_team_table_exports(cast, team, alpha_month, client_for, name):
    lines = _csv(client_for(cast["manager"]).get(reverse("dashboards:team"), {"export": name}))
    assert lines[0].startswith(TEAM_EXPORTS[name])
    assert len(lines) > 1


@pytest.mark.parametrize("name", REP_EXPORTS)
def test_every_rep_table_exports(cast, alpha_month, client_for, name):
    url = reverse("dashboards:rep", args=[cast["rep"].pk])
    lines = _csv(client_for(cast["manager"]).get(url, {"export": name}))
    assert lines[0].startswith(REP_EXPORTS[name])
    assert len(lines) > 1


def test_export_figures_and_formula_injection(cast, team, manager, alpha_month, client_for):
    cast["teammate"].first_name = "=HYPERLINK(1)"
    cast["teammate"].save()
    lines = _csv(
        client_for(cast["manager"]).get(reverse("dashboards:team"), {"export": "leaderboard"})
    )
    assert lines[1].startswith("1,'=HYPERLINK(1) Teammate,top,60.0,1,0.00,")
    assert lines[2].startswith("2,Rita Rep,laggard,30.0,1,0.00,")


def test_unknown_export_is_404(cast, client_for):
    client = client_for(cast["manager"])
    assert client.get(reverse("dashboards:team"), {"export": "nope"}).status_code == 404
    url = reverse("dashboards:rep", args=[cast["rep"].pk])
    assert client.get(url, {"export": "nope"}).status_code == 404


def test_rep_cannot_export_a_teammates_page(cast, client_for):
    url = reverse("dashboards:rep", args=[cast["teammate"].pk])
    assert client_for(cast["rep"]).get(url, {"export": "goals"}).status_code == 404


# --- Query counts -------------------------------------------------------------------------------


def build_team(name, manager, *, reps: int, months: int):
    """A team with ``reps`` reps, each with ``months`` months of monthly goals and
    activity, a plan for this week, an open deal, and an open alert."""
    team = TeamFactory(name=name, manager=manager)
    calls = Metric.objects.get(key="calls")
    value = Metric.objects.get(key="sales-closed")
    people = [UserFactory(team=team) for _ in range(reps)]
    for person in people:
        for first in months_back(months):
            g = month_goal(person, calls, 100, by=manager, first=first)
            month_goal(person, value, 4, by=manager, first=first)
            ActivityFactory(rep=person, metric=calls, day=first, quantity=70)
        plan = WeeklyPlanFactory(rep=person, status=PlanStatus.APPROVED)
        PlanTargetFactory(plan=plan, metric=calls, planned=50)
        DealFactory(owner=person, stage=stage("proposal"))
        DeviationEpisode.objects.create(
            goal=g,
            rep=person,
            period_start=g.start,
            severity="red",
            opened_on=g.start,
            actual=1,
            expected=2,
        )
    return team, people


def count_queries(client, url, params=None) -> int:
    client.get(url, params)  # warm the settings cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx)


def test_query_counts_do_not_grow_with_reps_or_history(admin, manager, client_for):
    small, small_reps = build_team("Small", manager, reps=5, months=1)
    big, big_reps = build_team("Big", manager, reps=50, months=12)
    client = client_for(admin)
    team_url = reverse("dashboards:team")
    small_team = count_queries(client, team_url, {"team": small.pk})
    big_team = count_queries(client, team_url, {"team": big.pk})
    assert small_team == big_team
    small_rep = count_queries(client, reverse("dashboards:rep", args=[small_reps[0].pk]))
    big_rep = count_queries(client, reverse("dashboards:rep", args=[big_reps[0].pk]))
    assert small_rep == big_rep


def test_pages_stay_within_their_query_budget(
    cast, team, alpha_month, client_for, django_assert_max_num_queries
):
    manager = client_for(cast["manager"])
    manager.get(reverse("dashboards:team"))
    # 23 of the dashboard, 9 of coaching's panels (coverage 3, recognition 4, training 1,
    # improvement plans 1; each holds its count as data grows in tests/coaching/).
    with django_assert_max_num_queries(32):
        manager.get(reverse("dashboards:team"))
    rep = client_for(cast["rep"])
    with django_assert_max_num_queries(26):
        rep.get(reverse("dashboards:me"))


def test_alerts_show_their_figures_in_the_subjects_unit(cast, team, client_for):
    """A percent KPI reads 50.0% / 90.0% and a money one USD 2,350.00, not bare numbers."""
    rita = cast["rep"]
    on_time = Kpi.objects.get(kind="task_on_time_rate")
    deal_size = Kpi.objects.get(kind="avg_deal_size")
    for kpi, actual, expected in ((on_time, 50, 90), (deal_size, 2350, 3000)):
        DeviationEpisode.objects.create(
            kpi=kpi,
            rep=rita,
            period_start=company_day().replace(day=1),
            severity="red",
            opened_on=company_day(),
            actual=actual,
            expected=expected,
        )
    currency = CompanySettings.load().currency
    for viewer, url in (
        (cast["rep"], reverse("dashboards:me")),
        (cast["manager"], reverse("dashboards:team")),
    ):
        body = client_for(viewer).get(url).content.decode()
        assert "50.0% <small" in body and "/ 90.0%</small>" in body
        assert f"{currency} 2,350.00 <small" in body and f"/ {currency} 3,000.00</small>" in body
