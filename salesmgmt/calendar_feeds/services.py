"""Writes of calendar feeds: create, reset (a new URL; the old one stops) and revoke.

Each person has at most one feed row; resetting or re-creating after a revoke gives it a
new token, so any URL handed out before answers 404 from then on."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from salesmgmt.models import CalendarFeed, User

PREFIX_LENGTH = 12
# Calendar apps poll every few minutes to every day; one write an hour is enough to say
# "last fetched" and spares a write per poll.
FETCH_RECORD_INTERVAL = timedelta(hours=1)


def new_token() -> str:
    # 32 random bytes, URL-safe: unguessable, and plain in a URL.
    return secrets.token_urlsafe(32)


def _set_new_token(feed: CalendarFeed, now: datetime) -> None:
    feed.token = new_token()
    feed.prefix = feed.token[:PREFIX_LENGTH]
    feed.created_at = now
    feed.last_fetched_at = None
    feed.revoked_at = None


@transaction.atomic
def create_calendar_feed(*, user: User) -> CalendarFeed:
    """The person's feed: the active one if there is one (creating twice changes
    nothing), else a new URL."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is not None and feed.is_active:
        return feed
    now = timezone.now()
    if feed is None:
        feed = CalendarFeed(user=user)
    _set_new_token(feed, now)
    feed.save()
    return feed


@transaction.atomic
def reset_calendar_feed(*, user: User) -> CalendarFeed:
    """A new URL for the person's feed; the old one stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first() or CalendarFeed(
        user=user
    )
    _set_new_token(feed, timezone.now())
    feed.save()
    return feed


@transaction.atomic
def revoke_calendar_feed(*, user: User) -> CalendarFeed | None:
    """Stop the person's feed (its URL answers 404); None when they had none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is not None and feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed


def record_fetch(*, feed: CalendarFeed, now: datetime | None = None) -> bool:
    """Note that a calendar app read the feed, at most once per FETCH_RECORD_INTERVAL.

    One conditional UPDATE, no lock: two polls at once write once. True when written."""
    now = now or timezone.now()
    last = feed.last_fetched_at
    if last is not None and now - last < FETCH_RECORD_INTERVAL:
        return False
    written = CalendarFeed.objects.filter(pk=feed.pk, last_fetched_at=last).update(
        last_fetched_at=now
    )
    if written:
        feed.last_fetched_at = now
    return bool(written)
