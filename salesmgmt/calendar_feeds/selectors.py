"""Reads of calendar feeds: which feed a URL names, its window, its items and its
iCalendar text (RFC 5545, written with the icalendar library)."""

import secrets
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration

from salesmgmt.calendar import zone_of
from salesmgmt.calendar_feeds import sources
from salesmgmt.calendar_feeds.services import PREFIX_LENGTH
from salesmgmt.calendar_feeds.sources import FeedItem
from salesmgmt.i18n import language_of
from salesmgmt.models import CalendarFeed, User

# What a feed holds: recent history (a missed deadline stays visible for a while) and the
# half year ahead calendar apps show.
DAYS_BACK = 60
DAYS_AHEAD = 180
# A timed item without an end lasts this long (a task due at 10:00: 10:00-10:30).
DEFAULT_LENGTH = timedelta(minutes=30)
# What calendar apps are asked to wait between polls (Outlook and Apple honour it;
# Google polls on its own schedule, every few hours).
REFRESH = timedelta(hours=1)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed whose token is ``token``, or None.

    Found by the token's indexed first characters, then compared whole in constant
    time, so the answer's timing says nothing about how much of a guess was right."""
    if not token or len(token) < PREFIX_LENGTH:
        return None
    candidates = CalendarFeed.objects.active().filter(prefix=token[:PREFIX_LENGTH])
    for feed in candidates.select_related("user"):
        if secrets.compare_digest(feed.token.encode(), token.encode()):
            return feed
    return None


def feed_of(user: User) -> CalendarFeed | None:
    """The person's feed row (active or revoked), or None."""
    return CalendarFeed.objects.filter(user=user).first()


def feed_url(feed: CalendarFeed, *, webcal: bool = False) -> str:
    """The feed's address: https (or whatever SITE_URL says), or webcal:// which opens
    the calendar app on a click."""
    url = settings.SITE_URL + reverse("calendar_feed", args=[feed.token])
    if webcal:
        return "webcal://" + url.split("://", 1)[1]
    return url


def feed_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - timedelta(days=DAYS_BACK), now + timedelta(days=DAYS_AHEAD)


def feed_items(user: User, start: datetime, end: datetime) -> list[FeedItem]:
    """Every source's items for ``user`` in the window, in time order. The caller sets
    the language: sources write their texts in the active one."""
    zone = zone_of(user)
    items = [item for source in sources.registered().values() for item in source(user, start, end)]

    def moment(item: FeedItem) -> datetime:
        if item.all_day:
            return datetime.combine(item.start, datetime.min.time(), tzinfo=zone)
        return item.start

    return sorted(items, key=lambda item: (moment(item), item.uid))


def _in_zone(value: datetime | date, zone) -> datetime | date:
    return value.astimezone(zone) if isinstance(value, datetime) else value


def _event(item: FeedItem, zone, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", _in_zone(item.start, zone))
    if item.end is not None:
        end = item.end
    elif item.all_day:
        end = sources.next_day(item.start)
    else:
        end = item.start + DEFAULT_LENGTH
    event.add("dtend", _in_zone(end, zone))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("status", item.status)
    event.add("sequence", item.sequence)
    # All-day deadlines do not block the day; timed items do.
    event.add("transp", "TRANSPARENT" if item.all_day else "OPAQUE")
    return event


def feed_calendar(feed: CalendarFeed, *, now: datetime | None = None) -> bytes:
    """The feed as iCalendar bytes, in its owner's language and timezone."""
    user = feed.user
    now = now or timezone.now()
    start, end = feed_window(now)
    zone = zone_of(user)
    # DTSTAMP: when the feed was written, to the hour, so polls within the hour of an
    # unchanged feed produce the same bytes (the same ETag: a 304).
    stamp = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    with translation.override(language_of(user)):
        items = feed_items(user, start, end)
        calendar = Calendar()
        calendar.add("prodid", "-//Salesmgmt//Calendar feed//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        name = _("Salesmgmt – %(name)s") % {"name": user.get_full_name() or user.username}
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-caldesc", _("Your tasks, meetings, coaching sessions and deadlines."))
        calendar.add("x-wr-timezone", str(zone))
        calendar.add("x-published-ttl", vDuration(REFRESH))
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    # The user's zone first (clients read VTIMEZONE before the events that name it),
    # covering the window with a year's margin.
    first, last = (start - timedelta(days=366)).date(), (end + timedelta(days=366)).date()
    if str(zone) != "UTC":
        calendar.add_component(Timezone.from_tzinfo(zone, first_date=first, last_date=last))
    for item in items:
        calendar.add_component(_event(item, zone, stamp))
    return calendar.to_ical()
