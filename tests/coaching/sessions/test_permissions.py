"""Every coaching page and API endpoint x every role of the cast, on a session of Rita
(``rep``, team Alpha, North) booked by her manager, with an action item she owns.

Those who see Rita see the session; anyone else gets 404 (or, for a write naming her
or her session in the body, 400 "not found"). Those who coach her (manager, director,
admin) write; Rita reads (writes: 403) and marks her own item done (coaches: 403).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import SessionStatus
from coaching.sessions import services
from salesmgmt.models import CompanySettings
from tests.cast import REP_ROWS_SEEN, ROLES

pytestmark = pytest.mark.django_db
COACHES = {"manager", "director", "admin"}
REVIEWERS = {"manager", "other_manager", "south_manager", "director", "admin"}


def _sees(role):
    return "rep" in REP_ROWS_SEEN[role]


def _write(role, ok):
    if role in COACHES:
        return ok
    return 403 if _sees(role) else 404


def _done(role):
    if role == "rep":
        return 302
    return 403 if _sees(role) else 404


def _due():
    return (CompanySettings.load().today() + timedelta(days=3)).isoformat()


# name -> (method, url(session, item), data(session, item, cast), expected(role))
PAGES = {
    "overview": ("get", lambda s, i: reverse("coaching:overview"), None, lambda r: 200),
    "list": ("get", lambda s, i: reverse("coaching:list"), None, lambda r: 200),
    "list csv": ("get", lambda s, i: reverse("coaching:list") + "?export=csv", None, lambda r: 200),
    "new": (
        "get",
        lambda s, i: reverse("coaching:new"),
        None,
        lambda r: 200 if r in REVIEWERS else 403,
    ),
    "detail": (
        "get",
        lambda s, i: reverse("coaching:detail", args=[s.pk]),
        None,
        lambda r: 200 if _sees(r) else 404,
    ),
    "edit": (
        "get",
        lambda s, i: reverse("coaching:edit", args=[s.pk]),
        None,
        lambda r: _write(r, 200),
    ),
    "ics": (
        "get",
        lambda s, i: reverse("coaching:ics", args=[s.pk]),
        None,
        lambda r: 200 if _sees(r) else 404,
    ),
    "hold": (
        "post",
        lambda s, i: reverse("coaching:act", args=[s.pk, "hold"]),
        lambda s, i, c: {"version": s.version},
        lambda r: _write(r, 302),
    ),
    "cancel": (
        "post",
        lambda s, i: reverse("coaching:act", args=[s.pk, "cancel"]),
        lambda s, i, c: {"version": s.version},
        lambda r: _write(r, 302),
    ),
    "add item": (
        "post",
        lambda s, i: reverse("coaching:item_add", args=[s.pk]),
        lambda s, i, c: {"text": "Call back", "owner": s.rep_id, "due": _due()},
        lambda r: _write(r, 302),
    ),
    "item done": ("post", lambda s, i: reverse("coaching:item_done", args=[i.pk]), None, _done),
}

S = "/api/v1/coaching-sessions/"
ITEMS = "/api/v1/coaching-action-items/"


def _create_answer(role):
    if role in COACHES:
        return 201
    return 403 if role == "rep" else 400


API = {
    "sessions list": ("get", lambda s, i: S, None, lambda r: 200),
    "sessions retrieve": (
        "get",
        lambda s, i: f"{S}{s.pk}/",
        None,
        lambda r: 200 if _sees(r) else 404,
    ),
    "sessions create": (
        "post",
        lambda s, i: S,
        lambda s, i, c: {
            "rep": s.rep_id,
            "kind": "one_to_one",
            "starts_at": timezone.now().isoformat(),
        },
        _create_answer,
    ),
    "sessions partial_update": (
        "patch",
        lambda s, i: f"{S}{s.pk}/",
        lambda s, i, c: {"location": "Room 7", "version": s.version},
        lambda r: _write(r, 200),
    ),
    "sessions hold": (
        "post",
        lambda s, i: f"{S}{s.pk}/hold/",
        lambda s, i, c: {"version": s.version},
        lambda r: _write(r, 200),
    ),
    "sessions cancel": (
        "post",
        lambda s, i: f"{S}{s.pk}/cancel/",
        lambda s, i, c: {"version": s.version},
        lambda r: _write(r, 200),
    ),
    "sessions effect": (
        "get",
        lambda s, i: f"{S}{s.pk}/effect/",
        None,
        lambda r: 200 if _sees(r) else 404,
    ),
    "items list": ("get", lambda s, i: ITEMS, None, lambda r: 200),
    "items retrieve": (
        "get",
        lambda s, i: f"{ITEMS}{i.pk}/",
        None,
        lambda r: 200 if _sees(r) else 404,
    ),
    "items create": (
        "post",
        lambda s, i: ITEMS,
        lambda s, i, c: {"session": s.pk, "text": "x", "owner": s.rep_id, "due": _due()},
        _create_answer,
    ),
    "items complete": (
        "post",
        lambda s, i: f"{ITEMS}{i.pk}/complete/",
        lambda s, i, c: {},
        lambda r: {"rep": 200}.get(r, 403 if _sees(r) else 404),
    ),
    "focus areas": ("get", lambda s, i: "/api/v1/focus-areas/", None, lambda r: 200),
}


@pytest.fixture
def rita_session(cast):
    session = services.create_session(
        by=cast["manager"],
        rep=cast["rep"],
        kind="one_to_one",
        starts_at=timezone.now() - timedelta(hours=2),
        private_notes="private",
    )
    item = services.add_action_item(
        session=session,
        by=cast["manager"],
        text="Rehearse",
        owner=cast["rep"],
        due=CompanySettings.load().today() + timedelta(days=2),
    )
    session.refresh_from_db()
    return session, item


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(PAGES))
def test_pages(endpoint, role, cast, rita_session, client_for):
    session, item = rita_session
    method, url, data, expected = PAGES[endpoint]
    client = client_for(cast[role])
    body = data(session, item, cast) if data else {}
    response = getattr(client, method)(url(session, item), body)
    assert response.status_code == expected(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(API))
def test_api(endpoint, role, cast, rita_session, api_for):
    session, item = rita_session
    if endpoint == "sessions effect":
        services.hold_session(session=session, by=cast["manager"], version=session.version)
        session.refresh_from_db()
    method, url, data, expected = API[endpoint]
    api = api_for(cast[role])
    body = data(session, item, cast) if data else None
    response = (
        getattr(api, method)(url(session, item), body, format="json")
        if body is not None
        else getattr(api, method)(url(session, item))
    )
    assert response.status_code == expected(role), response.content[:300]
    if endpoint == "sessions list":
        assert response.json()["count"] == (1 if _sees(role) else 0)
    if endpoint == "sessions hold" and role in COACHES:
        session.refresh_from_db()
        assert session.status == SessionStatus.HELD
