"""Dashboard figures on /api/v1/dashboards/: who may read which, and the numbers.

The cast: North has Alpha (manager; rep Rita, teammate Tom) and Beta (other_manager;
other_team_rep), led by the director; South has Gamma (south_manager; south_rep).
The figures are pinned on March 2024 (21 working days), read after it ended.
"""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope, PlanStatus
from tests.cast import ROLES
from tests.factories import ActivityFactory, PlanTargetFactory, WeeklyPlanFactory

REPS = {"rep", "teammate", "other_team_rep", "south_rep"}
SEES_RITA = {"rep", "manager", "director", "admin"}
LEADS_ALPHA = {"manager", "director", "admin"}
NOT_FOUND = {"status": 404, "code": "not_found"}
MARCH = {"start": "2024-03-01", "end": "2024-03-31"}


def rep_url(pk):
    return f"/api/v1/dashboards/rep/{pk}/"


def team_url(pk):
    return f"/api/v1/dashboards/team/{pk}/"


@pytest.mark.parametrize("role", ROLES)
def test_rep_dashboard_of_rita_by_role(cast, api_for, role):
    response = api_for(cast[role]).get(rep_url(cast["rep"].pk))
    if role in SEES_RITA:
        assert response.status_code == 200
        assert response.json()["rep"]["id"] == cast["rep"].pk
    else:
        assert response.status_code == 404
        assert NOT_FOUND.items() <= response.json().items()


@pytest.mark.parametrize("role", ROLES)
def test_team_dashboard_of_alpha_by_role(cast, team, api_for, role):
    response = api_for(cast[role]).get(team_url(team.pk))
    assert response.status_code == (200 if role in LEADS_ALPHA else 404)
    if response.status_code == 200:
        assert response.json()["team"] == {"id": team.pk, "name": "Alpha", "division": "North"}


@pytest.mark.parametrize("role", ROLES)
def test_my_dashboard_is_for_reps(cast, api_for, role):
    response = api_for(cast[role]).get("/api/v1/dashboards/me/")
    if role in REPS:
        assert response.status_code == 200
        assert response.json()["rep"]["id"] == cast[role].pk
    else:
        assert response.status_code == 404


def test_anonymous_gets_401(db, client):
    assert client.get("/api/v1/dashboards/me/").status_code in (401, 403)


def test_director_cannot_read_a_south_team_or_rep(cast, south_team, api_for):
    api = api_for(cast["director"])
    assert api.get(team_url(south_team.pk)).status_code == 404
    assert api.get(rep_url(cast["south_rep"].pk)).status_code == 404


def test_managers_and_directors_are_not_reps(cast, api_for):
    assert api_for(cast["admin"]).get(rep_url(cast["manager"].pk)).status_code == 404


# --- Figures ----------------------------------------------------------------------------------------


@pytest.fixture
def march(cast, team, manager):
    """Rita: calls 80 of 100, meetings 12 of 10 (so 100.0% mean), sales value 500;
    Tom: calls 50 of 100. Rita submitted her plan for the week of 4 March; Tom
    had his approved."""
    m = {x.key: x for x in Metric.objects.all()}
    rita, tom = cast["rep"], cast["teammate"]

    def goal(person, metric, target):
        return Goal.objects.create(
            scope=GoalScope.REP,
            rep=person,
            metric=metric,
            period=GoalPeriod.MONTH,
            start=date(2024, 3, 1),
            end=date(2024, 3, 31),
            target=Decimal(target),
            created_by=manager,
        )

    goal(rita, m["calls"], 100)
    goal(rita, m["meetings"], 10)
    goal(tom, m["calls"], 100)
    for person, metric, qty, day in (
        (rita, "calls", 80, 5),
        (rita, "meetings", 12, 6),
        (rita, "sales-value", 500, 7),
        (tom, "calls", 50, 8),
        (rita, "calls", 999, 32),  # 1 April: outside the range
    ):
        ActivityFactory(
            rep=person,
            metric=m[metric],
            quantity=qty,
            day=date(2024, 3, day) if day <= 31 else date(2024, 4, 1),
        )
    plan = WeeklyPlanFactory(rep=rita, week_start=date(2024, 3, 4), status=PlanStatus.SUBMITTED)
    PlanTargetFactory(plan=plan, metric=m["calls"], planned=40)
    WeeklyPlanFactory(rep=tom, week_start=date(2024, 3, 4), status=PlanStatus.APPROVED)
    return m


