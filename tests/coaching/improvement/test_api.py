"""Improvement plans on /api/v1/improvement-plans/: scope per role, filters, the plan
with its checkpoints and history, and every write with its errors (400 with the field,
403 for the wrong role, 404 outside scope, 409 on a stale version)."""

from datetime import timedelta

import pytest

from coaching.models import ImprovementPlan, PlanOutcome
from reporting.models import RootCause
from tests.cast import REP_ROWS_SEEN, REPS, ROLES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/improvement-plans/"


def url(plan, tail=""):
    return f"{BASE}{plan.pk}/{tail}"


@pytest.mark.parametrize("who", ROLES)
def test_list_in_scope(plans, cast, api_for, who, django_assert_max_num_queries):
    api = api_for(cast[who])
    with django_assert_max_num_queries(9):
        response = api.get(BASE)
    assert response.status_code == 200
    assert {r["id"] for r in response.data["results"]} == {plans[n].pk for n in REP_ROWS_SEEN[who]}


def test_list_query_count_does_not_grow(cast, open_plan, api_for, django_assert_num_queries):
    api = api_for(cast["admin"])
    open_plan(cast["rep"], cast["manager"])
    api.get(BASE)
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as one:
        api.get(BASE)
    for i in range(6):
        open_plan(cast["teammate"], cast["manager"], reason=f"r{i}")
    with django_assert_num_queries(len(one)):
        assert api.get(BASE).data["count"] == 7


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("owner", REPS)
def test_retrieve_in_scope_or_404(plans, cast, api_for, who, owner):
    response = api_for(cast[who]).get(url(plans[owner]))
    assert response.status_code == (200 if owner in REP_ROWS_SEEN[who] else 404)


def test_retrieve_carries_checkpoints_history_and_version(plans, cast, api_for):
    data = api_for(cast["rep"]).get(url(plans["rep"])).data
    assert data["outcome"] == "open" and data["version"] == 1
    assert data["miss"] == plans["rep"].miss_id and data["review"] == plans["rep"].review_id
    assert [c["what"] for c in data["checkpoints"]] == ["Call review", "Month figures"]
    assert data["next_checkpoint"] == data["checkpoints"][0]["due"]
    assert [(h["kind"], h["by_name"]) for h in data["history"]] == [("opened", "Maria Manager")]


def test_filters(plans, cast, api_for):
    api = api_for(cast["admin"])
    assert api.get(BASE, {"status": "open"}).data["count"] == 4
    assert api.get(BASE, {"status": "closed"}).data["count"] == 0
    rows = api.get(BASE, {"rep": cast["south_rep"].pk}).data["results"]
    assert [r["id"] for r in rows] == [plans["south_rep"].pk]
    assert api.get(BASE, {"team": cast["rep"].team_id}).data["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "nonsense"}, "status"), ({"rep": "abc"}, "rep"), ({"team": "999999"}, "team")],
)
def test_bad_filters_are_400_with_the_field(plans, cast, api_for, query, field):
    response = api_for(cast["manager"]).get(BASE, query)
    assert response.status_code == 400 and field in response.data["errors"]


def test_rep_filter_outside_scope_is_400(plans, cast, api_for):
    response = api_for(cast["manager"]).get(BASE, {"rep": cast["south_rep"].pk})
    assert response.status_code == 400 and "rep" in response.data["errors"]


# --- Opening ------------------------------------------------------------------------------------


def _body(today, **extra):
    body = {
        "goals_text": "Reach 40 calls a month",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        "checkpoints": [{"due": (today + timedelta(days=14)).isoformat(), "what": "Call review"}],
    }
    return body | extra


def test_manager_opens_a_plan_from_a_miss(cast, make_miss, api_for, today):
    miss = make_miss(cast["rep"], cause=RootCause.EFFORT)
    response = api_for(cast["manager"]).post(BASE, _body(today, miss=miss.pk), format="json")
    assert response.status_code == 201
    assert response.data["rep"] == cast["rep"].pk and response.data["miss"] == miss.pk
    assert response.data["history"][0]["kind"] == "opened"


def test_a_miss_caused_elsewhere_is_400_on_miss(cast, make_miss, api_for, today):
    miss = make_miss(cast["rep"], cause=RootCause.DELIVERY)
    response = api_for(cast["manager"]).post(BASE, _body(today, miss=miss.pk), format="json")
    assert response.status_code == 400
    assert "skill or effort" in response.data["errors"]["miss"][0]


def test_a_miss_outside_scope_does_not_exist(cast, make_miss, api_for, today):
    miss = make_miss(cast["south_rep"])
    response = api_for(cast["manager"]).post(BASE, _body(today, miss=miss.pk), format="json")
    assert response.status_code == 400 and "miss" in response.data["errors"]
    assert not ImprovementPlan.objects.exists()


