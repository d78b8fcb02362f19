"""The profile's calendar feed in a real browser: create it, copy its address, get a new
one, turn it off; the section fits a phone and breaks no Content-Security-Policy rule."""

import pytest
from django.conf import settings

from salesmgmt.models import CalendarFeed

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_creates_copies_renews_and_turns_off_their_feed(page, login, screenshot, rep, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, rep)
    page.goto("/profile/#calendar-feed")
    section = page.locator("#calendar-feed")
    section.get_by_role("button", name="Create my calendar feed").click()
    page.wait_for_url("**/profile/#calendar-feed")
    token = CalendarFeed.objects.get(user=rep).token
    address = section.locator("#calendar-feed-url")
    expect(address).to_have_value(f"{settings.SITE_URL}/calendar/{token}.ics")
    expect(section.get_by_role("button", name="Open in my calendar app")).to_have_attribute(
        "href", "webcal://" + settings.SITE_URL.split("://")[1] + f"/calendar/{token}.ics"
    )
    section.get_by_text("Google Calendar", exact=True).click()
    expect(section.get_by_text("Paste the feed address and click “Add calendar”.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"calendar-feed-profile-{width}")

    copy = section.get_by_role("button", name="Copy")
    copy.click()
    expect(section.get_by_role("button", name="Copied")).to_be_visible()

    section.get_by_role("button", name="Get a new address").click()
    page.wait_for_url("**/profile/#calendar-feed")
    renewed = CalendarFeed.objects.get(user=rep).token
    assert renewed != token
    expect(address).to_have_value(f"{settings.SITE_URL}/calendar/{renewed}.ics")

    section.get_by_role("button", name="Turn off the feed").click()
    page.wait_for_url("**/profile/#calendar-feed")
    expect(section.get_by_role("button", name="Create my calendar feed")).to_be_visible()
    assert CalendarFeed.objects.get(user=rep).revoked_at is not None
