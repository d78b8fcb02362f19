"""Signing in to the API: hashed personal tokens, lockout, throttling, sessions.

Tokens come from POST /api/v1/auth/token/ (shown once; only a SHA-256 is
kept) and are sent as ``Authorization: Token <key>``. Sessions work too, with
CSRF on unsafe methods. Five wrong passwords lock the login (django-axes);
the token endpoint is throttled at 10 requests a minute.
"""

import hashlib

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import Activity
from salesmgmt.models import ApiToken
from salesmgmt.org.api import TokenRateThrottle
from tests.factories import days_ago

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory

LIST_ENDPOINTS = [
    "/api/v1/metrics/",
    "/api/v1/channels/",
    "/api/v1/products/",
    "/api/v1/teams/",
    "/api/v1/users/",
    "/api/v1/activities/",
    "/api/v1/weekly-plans/",
    "/api/v1/me/",
]

NOT_AUTHENTICATED = {
    "status": 401,
    "code": "not_authenticated",
    "detail": "Authentication credentials were not provided.",
}
WRONG_PASSWORD = {
    "status": 401,
    "code": "authentication_failed",
    "detail": "Wrong username or password.",
}
REVOKED = {"status": 401, "code": "authentication_failed", "detail": "Invalid or revoked token."}
LOCKED_OUT = {
    "status": 429,
    "code": "locked_out",
    "detail": "Too many failed attempts; this login is locked for a while.",
}


def ask_for_token(username="rep", password=PASSWORD, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **extra})


def with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


# --- obtaining and using a token ----------------------------------------------------------


def test_good_credentials_return_a_key_once(rep):
    response = ask_for_token()

    assert response.status_code == 201
    key = response.data["key"]
    assert response.data == {"key": key, "name": "API token", "prefix": key[:8]}
    assert len(key) >= 40


def test_token_name_is_kept(rep):
    response = ask_for_token(name="CRM sync")

    assert response.status_code == 201
    assert response.data["name"] == "CRM sync"
    assert ApiToken.objects.get().name == "CRM sync"


def test_stored_token_has_only_a_hash(rep):
    key = ask_for_token().data["key"]

    token = ApiToken.objects.get()
    assert token.user == rep
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_hash != key
    assert token.prefix == key[:8]
    assert key not in {str(value) for value in ApiToken.objects.values().get().values()}


def test_each_request_creates_a_new_token(rep):
    first, second = ask_for_token().data["key"], ask_for_token().data["key"]

    assert first != second
    assert ApiToken.objects.filter(user=rep).count() == 2


def test_keys_are_never_listed_again(rep):
    """The endpoint only creates: there is no GET that could show a key twice."""
    ask_for_token()

    response = APIClient().get(TOKEN_URL)

    assert response.status_code == 405
    assert response.data == {
        "status": 405,
        "code": "method_not_allowed",
        "detail": 'Method "GET" not allowed.',
    }


def test_key_works_as_token_header_on_me(rep, team):
    key = ask_for_token().data["key"]

    response = with_token(key).get(ME_URL)

    assert response.status_code == 200
    assert response.data == {
        "id": rep.pk,
        "username": "rep",
        "name": "Rita Rep",
        "first_name": "Rita",
        "last_name": "Rep",
        "email": "rep@example.com",
        "role": "rep",
        "team": team.pk,
        "division": None,
        "rep_function": "generalist",
        "timezone": "UTC",
        "language": None,
        "is_active": True,
    }


def test_token_use_is_recorded(rep):
    key = ask_for_token().data["key"]
    assert ApiToken.objects.get().last_used_at is None

    with_token(key).get(ME_URL)

    assert ApiToken.objects.get().last_used_at is not None


def test_token_writes_without_csrf(rep):
    """Token clients are not browsers: unsafe methods need no CSRF token."""
    key = ask_for_token().data["key"]

    response = with_token(key).post(
        "/api/v1/activities/", {"day": str(days_ago(1)), "metric": "calls", "quantity": 3}
    )

    assert response.status_code == 201, response.data
    assert Activity.objects.get().rep == rep


def test_revoked_token_gets_401(rep):
    key = ask_for_token().data["key"]
    ApiToken.objects.update(revoked_at=timezone.now())

    response = with_token(key).get(ME_URL)

    assert response.status_code == 401
    assert response.data == REVOKED
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_deactivated_user_gets_401(rep):
    key = ask_for_token().data["key"]
    rep.is_active = False
    rep.save(update_fields=["is_active"])

    response = with_token(key).get(ME_URL)

    assert response.status_code == 401
    assert response.data == REVOKED


def test_unknown_key_gets_401(rep):
    response = with_token("not-a-real-key").get(ME_URL)

    assert response.status_code == 401
    assert response.data == REVOKED


