"""Who may do what with Rita's (rep's) improvement plan: every role of the cast against
every page and API endpoint of coaching.improvement.

Outside scope is 404 (existence never leaks); in scope but the wrong role is 403; a
write that is allowed succeeds (a redirect on pages, 200/201 on the API)."""

from datetime import timedelta

import pytest

from tests.cast import ROLES

pytestmark = pytest.mark.django_db

SEES = {"rep", "manager", "director", "admin"}  # who sees Rita's plan
MANAGES = {"manager", "director", "admin"}  # who manages Rita


def expected(who, *, allowed: set, ok: int, visible: set = SEES) -> int:
    if who not in visible:
        return 404
    return ok if who in allowed else 403


def page_cases(plan, today):
    cp = plan.checkpoints.first()
    base = f"/improvement-plans/{plan.pk}/"
    later = (plan.ends_on + timedelta(days=5)).isoformat()
    v = {"version": plan.version}
    edit = {
        **v,
        "goals_text": "New goals",
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
    }
    return {
        # name: (method, path, data, allowed roles, success code, roles that see it)
        "list": ("get", "/improvement-plans/", None, set(ROLES), 200, set(ROLES)),
        "new": (
            "get",
            "/improvement-plans/new/",
            None,
            MANAGES | {"other_manager", "south_manager"},
            200,
            set(ROLES),
        ),
        "new_from_miss": (
            "get",
            f"/improvement-plans/new/?miss={plan.miss_id}",
            None,
            MANAGES,
            200,
            None,
        ),
        "detail": ("get", base, None, SEES, 200, SEES),
        "edit_page": ("get", f"{base}edit/", None, MANAGES, 200, SEES),
        "edit": ("post", f"{base}edit/", edit, MANAGES, 302, SEES),
        "acknowledge": ("post", f"{base}acknowledge/", v, {"rep"}, 302, SEES),
        "comment": ("post", f"{base}comment/", {**v, "comment": "Hi"}, {"rep"}, 302, SEES),
        "checkpoint_add": (
            "post",
            f"{base}checkpoints/",
            {**v, "due": today.isoformat(), "what": "Check"},
            MANAGES,
            302,
            SEES,
        ),
        "checkpoint_record": (
            "post",
            f"{base}checkpoints/{cp.pk}/",
            {**v, "result": "Good", "done": "on"},
            MANAGES,
            302,
            SEES,
        ),
        "extend": ("post", f"{base}extend/", {**v, "ends_on": later}, MANAGES, 302, SEES),
        "close": (
            "post",
            f"{base}close/",
            {**v, "outcome": "met", "note": "Done"},
            MANAGES,
            302,
            SEES,
        ),
    }


PAGE_NAMES = [
    "list",
    "new",
    "new_from_miss",
    "detail",
    "edit_page",
    "edit",
    "acknowledge",
    "comment",
    "checkpoint_add",
    "checkpoint_record",
    "extend",
    "close",
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_pages(plans, cast, client_for, today, who, name):
    method, path, data, allowed, ok, visible = page_cases(plans["rep"], today)[name]
    if name in ("new", "list"):
        want = ok if who in allowed or name == "list" else 403
    elif name == "new_from_miss":
        # Reps may not open plans at all; other managers do not see Rita's review (404).
        want = 403 if cast[who].is_rep else (ok if who in allowed else 404)
    else:
        want = expected(who, allowed=allowed, ok=ok, visible=visible)
    client = client_for(cast[who])
    response = client.get(path) if method == "get" else client.post(path, data)
    assert response.status_code == want


def api_cases(plan, today):
    cp = plan.checkpoints.first()
    base = f"/api/v1/improvement-plans/{plan.pk}/"
    v = {"version": plan.version}
    later = (plan.ends_on + timedelta(days=5)).isoformat()
    new = {
        "rep": plan.rep_id,
        "reason": "Low calls",
        "goals_text": "Reach 40",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "checkpoints": [{"due": today.isoformat(), "what": "Check"}],
    }
    return {
        "list": ("get", "/api/v1/improvement-plans/", None),
        "create": ("post", "/api/v1/improvement-plans/", new),
        "retrieve": ("get", base, None),
        "partial_update": ("patch", base, {**v, "goals_text": "New"}),
        "acknowledge": ("post", f"{base}acknowledge/", v),
        "comment": ("post", f"{base}comment/", {**v, "comment": "Hi"}),
        "extend": ("post", f"{base}extend/", {**v, "ends_on": later}),
        "close": ("post", f"{base}close/", {**v, "outcome": "met", "note": "Done"}),
        "checkpoints": (
            "post",
            f"{base}checkpoints/",
            {**v, "due": today.isoformat(), "what": "X"},
        ),
        "checkpoint": ("patch", f"{base}checkpoints/{cp.pk}/", {**v, "done": True}),
    }


def api_expected(name, who, is_rep):
    if name == "list":
        return 200
    if name == "create":
        if is_rep:
            return 403
        return 201 if who in MANAGES else 400  # Rita is no rep of theirs: 'does not exist'
    if name == "retrieve":
        return expected(who, allowed=SEES, ok=200)
    if name in ("acknowledge", "comment"):
        return expected(who, allowed={"rep"}, ok=200)
    return expected(who, allowed=MANAGES, ok=201 if name == "checkpoints" else 200)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "name",
    [
        "list",
        "create",
        "retrieve",
        "partial_update",
        "acknowledge",
        "comment",
        "extend",
        "close",
        "checkpoints",
        "checkpoint",
    ],
)
def test_api(plans, cast, api_for, today, who, name):
    method, path, body = api_cases(plans["rep"], today)[name]
    response = getattr(api_for(cast[who]), method)(path, body, format="json")
    assert response.status_code == api_expected(name, who, cast[who].is_rep), response.data


@pytest.mark.parametrize("path", ["/improvement-plans/", "/api/v1/improvement-plans/"])
def test_anonymous_is_sent_to_login_or_401(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401, 403)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert "/accounts/login/" in response["Location"]
