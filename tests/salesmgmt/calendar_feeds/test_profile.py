"""The profile's calendar feed section: create, copy, reset, turn off, with CSRF."""

import pytest
from django.test import Client

from salesmgmt.models import CalendarFeed

pytestmark = pytest.mark.django_db

ROLES = ["rep", "manager", "director", "admin"]


@pytest.mark.parametrize("who", ROLES)
def test_everyone_creates_resets_and_turns_off_their_own_feed(who, cast, client_for, client):
    user = cast[who]
    page = client_for(user).get("/profile/")
    assert page.status_code == 200
    assert "Create my calendar feed" in page.content.decode()

    response = client.post("/profile/calendar-feed/")
    assert response.status_code == 302 and response["Location"] == "/profile/#calendar-feed"
    feed = CalendarFeed.objects.get(user=user)
    html = client.get("/profile/").content.decode()
    assert f"/calendar/{feed.token}.ics" in html
    assert f"webcal://testserver/calendar/{feed.token}.ics" in html or "webcal://" in html
    for app in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert app in html
    assert "No calendar app has read it yet." in html

    # Creating again keeps the address.
    client.post("/profile/calendar-feed/")
    assert CalendarFeed.objects.get(user=user).token == feed.token

    client.post("/profile/calendar-feed/reset/")
    reset = CalendarFeed.objects.get(user=user)
    assert reset.token != feed.token
    assert Client().get(f"/calendar/{feed.token}.ics").status_code == 404
    assert Client().get(f"/calendar/{reset.token}.ics").status_code == 200
    assert "Last read by a calendar app" in client.get("/profile/").content.decode()

    client.post("/profile/calendar-feed/revoke/")
    assert CalendarFeed.objects.get(user=user).revoked_at is not None
    assert Client().get(f"/calendar/{reset.token}.ics").status_code == 404
    html = client.get("/profile/").content.decode()
    assert reset.token not in html
    assert "Create my calendar feed" in html


def test_the_feed_address_is_shown_again_on_a_later_visit(cast, client_for):
    client = client_for(cast["rep"])
    client.post("/profile/calendar-feed/")
    token = CalendarFeed.objects.get(user=cast["rep"]).token
    assert token in client.get("/profile/").content.decode()
    assert token in client.get("/profile/").content.decode()


def test_one_persons_actions_never_touch_anothers_feed(cast, client_for):
    client = client_for(cast["rep"])
    client.post("/profile/calendar-feed/")
    mine = CalendarFeed.objects.get(user=cast["rep"])
    client_for(cast["manager"]).post("/profile/calendar-feed/reset/")
    client_for(cast["manager"]).post("/profile/calendar-feed/revoke/")
    assert CalendarFeed.objects.get(user=cast["rep"]).token == mine.token
    assert CalendarFeed.objects.get(user=cast["rep"]).revoked_at is None


@pytest.mark.parametrize(
    "path",
    ["/profile/calendar-feed/", "/profile/calendar-feed/reset/", "/profile/calendar-feed/revoke/"],
)
def test_feed_actions_need_a_csrf_token_and_a_post(path, cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["rep"])
    assert client.post(path).status_code == 403
    assert client.get(path).status_code == 405
    assert not CalendarFeed.objects.exists()
    page = client.get("/profile/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    assert client.post(path, {"csrfmiddlewaretoken": token}).status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/profile/calendar-feed/", "/profile/calendar-feed/reset/", "/profile/calendar-feed/revoke/"],
)
def test_signed_out_people_are_sent_to_sign_in(path, db):
    response = Client().post(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CalendarFeed.objects.exists()


ENGLISH = [
    "Calendar feed",
    "Keep this address private.",
    "Feed address",
    "Open in my calendar app",
    "Get a new address",
    "Turn off the feed",
    "On a computer, open Google Calendar.",
    "Set “Auto-refresh” to every hour and click OK.",
]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("el", "Ροή ημερολογίου"), ("id", "Feed kalender"), ("fil", "Calendar feed")],
)
def test_the_section_reads_in_the_persons_language(language, heading, cast, client_for):
    rep = cast["rep"]
    rep.language = language
    rep.save(update_fields=["language"])
    client = client_for(rep)
    client.post("/profile/calendar-feed/")
    html = client.get("/profile/").content.decode()
    assert heading in html
    english = [text for text in ENGLISH if text in html and text != heading]
    assert english == []
