"""Celery tasks of coaching: thin wrappers of its jobs, each under a pinned name.

Every job is idempotent (a person is told of an occasion once: notifications are
unique per user and key) and runnable by hand as a management command with --now.
"""

from celery import shared_task
from django.db import OperationalError

from coaching.feedback.services import open_feedback_periods
from coaching.improvement.services import send_checkpoint_reminders
from coaching.recognition.services import suggest_recognition
from coaching.sessions.services import send_action_item_reminders, send_session_reminders
from coaching.training.services import assign_onboarding, send_training_reminders
from salesmgmt.calendar import parse_job_time

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


# --- Anonymous upward feedback ------------------------------------------------------------------


@shared_task(name="coaching.tasks.open_feedback_periods_task", **RETRY)
def open_feedback_periods_task(now: str | None = None) -> int:
    """Open the current feedback period, tell reps, remind them before it closes, and
    tell managers whose team's feedback is ready; each of these once."""
    return open_feedback_periods(now=parse_job_time(now) if now else None)


# --- Improvement plans --------------------------------------------------------------------------


@shared_task(name="coaching.tasks.send_checkpoint_reminders_task", **RETRY)
def send_checkpoint_reminders_task(now: str | None = None) -> int:
    """Improvement plan checkpoints due within two days, or overdue: rep and manager are
    told once each (keys checkpoint-due:<id>, checkpoint-overdue:<id>)."""
    return send_checkpoint_reminders(now=parse_job_time(now) if now else None)


# --- Training -----------------------------------------------------------------------------------


@shared_task(name="coaching.tasks.assign_onboarding_task", **RETRY)
def assign_onboarding_task(now: str | None = None) -> int:
    return assign_onboarding(now=parse_job_time(now) if now else None)


@shared_task(name="coaching.tasks.send_training_reminders_task", **RETRY)
def send_training_reminders_task(now: str | None = None) -> int:
    return send_training_reminders(now=parse_job_time(now) if now else None)


# --- Recognition --------------------------------------------------------------------------------


@shared_task(name="coaching.tasks.suggest_recognition_task", **RETRY)
def suggest_recognition_task(now: str | None = None) -> int:
    """Nudge managers about wins worth recognising (each win once)."""
    return suggest_recognition(now=parse_job_time(now) if now else None)


# --- Sessions -----------------------------------------------------------------------------------


@shared_task(name="coaching.tasks.send_session_reminders_task", **RETRY)
def send_session_reminders_task(now: str | None = None) -> int:
    """Coach and rep, once each, the reminder time before a session."""
    return send_session_reminders(now=parse_job_time(now) if now else None)


@shared_task(name="coaching.tasks.send_action_item_reminders_task", **RETRY)
def send_action_item_reminders_task(now: str | None = None) -> int:
    """Owner and coach, once each, of an overdue action item."""
    return send_action_item_reminders(now=parse_job_time(now) if now else None)