def test_without_a_miss_rep_and_reason_are_needed(cast, api_for, today):
    api = api_for(cast["manager"])
    assert "rep" in api.post(BASE, _body(today), format="json").data["errors"]
    no_reason = api.post(BASE, _body(today, rep=cast["rep"].pk), format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.data["errors"]
    done = api.post(BASE, _body(today, rep=cast["rep"].pk, reason="Low calls"), format="json")
    assert done.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"checkpoints": []}, "checkpoints"),
        ({"goals_text": ""}, "goals_text"),
        ({"ends_on": "2001-01-01"}, "ends_on"),
        ({"ends_on": "not a date"}, "ends_on"),
        ({"modules": [999999]}, "modules"),
    ],
)
def test_bad_bodies_are_400_with_the_field(cast, api_for, today, change, field):
    body = _body(today, rep=cast["rep"].pk, reason="x") | change
    response = api_for(cast["manager"]).post(BASE, body, format="json")
    assert response.status_code == 400 and field in response.data["errors"], response.data
    assert not ImprovementPlan.objects.exists()


def test_a_rep_cannot_open_a_plan(cast, api_for, today):
    body = _body(today, rep=cast["rep"].pk, reason="x")
    assert api_for(cast["rep"]).post(BASE, body, format="json").status_code == 403


# --- Writes on a plan ---------------------------------------------------------------------------


def test_partial_update_needs_the_version_and_refuses_a_stale_one(plans, cast, api_for):
    api, plan = api_for(cast["manager"]), plans["rep"]
    assert "version" in api.patch(url(plan), {"goals_text": "x"}, format="json").data["errors"]
    ok = api.patch(url(plan), {"version": 1, "goals_text": "Reach 45"}, format="json")
    assert ok.status_code == 200 and ok.data["version"] == 2
    assert ok.data["history"][-1]["kind"] == "changed"
    stale = api.patch(url(plan), {"version": 1, "goals_text": "Other"}, format="json")
    assert stale.status_code == 409
    plan.refresh_from_db()
    assert plan.goals_text == "Reach 45"


def test_rep_acknowledges_and_comments(plans, cast, api_for):
    api, plan = api_for(cast["rep"]), plans["rep"]
    ack = api.post(url(plan, "acknowledge/"), {"version": 1, "comment": "OK"}, format="json")
    assert ack.status_code == 200 and ack.data["acknowledged_at"]
    again = api.post(url(plan, "acknowledge/"), {"version": 2}, format="json")
    assert again.status_code == 400
    comment = api.post(url(plan, "comment/"), {"version": 2, "comment": "Booked"}, format="json")
    assert comment.status_code == 200 and comment.data["rep_comment"] == "Booked"
    empty = api.post(url(plan, "comment/"), {"version": 3, "comment": ""}, format="json")
    assert empty.status_code == 400 and "comment" in empty.data["errors"]


def test_manager_adds_and_records_checkpoints(plans, cast, api_for, today):
    api, plan = api_for(cast["manager"]), plans["rep"]
    due = (today + timedelta(days=20)).isoformat()
    added = api.post(url(plan, "checkpoints/"), {"version": 1, "due": due, "what": "Debrief"})
    assert added.status_code == 201 and len(added.data["checkpoints"]) == 3
    outside = api.post(
        url(plan, "checkpoints/"), {"version": 2, "due": "2099-01-01", "what": "Late"}
    )
    assert outside.status_code == 400 and "due" in outside.data["errors"]
    first = plan.checkpoints.first()
    done = api.patch(
        url(plan, f"checkpoints/{first.pk}/"),
        {"version": 2, "result": "Better", "done": True},
        format="json",
    )
    assert done.status_code == 200
    row = next(c for c in done.data["checkpoints"] if c["id"] == first.pk)
    assert row["result"] == "Better" and row["done_at"]
    assert done.data["history"][-1]["kind"] == "checkpoint"
    other = plans["teammate"].checkpoints.first()
    missing = api.patch(url(plan, f"checkpoints/{other.pk}/"), {"version": 3}, format="json")
    assert missing.status_code == 404


def test_extend_and_close(plans, cast, api_for):
    api, plan = api_for(cast["manager"]), plans["rep"]
    later = (plan.ends_on + timedelta(days=10)).isoformat()
    extended = api.post(url(plan, "extend/"), {"version": 1, "ends_on": later})
    assert extended.status_code == 200 and extended.data["outcome"] == PlanOutcome.EXTENDED
    bad = api.post(url(plan, "close/"), {"version": 2, "outcome": "extended", "note": "x"})
    assert bad.status_code == 400 and "outcome" in bad.data["errors"]
    closed = api.post(url(plan, "close/"), {"version": 2, "outcome": "not_met", "note": "No."})
    assert closed.status_code == 200 and closed.data["outcome"] == "not_met"
    after = api.post(url(plan, "extend/"), {"version": 3, "ends_on": later})
    assert after.status_code == 400


def test_stale_versions_are_409_on_every_action(plans, cast, api_for, today):
    plan = plans["rep"]
    api_for(cast["manager"]).patch(url(plan), {"version": 1, "support_text": "x"}, format="json")
    first = plan.checkpoints.first()
    for who, method, tail, body in (
        ("rep", "post", "acknowledge/", {}),
        ("rep", "post", "comment/", {"comment": "x"}),
        ("manager", "post", "extend/", {"ends_on": "2099-01-01"}),
        ("manager", "post", "close/", {"outcome": "met", "note": "x"}),
        ("manager", "post", "checkpoints/", {"due": today.isoformat(), "what": "x"}),
        ("manager", "patch", f"checkpoints/{first.pk}/", {"done": True}),
    ):
        response = getattr(api_for(cast[who]), method)(
            url(plan, tail), {"version": 1, **body}, format="json"
        )
        assert response.status_code == 409, tail
