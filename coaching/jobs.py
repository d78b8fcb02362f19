"""Celery tasks of coaching: thin wrappers of its jobs, each under a pinned name.

Every job is idempotent (a person is told of an occasion once: notifications are
unique per user and key) and runnable by hand as a management command with --now.
"""

from celery import shared_task  # noqa: F401
from django.db import OperationalError

from salesmgmt.calendar import parse_job_time  # noqa: F401

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


# --- Recognition --------------------------------------------------------------------------------

from coaching.recognition.services import suggest_recognition  # noqa: E402


@shared_task(name="coaching.tasks.suggest_recognition_task", **RETRY)
def suggest_recognition_task(now: str | None = None) -> int:
    """Nudge managers about wins worth recognising (each win once)."""
    return suggest_recognition(now=parse_job_time(now) if now else None)
