"""Celery tasks of coaching: thin wrappers of its jobs, each under a pinned name.

Every job is idempotent (a person is told of an occasion once: notifications are
unique per user and key) and runnable by hand as a management command with --now.
"""

from celery import shared_task  # noqa: F401
from django.db import OperationalError

from salesmgmt.calendar import parse_job_time  # noqa: F401

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


# --- Sessions -----------------------------------------------------------------------------------

from coaching.sessions.services import (  # noqa: E402
    send_action_item_reminders,
    send_session_reminders,
)


@shared_task(name="coaching.tasks.send_session_reminders_task", **RETRY)
def send_session_reminders_task(now: str | None = None) -> int:
    """Coach and rep, once each, the reminder time before a session."""
    return send_session_reminders(now=parse_job_time(now) if now else None)


@shared_task(name="coaching.tasks.send_action_item_reminders_task", **RETRY)
def send_action_item_reminders_task(now: str | None = None) -> int:
    """Owner and coach, once each, of an overdue action item."""
    return send_action_item_reminders(now=parse_job_time(now) if now else None)
