"""Calendar feed sources: how each app puts its dates into a person's feed, without the
core importing it.

The feed (salesmgmt.calendar_feeds) belongs to the core, but tasks, plans, reviews and
coaching sessions live in apps above it. As with panels (salesmgmt/panels.py), each app
registers a *source* from its AppConfig.ready():

    sources.register("tasks", task_items)

A source is ``source(user, start, end) -> list[FeedItem]``: the user's own dates between
two aware datetimes (the feed window), each source in a fixed number of queries however
much it finds. It runs inside ``translation.override`` of the user's language, so its
texts are plain ``gettext``; times may be in any zone (the feed writes them in the
user's own).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse

from salesmgmt.calendar import zone_of


@dataclass(frozen=True)
class FeedItem:
    """One event of a feed.

    ``uid`` names the thing for ever ("task-42@salesmgmt"), so a calendar updates the
    event in place when it moves. ``start`` is an aware datetime (a timed event) or a
    date (an all-day event); ``end`` likewise, exclusive, or None for a default length.
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    location: str = ""
    # CONFIRMED, TENTATIVE or CANCELLED (a cancelled session stays, struck through).
    status: str = "CONFIRMED"
    # Raised whenever the thing changes, when the source knows it (e.g. a row version).
    sequence: int = 0

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


Source = Callable[[object, datetime, datetime], list[FeedItem]]
_sources: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    """Add ``source`` under ``name`` (registering a name again replaces it)."""
    _sources[name] = source


def registered() -> dict[str, Source]:
    return dict(sorted(_sources.items()))


def absolute_url(viewname: str, *args) -> str:
    """A link for a calendar app: the site's address (SITE_URL, as in e-mails) + path."""
    return settings.SITE_URL + reverse(viewname, args=args)


def local_days(user, start: datetime, end: datetime) -> tuple[date, date]:
    """The first and last day of the window in ``user``'s zone: what all-day items
    (dates without a time) filter on."""
    zone = zone_of(user)
    return start.astimezone(zone).date(), end.astimezone(zone).date()


def next_day(day: date) -> date:
    return day + timedelta(days=1)
