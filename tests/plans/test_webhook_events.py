"""The plans app's webhook events through the API: plan submitted, approved, returned;
goal changed (set, or its target changed). Each is one event about the object, its data
the object as the API shows it."""

from decimal import Decimal

import pytest

from plans.models import Goal, PlanStatus
from salesmgmt.models import WebhookEvent
from salesmgmt.models import WebhookEventType as E
from tests.factories import PlanTargetFactory, WeeklyPlanFactory
from tests.factories.webhooks import as_api_shows, events_of, subscribe, the_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks():
    subscribe(*E.values)
    subscribe(E.DEAL_WON, url="https://other.example.com/in")
    subscribe(*E.values, active=False, url="https://off.example.com/in")


@pytest.fixture
def draft(rep):
    plan = WeeklyPlanFactory(rep=rep)
    PlanTargetFactory(plan=plan)
    return plan


def url(plan, action=""):
    return f"/api/v1/weekly-plans/{plan.pk}/{action + '/' if action else ''}"


def test_plan_submitted(hooks, draft, rep, admin, api_for):
    response = api_for(rep).post(url(draft, "submit"), {"version": 1})
    assert response.status_code == 200, response.data

    event = the_event(E.PLAN_SUBMITTED, object_type="weekly_plan", object_id=draft.pk)
    assert event.data == as_api_shows(admin, url(draft))
    assert event.data["status"] == "submitted"


def test_plan_approved(hooks, draft, rep, manager, admin, api_for):
    api_for(rep).post(url(draft, "submit"), {"version": 1})
    response = api_for(manager).post(url(draft, "approve"), {"version": 2, "comment": "Good"})
    assert response.status_code == 200, response.data

    event = the_event(E.PLAN_APPROVED, object_type="weekly_plan", object_id=draft.pk)
    assert event.data == as_api_shows(admin, url(draft))
    assert event.data["status"] == "approved"
    assert events_of(E.PLAN_RETURNED) == []


def test_plan_returned(hooks, draft, rep, manager, admin, api_for):
    api_for(rep).post(url(draft, "submit"), {"version": 1})
    response = api_for(manager).post(url(draft, "return"), {"version": 2, "comment": "More calls"})
    assert response.status_code == 200, response.data

    event = the_event(E.PLAN_RETURNED, object_type="weekly_plan", object_id=draft.pk)
    assert event.data == as_api_shows(admin, url(draft))
    assert event.data["status"] == "returned"


def test_a_refused_submit_records_nothing(hooks, rep, api_for):
    empty = WeeklyPlanFactory(rep=rep)  # no target: refused
    response = api_for(rep).post(url(empty, "submit"), {"version": 1})
    assert response.status_code == 400
    assert empty.__class__.objects.get(pk=empty.pk).status == PlanStatus.DRAFT
    assert WebhookEvent.objects.count() == 0


def test_goal_set_and_changed(hooks, rep, manager, admin, api_for):
    api = api_for(manager)
    body = {
        "scope": "rep",
        "rep": rep.pk,
        "metric": "calls",
        "period": "month",
        "day": "2026-11-18",
        "target": "100",
    }
    created = api.post("/api/v1/goals/", body)
    assert created.status_code == 201, created.data
    goal_url = f"/api/v1/goals/{created.data['id']}/"
    event = the_event(E.GOAL_CHANGED, object_type="goal", object_id=created.data["id"])
    assert event.data == as_api_shows(admin, goal_url)

    patched = api.patch(goal_url, {"target": "150", "reason": "Leave", "version": 1})
    assert patched.status_code == 200, patched.data

    changed = events_of(E.GOAL_CHANGED)
    assert len(changed) == 2 and changed[1].object_id == str(created.data["id"])
    assert changed[1].data == as_api_shows(admin, goal_url)
    assert Decimal(changed[1].data["target"]) == 150
    assert Goal.objects.get().target == 150


def test_goal_removed_sends_nothing(hooks, rep, manager, api_for):
    api = api_for(manager)
    created = api.post(
        "/api/v1/goals/",
        {
            "scope": "rep",
            "rep": rep.pk,
            "metric": "calls",
            "period": "month",
            "day": "2026-11-18",
            "target": "100",
        },
    )
    api.delete(f"/api/v1/goals/{created.data['id']}/", {"reason": "Wrong", "version": 1})
    assert len(events_of(E.GOAL_CHANGED)) == 1


def test_no_endpoint_no_event(draft, rep, api_for):
    api_for(rep).post(url(draft, "submit"), {"version": 1})
    assert WebhookEvent.objects.count() == 0