def test_malformed_token_header_gets_401(rep):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token two parts")

    response = api.get(ME_URL)

    assert response.status_code == 401
    assert response.data == {
        "status": 401,
        "code": "authentication_failed",
        "detail": "Invalid token header: expected 'Token <key>'.",
    }


# --- wrong passwords and lockout --------------------------------------------------------------


def test_wrong_password_gets_401(rep):
    response = ask_for_token(password="wrong")

    assert response.status_code == 401
    assert response.data == WRONG_PASSWORD
    assert not ApiToken.objects.exists()


def test_unknown_user_gets_the_same_401(db):
    response = ask_for_token(username="nobody")

    assert response.status_code == 401
    assert response.data == WRONG_PASSWORD


def test_missing_password_is_a_validation_error(rep):
    response = APIClient().post(TOKEN_URL, {"username": "rep"})

    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": {"password": ["This field is required."]},
    }


def test_four_wrong_passwords_do_not_lock_the_login(rep):
    for _ in range(4):
        assert ask_for_token(password="wrong").status_code == 401

    response = ask_for_token()

    assert response.status_code == 201


def test_after_five_wrong_passwords_the_right_one_gets_no_token(rep):
    for _ in range(5):
        ask_for_token(password="wrong")

    response = ask_for_token()

    assert response.status_code != 201
    assert not ApiToken.objects.exists()


def test_after_five_wrong_passwords_the_sixth_attempt_is_locked_out(rep):
    """Attempts 1-4 are plain wrong passwords; the 6th, even right, is refused as JSON."""
    answers = [ask_for_token(password="wrong").status_code for _ in range(5)]

    response = ask_for_token()

    assert answers == [401, 401, 401, 401, 429]
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == LOCKED_OUT
    assert not ApiToken.objects.exists()


def test_lockout_is_per_username(rep, teammate):
    for _ in range(5):
        ask_for_token(password="wrong")

    response = ask_for_token(username="teammate")

    assert response.status_code == 201


# --- throttling -----------------------------------------------------------------------------


def test_token_rate_is_ten_a_minute():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "10/min"
    assert TokenRateThrottle.THROTTLE_RATES["token"] == "10/min"


def test_token_endpoint_answers_429_after_ten_requests_a_minute(rep):
    answers = [ask_for_token().status_code for _ in range(10)]

    response = ask_for_token()

    assert answers == [201] * 10
    assert response.status_code == 429
    assert response.data["status"] == 429
    assert response.data["code"] == "throttled"
    assert response.data["detail"].startswith("Request was throttled. Expected available in ")
    assert 0 < int(response["Retry-After"]) <= 60
    assert ApiToken.objects.count() == 10


def test_throttle_follows_the_configured_rate(rep, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})

    answers = [ask_for_token().status_code for _ in range(3)]

    assert answers == [201, 201, 429]


def test_throttle_counts_failed_attempts_too(rep, monkeypatch):
    """Guessing is slowed down as well as succeeding."""
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min"})

    answers = [ask_for_token(password="wrong").status_code for _ in range(3)]

    assert answers == [401, 401, 429]


def test_other_endpoints_are_not_throttled_by_the_token_scope(rep, monkeypatch, api_for):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "1/min"})
    api = api_for(rep)

    answers = [api.get(ME_URL).status_code for _ in range(5)]

    assert answers == [200] * 5


# --- unauthenticated requests -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_unauthenticated_list_gets_401_with_error_body(url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/activities/", "/api/v1/activities/bulk/", "/api/v1/weekly-plans/"]
)
def test_unauthenticated_write_gets_401_with_error_body(url):
    response = APIClient().post(url, {})

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


# --- sessions -------------------------------------------------------------------------------


def test_session_auth_reads(rep):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(rep)

    response = api.get(ME_URL)

    assert response.status_code == 200
    assert response.data["username"] == "rep"


def test_session_post_without_csrf_token_is_403(rep):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(rep)

    response = api.post(
        "/api/v1/activities/", {"day": str(days_ago(1)), "metric": "calls", "quantity": 3}
    )

    assert response.status_code == 403
    assert response.data == {
        "status": 403,
        "code": "permission_denied",
        "detail": "CSRF Failed: CSRF cookie not set.",
    }
    assert not Activity.objects.exists()


def test_session_post_with_csrf_token_is_accepted(rep):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(rep)
    secret = "a" * 32
    api.cookies[settings.CSRF_COOKIE_NAME] = secret

    response = api.post(
        "/api/v1/activities/",
        {"day": str(days_ago(1)), "metric": "calls", "quantity": 3},
        HTTP_X_CSRFTOKEN=secret,
    )

    assert response.status_code == 201, response.data
    assert Activity.objects.get().rep == rep
