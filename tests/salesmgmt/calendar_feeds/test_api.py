"""/api/v1/me/calendar-feed/: one's own feed only, for every role."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from salesmgmt.models import CalendarFeed
from salesmgmt.org.services import create_api_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/calendar-feed/"
ROLES = ["rep", "teammate", "manager", "director", "admin"]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ROLES)
def test_each_role_manages_only_their_own_feed(who, cast):
    user = cast[who]
    client = api_as(user)
    assert client.get(URL).status_code == 404

    created = client.post(URL, {}, format="json")
    assert created.status_code == 201
    body = created.json()
    feed = CalendarFeed.objects.get(user=user)
    assert body["active"] is True
    assert body["url"].endswith(f"/calendar/{feed.token}.ics")
    assert body["webcal_url"].startswith("webcal://")
    assert body["webcal_url"].endswith(f"/calendar/{feed.token}.ics")
    assert Client().get(f"/calendar/{feed.token}.ics").status_code == 200

    again = client.post(URL, {}, format="json")
    assert again.status_code == 200 and again.json()["url"] == body["url"]
    assert client.get(URL).json()["url"] == body["url"]

    reset = client.post(URL, {"reset": True}, format="json")
    assert reset.status_code == 201 and reset.json()["url"] != body["url"]
    assert Client().get(f"/calendar/{feed.token}.ics").status_code == 404

    assert client.delete(URL).status_code == 204
    after = client.get(URL).json()
    assert after["active"] is False and after["url"] is None and after["revoked_at"]
    # Only the caller's own row exists: nobody else's feed was made or touched.
    assert list(CalendarFeed.objects.values_list("user", flat=True)) == [user.pk]


def test_a_manager_never_reads_their_reps_feed(cast):
    api_as(cast["rep"]).post(URL, {}, format="json")
    rep_url = api_as(cast["rep"]).get(URL).json()["url"]
    response = api_as(cast["manager"]).get(URL)
    assert response.status_code == 404
    assert rep_url not in response.content.decode()


def test_bad_input_is_a_400_naming_the_field(cast):
    response = api_as(cast["rep"]).post(URL, {"reset": "perhaps"}, format="json")
    assert response.status_code == 400
    assert "reset" in response.json()["errors"]


def test_signed_out_callers_are_refused(db):
    client = APIClient()
    for method in ("get", "post", "delete"):
        assert getattr(client, method)(URL).status_code in (401, 403)
    assert not CalendarFeed.objects.exists()


def test_a_personal_token_works_too(cast):
    _, key = create_api_token(user=cast["rep"], name="Script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post(URL, {}, format="json").status_code == 201
