"""Admins see who has a calendar feed (never its token) and can turn feeds off."""

import pytest
from django.test import Client

from salesmgmt.models import CalendarFeed

pytestmark = pytest.mark.django_db


def test_admins_list_feeds_without_their_tokens_and_turn_them_off(cast, client_for, feed_of):
    feed = feed_of(cast["rep"])
    client = client_for(cast["admin"])
    page = client.get("/admin/salesmgmt/calendarfeed/")
    assert page.status_code == 200
    html = page.content.decode()
    assert feed.prefix in html and feed.token not in html
    detail = client.get(f"/admin/salesmgmt/calendarfeed/{feed.pk}/change/").content.decode()
    assert feed.token not in detail
    response = client.post(
        "/admin/salesmgmt/calendarfeed/",
        {"action": "turn_off", "_selected_action": [feed.pk]},
    )
    assert response.status_code == 302
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is not None
    assert Client().get(f"/calendar/{feed.token}.ics").status_code == 404


@pytest.mark.parametrize("who", ["rep", "manager", "director"])
def test_nobody_else_reaches_the_feed_admin(who, cast, client_for, feed_of):
    feed_of(cast["rep"])
    response = client_for(cast[who]).get("/admin/salesmgmt/calendarfeed/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
