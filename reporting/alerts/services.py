"""Writes on a deviation alert: each is a ``DeviationAction`` row, the alert's history.

Who acts: managers, directors and admins who see the alert (``visible_to``), never the
rep it is about (they read it). A note and a task only add to the history; an
acknowledgement and a snooze change the alert's state (``acknowledged_at``,
``snoozed_until``) and carry its ``version``, so two managers handling one alert at
once cannot overwrite each other silently.

A snoozed alert is out of the open list, and the daily job does not tell anyone it
turned red, until the day it was snoozed to; on that day it is back if still open.
Acknowledging ends a snooze: the alert is handled now.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.tasks.services import create_task
from reporting.kpis.services import EPISODE_RELATED, episode_subject
from reporting.models import DeviationAction, DeviationActionKind, DeviationEpisode
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import language_of
from salesmgmt.models import CompanySettings, User
from salesmgmt.versioning import bump, lock_current
from salesmgmt.web import LATEST

LONGEST_SNOOZE = 90  # days: a longer snooze is forgetting, not snoozing
TASK_DUE_HOUR = 17  # a task is due at the end of its day, company time
NOTE_MAX = 2000
CONFLICT = _(
    "Someone else acknowledged or snoozed this alert since you opened it. Nothing was "
    "saved; reload to see what they did."
)


def may_act_on(episode: DeviationEpisode, user: User) -> bool:
    """Managers, directors and admins act on the alerts they see; the rep the alert is
    about only reads it (``episode`` is one ``user`` sees: visible_to)."""
    return user.reviews_plans and episode.rep_id != user.pk


def alert_url(episode: DeviationEpisode) -> str:
    return reverse("kpis:alert", args=[episode.pk])


def _check(episode: DeviationEpisode, by: User) -> None:
    if not DeviationEpisode.objects.visible_to(by).filter(pk=episode.pk).exists():
        raise PermissionDenied(gettext("You do not look after this alert."))
    if not may_act_on(episode, by):
        raise PermissionDenied(gettext("Only the rep's managers act on an alert; you can read it."))


def _text(value: str | None, *, field: str, required: str | None = None, limit=NOTE_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleViolation({field: required})
    if len(text) > limit:
        raise RuleViolation(
            {field: gettext("Keep it under %(limit)s characters.") % {"limit": limit}}
        )
    return text


def _record(episode, by, kind, **fields) -> DeviationAction:
    return DeviationAction.objects.create(
        episode=episode, kind=kind, by=by, at=timezone.now(), **fields
    )


@transaction.atomic
def add_note(*, episode: DeviationEpisode, by: User, text: str) -> DeviationAction:
    """A note on the alert, read by everyone who sees the alert (the rep included)."""
    _check(episode, by)
    text = _text(text, field="text", required=gettext("Write the note."))
    return _record(episode, by, DeviationActionKind.NOTE, text=text)


@transaction.atomic
def give_task(
    *, episode: DeviationEpisode, by: User, text: str, due: date | None
) -> DeviationAction:
    """A task for the rep the alert is about, due at the end of ``due``, that says which
    alert it answers; the rep is told as for any task a manager gives."""
    _check(episode, by)
    company = CompanySettings.load()
    errors = {}
    title = (text or "").strip()
    if episode.rep_id is None:
        errors["kind"] = gettext(
            "This alert is about a team, a division or the company: no rep to task."
        )
    if not title:
        errors["text"] = gettext("Say what the rep is to do.")
    elif len(title) > 200:
        errors["text"] = gettext("Keep the task under 200 characters.")
    if due is None or due < company.today():
        errors["due"] = gettext("Pick a due date from today on.")
    elif due > LATEST:
        errors["due"] = gettext("Pick a due date up to %(day)s.") % {
            "day": formats.date_format(LATEST, "DATE_MEDIUM")
        }
    if errors:
        raise RuleViolation(errors)
    episode = DeviationEpisode.objects.select_related(*EPISODE_RELATED).get(pk=episode.pk)
    with translation.override(language_of(episode.rep)):  # the rep reads the task
        notes = gettext(
            "Corrective action on the alert “%(subject)s”, behind since %(day)s: %(url)s"
        ) % {
            "subject": episode_subject(episode),
            "day": formats.date_format(episode.opened_on, "DATE_MEDIUM"),
            "url": alert_url(episode),
        }
    task = create_task(
        by=by,
        assignee=episode.rep,
        title=title,
        notes=notes,
        due_at=datetime.combine(due, time(TASK_DUE_HOUR), tzinfo=company.tzinfo),
    )
    return _record(episode, by, DeviationActionKind.TASK, text=title, task=task)


@transaction.atomic
def acknowledge(
    *, episode: DeviationEpisode, by: User, text: str = "", version: int | None = None
) -> DeviationAction:
    """Seen and handled: the alert stays listed (while open) as acknowledged; a snooze ends."""
    _check(episode, by)
    lock_current(episode, version, message=CONFLICT)
    text = _text(text, field="text")
    episode.acknowledged_at, episode.acknowledged_by = timezone.now(), by
    episode.snoozed_until = None
    bump(episode)
    episode.save(update_fields=["acknowledged_at", "acknowledged_by", "snoozed_until", "version"])
    return _record(episode, by, DeviationActionKind.ACKNOWLEDGE, text=text)


@transaction.atomic
def snooze(
    *,
    episode: DeviationEpisode,
    by: User,
    until: date | None,
    text: str = "",
    version: int | None = None,
) -> DeviationAction:
    """Out of the open list and silent before ``until``; back on that day if still open."""
    _check(episode, by)
    lock_current(episode, version, message=CONFLICT)
    today = CompanySettings.load().today()
    latest = today + timedelta(days=LONGEST_SNOOZE)
    text = _text(text, field="text")
    if episode.closed_on is not None:
        raise RuleViolation({"until": gettext("This alert is closed: there is nothing to snooze.")})
    if until is None or until <= today:
        raise RuleViolation({"until": gettext("Pick a day after today.")})
    if until > latest:
        raise RuleViolation(
            {
                "until": gettext("Snooze for %(days)s days at most (until %(day)s).")
                % {"days": LONGEST_SNOOZE, "day": formats.date_format(latest, "DATE_MEDIUM")}
            }
        )
    episode.snoozed_until = until
    bump(episode)
    episode.save(update_fields=["snoozed_until", "version"])
    return _record(episode, by, DeviationActionKind.SNOOZE, text=text, snoozed_until=until)
