"""Coaching sessions, action items and focus areas on /api/v1/: scoping, writes through
the services (versioned, 409 on stale), the rep's view without private notes, filters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coaching.models import CoachingSession, FocusArea, SessionActionItem, SessionStatus
from coaching.sessions import services
from reporting.models import Kpi
from salesmgmt.models import CompanySettings, Role
from tests.coaching.sessions.conftest import PRIVATE
from tests.factories.deals import DealFactory

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/coaching-sessions/"
ITEMS = "/api/v1/coaching-action-items/"


def _body(rep, **extra):
    return {
        "rep": rep.pk,
        "kind": "deal_review",
        "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
        "focus_areas": list(FocusArea.objects.filter(key="closing").values_list("pk", flat=True)),
        "private_notes": PRIVATE,
        **extra,
    }


def test_manager_creates_and_rep_reads_without_private_notes(cast, api_for):
    created = api_for(cast["manager"]).post(SESSIONS, _body(cast["rep"]), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["coach"] == cast["manager"].pk and data["private_notes"] == PRIVATE
    rep_view = api_for(cast["rep"]).get(f"{SESSIONS}{data['id']}/").json()
    assert "private_notes" not in rep_view and rep_view["kind"] == "deal_review"


def test_rep_may_not_create_and_outsider_rep_is_not_found(cast, api_for):
    assert api_for(cast["rep"]).post(SESSIONS, _body(cast["rep"]), format="json").status_code == 403
    answer = api_for(cast["manager"]).post(SESSIONS, _body(cast["south_rep"]), format="json")
    assert answer.status_code == 400 and "rep" in answer.json()["errors"]


def test_two_prompts_are_a_400_with_the_field(cast, api_for):
    deal = DealFactory(owner=cast["rep"])
    answer = api_for(cast["manager"]).post(
        SESSIONS,
        _body(cast["rep"], prompt_deal=deal.pk, prompt_kpi=Kpi.objects.get(key="hit-rate").pk),
        format="json",
    )
    assert answer.status_code == 400 and "prompt_deal" in answer.json()["errors"]


def test_patch_needs_version_and_stale_is_409(book, cast, api_for):
    session = book(cast["rep"], cast["manager"])
    api = api_for(cast["manager"])
    assert (
        api.patch(f"{SESSIONS}{session.pk}/", {"location": "x"}, format="json").status_code == 400
    )
    ok = api.patch(f"{SESSIONS}{session.pk}/", {"location": "Room 4", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch(
        f"{SESSIONS}{session.pk}/", {"location": "Room 5", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    session.refresh_from_db()
    assert session.location == "Room 4"


def test_hold_cancel_and_effect(book, cast, api_for):
    api = api_for(cast["manager"])
    session = book(cast["rep"], cast["manager"], days=-1)
    assert api.get(f"{SESSIONS}{session.pk}/effect/").status_code == 400
    held = api.post(f"{SESSIONS}{session.pk}/hold/", {"version": 1}, format="json")
    assert held.status_code == 200 and held.json()["status"] == "held"
    effect = api.get(f"{SESSIONS}{session.pk}/effect/").json()
    assert effect["after_days"] == 2 and {"name", "before", "after"} <= set(effect["metrics"][0])
    other = book(cast["rep"], cast["manager"])
    assert (
        api.post(f"{SESSIONS}{other.pk}/cancel/", {"version": 1}, format="json").json()["status"]
        == "cancelled"
    )
    assert api.post(f"{SESSIONS}{other.pk}/hold/", {"version": 2}, format="json").status_code == 400


def test_list_filters(book, cast, api_for):
    book(cast["rep"], cast["manager"], kind="ride_along")
    book(cast["teammate"], cast["manager"], days=10)
    api = api_for(cast["manager"])
    assert api.get(SESSIONS, {"kind": "ride_along"}).json()["count"] == 1
    assert api.get(SESSIONS, {"rep": cast["teammate"].pk}).json()["count"] == 1
    later = (CompanySettings.load().today() + timedelta(days=5)).isoformat()
    assert api.get(SESSIONS, {"from": later}).json()["count"] == 1
    assert api.get(SESSIONS, {"to": later}).json()["count"] == 1
    assert api.get(SESSIONS, {"status": "held"}).json()["count"] == 0
    assert api.get(SESSIONS, {"rep": cast["south_rep"].pk}).status_code == 400


def test_action_items_create_list_and_complete(book, cast, api_for):
    session = book(cast["rep"], cast["manager"])
    due = (CompanySettings.load().today() + timedelta(days=2)).isoformat()
    created = api_for(cast["manager"]).post(
        ITEMS,
        {"session": session.pk, "text": "Role-play the close", "owner": cast["rep"].pk, "due": due},
        format="json",
    )
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    rep_api = api_for(cast["rep"])
    assert rep_api.get(ITEMS, {"open": "true"}).json()["count"] == 1
    assert (
        api_for(cast["manager"]).post(f"{ITEMS}{item_id}/complete/", {}, format="json").status_code
        == 403
    )
    done = rep_api.post(f"{ITEMS}{item_id}/complete/", {}, format="json")
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert api_for(cast["other_manager"]).get(f"{ITEMS}{item_id}/").status_code == 404
    bad = api_for(cast["manager"]).post(
        ITEMS,
        {"session": session.pk, "text": "x", "owner": cast["teammate"].pk, "due": due},
        format="json",
    )
    assert bad.status_code == 400 and "owner" in bad.json()["errors"]
    assert SessionActionItem.objects.count() == 1


def test_focus_areas_list(cast, api_for):
    keys = [a["key"] for a in api_for(cast["rep"]).get("/api/v1/focus-areas/").json()]
    assert keys[:3] == ["prospecting", "presentation", "closing"]


def test_session_list_query_count_is_fixed(book, cast, api_for, django_assert_max_num_queries):
    """Count, page, focus areas, action items and their tasks: six queries for any size."""
    api = api_for(cast["manager"])
    for n in range(7):
        s = book(cast["teammate"], cast["manager"], days=-(n + 1), status=SessionStatus.HELD)
        if n == 1:
            with django_assert_max_num_queries(6):
                api.get(SESSIONS)
        services.add_action_item(
            session=s,
            by=cast["manager"],
            text=f"item {n}",
            owner=cast["teammate"],
            due=CompanySettings.load().today() + timedelta(days=3),
        )
    with django_assert_max_num_queries(6):
        assert api.get(SESSIONS).json()["count"] == CoachingSession.objects.count()


def test_hold_of_a_coming_session_is_a_400(book, cast, api_for):
    session = book(cast["rep"], cast["manager"], days=1)
    response = api_for(cast["manager"]).post(
        f"{SESSIONS}{session.pk}/hold/", {"version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "A session in the future is not held yet." in str(response.json())


def test_private_notes_of_a_promoted_reps_sessions_are_nobodys_on_the_api(book, cast, api_for):
    """As on the detail page and in the CSV: once the rep is promoted, neither they nor
    their former coach reads the private notes of their sessions through the API."""
    rep = cast["rep"]
    session = book(rep, cast["manager"])
    assert api_for(cast["manager"]).get(f"{SESSIONS}{session.pk}/").json()["private_notes"] == (
        PRIVATE
    )
    rep.role = Role.MANAGER
    rep.save(update_fields=["role"])

    for viewer in (cast["manager"], rep):
        data = api_for(viewer).get(f"{SESSIONS}{session.pk}/").json()
        assert "private_notes" not in data and data["id"] == session.pk