def test_rep_dashboard_figures(cast, march, api_for):
    body = api_for(cast["manager"]).get(rep_url(cast["rep"].pk), MARCH).json()
    assert body["range"] == {"start": "2024-03-01", "end": "2024-03-31", "as_of": "2024-03-31"}
    totals = {t["metric"]: t["total"] for t in body["totals"]}
    assert (totals["calls"], totals["meetings"], totals["sales-value"]) == (
        "80.00",
        "12.00",
        "500.00",
    )
    assert totals["leads"] == "0.00"
    goals = {g["metric"]: g for g in body["goals"]}
    calls = goals["calls"]
    assert (calls["target"], calls["actual"], calls["expected"]) == ("100.00", "80.00", "100.00")
    assert (calls["attainment"], calls["pace"], calls["status"]) == ("80.0", "80.0", "amber")
    assert goals["meetings"]["attainment"] == "120.0"
    # Weeks overlapping March 2024 (Monday weeks): 26 Feb ... 25 Mar.
    weeks = [w["week_start"] for w in body["plan_status"]]
    assert weeks == ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]
    assert body["plan_status"][1] == {
        "week_start": "2024-03-04",
        "draft": 0,
        "submitted": 1,
        "approved": 0,
        "returned": 0,
        "none": 0,
    }
    assert body["plan_status"][0]["none"] == 1
    assert body["leaderboard"] == [
        {"rank": 1, "rep": cast["rep"].pk, "name": "Rita Rep", "attainment": "100.0"},
        {"rank": 2, "rep": cast["teammate"].pk, "name": "Tom Teammate", "attainment": "50.0"},
    ]
    assert [c["months"] for c in body["consistency"]] == [6, 12]
    assert body["consistency"][0]["label"] == "too little history"


def test_team_dashboard_figures(cast, team, march, api_for):
    body = api_for(cast["director"]).get(team_url(team.pk), MARCH).json()
    totals = {t["metric"]: t["total"] for t in body["totals"]}
    assert totals["calls"] == "130.00"
    assert [(g["owner"], g["metric"]) for g in body["goals"]] == [
        ("Rita Rep", "calls"),
        ("Rita Rep", "meetings"),
        ("Tom Teammate", "calls"),
    ]
    week = body["plan_status"][1]
    assert (week["submitted"], week["approved"], week["none"]) == (1, 1, 0)
    rita, tom = body["leaderboard"]
    assert rita == {
        "rank": 1,
        "rep": cast["rep"].pk,
        "name": "Rita Rep",
        "attainment": "100.0",
        "standing": "top",
        "goals": 2,
        "sales_value": "500.00",
        "lagging_metric": "calls",
        "lagging_pace": "80.0",
        "lagging_from": "goal",
    }
    assert (tom["rank"], tom["standing"], tom["lagging_metric"], tom["lagging_pace"]) == (
        2,
        "laggard",
        "calls",
        "50.0",
    )
    assert [c["name"] for c in body["consistency"]] == ["Rita Rep", "Tom Teammate"]
    assert body["consistency"][0]["windows"][0]["monthly"] == []


def test_history_enters_consistency(cast, march, api_for):
    """March, read in April: one month with goals, still too little history."""
    body = (
        api_for(cast["rep"])
        .get("/api/v1/dashboards/me/", {"start": "2024-04-01", "end": "2024-04-30"})
        .json()
    )
    six = body["consistency"][0]
    assert six["monthly"] == [{"month": "2024-03-01", "attainment": "100.0"}]
    assert (six["mean"], six["std_dev"], six["label"]) == ("100.0", "0.0", "too little history")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-10-01"}, "end"),
        ({"end": "2026-10-01"}, "start"),
        ({"start": "2026-10-02", "end": "2026-10-01"}, "end"),
        ({"start": "2025-01-01", "end": "2026-10-01"}, "end"),
        ({"start": "not-a-date", "end": "2026-10-01"}, "start"),
    ],
)
def test_bad_ranges_are_400_with_the_field(cast, api_for, params, field):
    response = api_for(cast["rep"]).get("/api/v1/dashboards/me/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_query_count_does_not_grow_with_the_team(
    cast, team, march, api_for, django_assert_max_num_queries
):
    api = api_for(cast["manager"])
    api.get(team_url(team.pk), MARCH)
    with django_assert_max_num_queries(20):
        api.get(team_url(team.pk), MARCH)


def test_a_huge_percent_of_a_tiny_target_is_shown_not_a_500(cast, team, manager, api_for):
    """A 0.01 sales-value target met by 500,000 is 5,000,000,000.0%: more digits than the
    percent fields used to allow, which made DRF answer 500."""
    value = Metric.objects.get(key="sales-value")
    Goal.objects.create(
        scope=GoalScope.REP,
        rep=cast["rep"],
        metric=value,
        period=GoalPeriod.MONTH,
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
        target=Decimal("0.01"),
        created_by=manager,
    )
    ActivityFactory(rep=cast["rep"], metric=value, quantity=500000, day=date(2024, 3, 7))
    api = api_for(manager)

    rep = api.get(rep_url(cast["rep"].pk), MARCH)
    team_body = api.get(team_url(team.pk), MARCH)

    assert (rep.status_code, team_body.status_code) == (200, 200)
    (goal,) = rep.json()["goals"]
    assert goal["attainment"] == "5000000000.0"
    assert team_body.json()["leaderboard"][0]["attainment"] == "5000000000.0"
