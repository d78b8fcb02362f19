"""Goals through the API: every role of the cast x every endpoint, the computed
figures, writes with their rules (reason, version, 409), history and the reverse funnel.

Figures are computed as_of Wednesday 18 November 2026, today (12 of 20 working days
over: the day under way is not due yet; Thanksgiving off).
"""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Metric
from plans.models import Goal, GoalPeriod
from salesmgmt.models import CompanySettings, Holiday
from tests.cast import ROLES
from tests.factories import ActivityFactory, UserFactory

TODAY = date(2026, 11, 18)
SEES_RITAS = {"rep", "manager", "director", "admin"}
WRITES_RITAS = {"manager", "director", "admin"}
SETS_GOALS = {"manager", "other_manager", "south_manager", "director", "admin"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")


def make_goal(by, target, key="calls", **owner):
    return Goal.objects.create(
        scope=next(iter(owner), "company"),
        metric=Metric.objects.get(key=key),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal(target),
        created_by=by,
        **owner,
    )


@pytest.fixture
def rita_goal(cast):
    calls = Metric.objects.get(key="calls")
    ActivityFactory(rep=cast["rep"], metric=calls, day=date(2026, 11, 2), quantity=60)
    ActivityFactory(rep=cast["rep"], metric=calls, day=date(2026, 11, 18), quantity=57)
    return make_goal(cast["manager"], 200, rep=cast["rep"])


@pytest.mark.parametrize("role", ROLES)
def test_list_and_retrieve_per_role(api_for, cast, rita_goal, role):
    api = api_for(cast[role])
    listed = api.get("/api/v1/goals/")
    one = api.get(f"/api/v1/goals/{rita_goal.pk}/")
    changes = api.get(f"/api/v1/goals/{rita_goal.pk}/changes/")

    assert listed.status_code == 200
    ids = [g["id"] for g in listed.json()["results"]]
    assert ids == ([rita_goal.pk] if role in SEES_RITAS else [])
    expected = 200 if role in SEES_RITAS else 404
    assert (one.status_code, changes.status_code) == (expected, expected)
    if expected == 404:
        assert one.json() == {"status": 404, "code": "not_found", "detail": "Not found."}


@pytest.mark.parametrize("role", ROLES)
def test_update_and_destroy_per_role(api_for, cast, rita_goal, role):
    api = api_for(cast[role])
    url = f"/api/v1/goals/{rita_goal.pk}/"

    patched = api.patch(url, {"target": "150", "reason": "Leave", "version": 1})
    expected = 404 if role not in SEES_RITAS else (200 if role in WRITES_RITAS else 403)
    assert patched.status_code == expected
    rita_goal.refresh_from_db()
    assert rita_goal.target == (Decimal("150") if expected == 200 else Decimal("200"))

    version = 2 if expected == 200 else 1  # removals carry the version read, too
    deleted = api.delete(url, {"reason": "Wrong metric", "version": version})
    assert deleted.status_code == (204 if expected == 200 else expected)
    assert Goal.objects.filter(pk=rita_goal.pk).exists() == (expected != 200)


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(api_for, cast, role):
    body = {
        "scope": "rep",
        "rep": cast["rep"].pk,
        "metric": "calls",
        "period": "month",
        "day": "2026-11-18",
        "target": "100",
    }
    response = api_for(cast[role]).post("/api/v1/goals/", body)
    if role in WRITES_RITAS:
        assert response.status_code == 201
        assert response.json()["start"] == "2026-11-01"
    elif role in SEES_RITAS:  # Rita herself: reps read goals, never set them
        assert response.status_code == 403
    else:  # Rita is not a rep they can name
        assert response.status_code == 400
        assert "rep" in response.json()["errors"]
    assert Goal.objects.exists() == (role in WRITES_RITAS)


def test_list_carries_pace_and_rollup(api_for, cast, team, rita_goal):
    make_goal(cast["manager"], 150, team=team)

    body = api_for(cast["manager"]).get("/api/v1/goals/").json()

    by_scope = {g["scope"]: g for g in body["results"]}
    assert by_scope["rep"]["progress"] == {
        "actual": "117.00",
        "expected": "120.00",
        "attainment": "58.5",
        "pace": "97.5",
        "projection": "195.00",
        "projected_attainment": "97.5",
        "status": "green",
        "remaining": "83.00",
        "working_days_done": 12,
        "working_days_total": 20,
    }
    assert by_scope["rep"]["rollup"] is None
    assert by_scope["team"]["rollup"] == {
        "children_total": "200.00",
        "children_count": 1,
        "gap": "50.00",
        "state": "over",
    }
    assert by_scope["team"]["progress"]["actual"] == "117.00"


def test_as_of_and_filters(api_for, cast, team, rita_goal):
    api = api_for(cast["admin"])
    make_goal(cast["admin"], 10, team=team)
    early = api.get("/api/v1/goals/?as_of=2026-11-02&scope=rep").json()["results"][0]
    assert early["progress"]["actual"] == "60.00"
    assert early["progress"]["working_days_done"] == 1

    def ids(query):
        return [g["id"] for g in api.get(f"/api/v1/goals/{query}").json()["results"]]

    assert ids(f"?rep={cast['rep'].pk}") == [rita_goal.pk]
    assert len(ids(f"?team={team.pk}")) == 2
    assert ids("?current=false") == []
    assert ids("?current=true&as_of=2026-12-01") == []
    assert ids("?metric=sales-closed") == []
    assert api.get("/api/v1/goals/?as_of=soon").status_code == 400


def test_list_queries_do_not_grow_with_goals(api_for, manager, team, django_assert_max_num_queries):
    for _n in range(30):
        make_goal(manager, 10, rep=UserFactory(team=team))
    make_goal(manager, 100, team=team)
    api = api_for(manager)
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/goals/").json()
    assert body["count"] == 31


def test_update_needs_reason_and_current_version(api_for, manager, rita_goal):
    api = api_for(manager)
    url = f"/api/v1/goals/{rita_goal.pk}/"

    missing = api.patch(url, {"target": "150", "version": 1})
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"reason"}

    assert api.patch(url, {"target": "150", "reason": "Leave", "version": 1}).status_code == 200
    stale = api.patch(url, {"target": "140", "reason": "Again", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"

    history = api.get(f"{url}changes/").json()
    assert [(c["action"], c["old_target"], c["new_target"], c["reason"]) for c in history] == [
        ("changed", "200.00", "150.00", "Leave")
    ]


def test_duplicate_and_bad_stretch_are_400(api_for, manager, rep, rita_goal):
    api = api_for(manager)
    body = {"scope": "rep", "rep": rep.pk, "metric": "calls", "period": "month", "target": "5"}
    duplicate = api.post("/api/v1/goals/", body)
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"] == {
        "non_field_errors": [
            "Rita Rep already has a Calls goal for November 2026; change that goal instead."
        ]
    }
    stretch = api.post("/api/v1/goals/", {**body, "period": "week", "stretch_target": "4"})
    assert stretch.json()["errors"] == {"stretch_target": ["A stretch target is above the target."]}


def test_destroy_takes_the_reason_from_the_query_too(api_for, manager, rita_goal):
    api = api_for(manager)
    url = f"/api/v1/goals/{rita_goal.pk}/"
    assert api.delete(url + "?version=1").status_code == 400
    assert api.delete(url + "?reason=Duplicate&version=1").status_code == 204


@pytest.mark.parametrize("role", ROLES)
def test_reverse_funnel_per_role(api_for, cast, role):
    rep = cast["rep"]
    held = Metric.objects.get(key="appointments-held")
    sales = Metric.objects.get(key="sales-closed")
    ActivityFactory(rep=rep, metric=held, day=date(2026, 10, 5), quantity=30)
    ActivityFactory(rep=rep, metric=sales, day=date(2026, 10, 5), quantity=9)
    make_goal(cast["manager"], 12, key="sales-closed", rep=rep)

    response = api_for(cast[role]).get(f"/api/v1/goals/reverse-funnel/?rep={rep.pk}")

    assert response.status_code == (200 if role in SEES_RITAS else 404)
    if response.status_code == 200:
        body = response.json()
        assert (body["sales_needed"], body["weeks_left"]) == (12, 3)
        steps = {s["metric"]: (s["needed"], s["per_week"], s["rate_source"]) for s in body["steps"]}
        assert steps["appointments-held"] == (40, 14, "own")
        assert steps["sales-closed"] == (12, 4, "")


def test_reverse_funnel_defaults_to_the_calling_rep(api_for, rep, manager):
    assert api_for(rep).get("/api/v1/goals/reverse-funnel/").status_code == 404  # no goal
    make_goal(manager, 3, key="sales-closed", rep=rep)
    assert api_for(rep).get("/api/v1/goals/reverse-funnel/").json()["sales_needed"] == 3
    assert api_for(manager).get("/api/v1/goals/reverse-funnel/").status_code == 400


def test_absurd_days_are_400_not_500(api_for, manager, rep):
    """Year 9999 overflowed the week arithmetic; year 1 the 90-day history window."""
    api = api_for(manager)
    body = {
        "scope": "rep",
        "rep": rep.pk,
        "metric": "calls",
        "period": "week",
        "day": "9999-12-31",
        "target": "10",
    }
    created = api.post("/api/v1/goals/", body, format="json")
    funnel = api.get(f"/api/v1/goals/reverse-funnel/?rep={rep.pk}&as_of=0001-01-01")
    listed = api.get("/api/v1/goals/?as_of=0001-01-01")

    assert (created.status_code, funnel.status_code, listed.status_code) == (400, 400, 400)
    assert "day" in created.json()["errors"]
    assert "as_of" in funnel.json()["errors"]
    assert "as_of" in listed.json()["errors"]
    assert not Goal.objects.exists()


def test_a_huge_percent_of_a_tiny_target_is_shown_not_a_500(api_for, manager, rep):
    value = Metric.objects.get(key="sales-value")
    goal = make_goal(manager, "0.01", key="sales-value", rep=rep)
    ActivityFactory(rep=rep, metric=value, day=date(2026, 11, 2), quantity=Decimal("2000"))

    response = api_for(manager).get(f"/api/v1/goals/{goal.pk}/")

    assert response.status_code == 200
    progress = response.json()["progress"]
    assert (progress["attainment"], progress["pace"]) == (
        "20000000.0",
        "20000000.0",
    )  # expected 0.01 to date
