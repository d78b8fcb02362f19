"""The site keeps serving while Redis is away: the cache degrades to the database,
and /healthz says which dependency is down."""

import logging

import pytest
from django.urls import reverse

from salesmgmt.cache import ResilientRedisCache
from salesmgmt.models import CompanySettings

CLOSED = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture
def redis_away(settings):
    settings.REDIS_URL = CLOSED
    settings.CACHES = {
        "default": {
            "BACKEND": "salesmgmt.cache.ResilientRedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield


def test_company_settings_are_read_from_the_database_when_redis_is_away(redis_away, db, caplog):
    CompanySettings.objects.update_or_create(pk=1, defaults={"name": "Acme Sales"})

    with caplog.at_level(logging.WARNING, logger="salesmgmt.cache"):
        loaded = CompanySettings.load()

    assert loaded.name == "Acme Sales"
    assert "Cache unavailable" in caplog.text


def test_pages_and_api_answer_while_redis_is_away(redis_away, client_for, api_for, rep):
    pages = client_for(rep)
    api = api_for(rep)

    assert pages.get(reverse("plans:my_week"), follow=True).status_code == 200
    assert pages.get(reverse("plans:list")).status_code == 200
    assert pages.get(reverse("profile")).status_code == 200
    # The API's throttles keep their counters in the cache: without it they let requests by.
    assert api.get("/api/v1/weekly-plans/").status_code == 200


def test_login_page_answers_while_redis_is_away(redis_away, client, db):
    assert client.get(reverse("login")).status_code == 200


def test_healthz_names_redis_when_it_is_away(redis_away, client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"].startswith("error")


def test_cache_rests_after_a_failure_instead_of_retrying_every_call(db):
    backend = ResilientRedisCache(CLOSED, {"OPTIONS": {"socket_connect_timeout": 1}})

    assert backend.get("k", "fallback") == "fallback"
    assert backend.is_resting()
    # While resting no connection is attempted: the answer is immediate and the same.
    assert backend.get_many(["a", "b"]) == {}
    assert backend.add("k", 1) is False
    assert backend.set("k", 1) is None
    assert backend.set_many({"a": 1}) == ["a"]
