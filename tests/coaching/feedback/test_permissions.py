"""Every role of the cast x every feedback endpoint (pages and API): reps give feedback
(anonymous or signed); managers, directors and admins read results; a signed note is
seen by its author, its manager and admins, and is a 404 to everyone else."""

import pytest
from django.urls import reverse

from coaching.feedback import services
from tests.cast import REPS, ROLES
from tests.coaching.feedback.conftest import api_body, form_data

pytestmark = pytest.mark.django_db

READERS = {"manager", "other_manager", "south_manager", "director", "admin"}


def _status(role, ok, refused=403):
    return ok if role in REPS else refused


# endpoint -> (kind, method, url(note), body, expected status per role)
ENDPOINTS = {
    "page give": (
        "page",
        "get",
        lambda n: reverse("feedback:give"),
        None,
        lambda r: _status(r, 200),
    ),
    "page give post": (
        "page",
        "post",
        lambda n: reverse("feedback:give"),
        form_data,
        lambda r: _status(r, 302),
    ),
    "page signed new": (
        "page",
        "get",
        lambda n: reverse("feedback:signed_new"),
        None,
        lambda r: _status(r, 200),
    ),
    "page signed new post": (
        "page",
        "post",
        lambda n: reverse("feedback:signed_new"),
        lambda: {"text": "hello"},
        lambda r: _status(r, 302),
    ),
    "page signed list": (
        "page",
        "get",
        lambda n: reverse("feedback:signed_list"),
        None,
        lambda r: 200,
    ),
    "page results": (
        "page",
        "get",
        lambda n: reverse("feedback:results"),
        None,
        lambda r: 200 if r in READERS else 403,
    ),
    "api submit": (
        "api",
        "post",
        lambda n: reverse("feedback-submit"),
        api_body,
        lambda r: _status(r, 201),
    ),
    "api questions": (
        "api",
        "get",
        lambda n: reverse("feedback-questions"),
        None,
        lambda r: 200,
    ),
    "api periods": ("api", "get", lambda n: reverse("feedback-period-list"), None, lambda r: 200),
    "api results": (
        "api",
        "get",
        lambda n: reverse("feedback-results"),
        None,
        lambda r: 200 if r in READERS else 403,
    ),
    "api signed list": (
        "api",
        "get",
        lambda n: reverse("signed-feedback-list"),
        None,
        lambda r: 200,
    ),
    "api signed create": (
        "api",
        "post",
        lambda n: reverse("signed-feedback-list"),
        lambda: {"text": "hello"},
        lambda r: _status(r, 201),
    ),
    "api signed detail": (
        "api",
        "get",
        lambda n: reverse("signed-feedback-detail", args=[n.pk]),
        None,
        lambda r: 200 if r in {"rep", "manager", "admin"} else 404,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_x_endpoint(endpoint, role, cast, client_for, api_for, period):
    kind, method, url, body, expected = ENDPOINTS[endpoint]
    note = services.send_signed_feedback(by=cast["rep"], text="Rita's signed note")
    user = cast[role]
    if kind == "page":
        client = client_for(user)
        response = getattr(client, method)(url(note), body() if body else None)
    else:
        api = api_for(user)
        kwargs = {"format": "json"} if method == "post" else {}
        response = getattr(api, method)(url(note), body() if body else None, **kwargs)
    assert response.status_code == expected(role), (endpoint, role, response.content[:300])


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_signed_out_is_refused(endpoint, client, cast, period):
    """Pages send a signed-out visitor to the login; the API answers 401 or 403."""
    kind, method, url, body, _ = ENDPOINTS[endpoint]
    note = services.send_signed_feedback(by=cast["rep"], text="note")
    if kind == "page":
        response = getattr(client, method)(url(note), body() if body else None)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        response = getattr(client, method)(url(note), body() if body else None)
        assert response.status_code in (401, 403)
