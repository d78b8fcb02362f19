"""Celery tasks of coaching: thin wrappers of its jobs, each under a pinned name.

Every job is idempotent (a person is told of an occasion once: notifications are
unique per user and key) and runnable by hand as a management command with --now.
"""

from celery import shared_task  # noqa: F401
from django.db import OperationalError

from coaching.training.services import assign_onboarding, send_training_reminders
from salesmgmt.calendar import parse_job_time  # noqa: F401

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


# --- Training -----------------------------------------------------------------------------------


@shared_task(name="coaching.tasks.assign_onboarding_task", **RETRY)
def assign_onboarding_task(now: str | None = None) -> int:
    return assign_onboarding(now=parse_job_time(now) if now else None)


@shared_task(name="coaching.tasks.send_training_reminders_task", **RETRY)
def send_training_reminders_task(now: str | None = None) -> int:
    return send_training_reminders(now=parse_job_time(now) if now else None)
