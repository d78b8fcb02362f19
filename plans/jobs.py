"""Celery tasks of this app: thin wrappers of its jobs, each registered under a pinned
name (the message contract with the broker: these names are kept from before the jobs
modules were renamed from tasks.py, so a message queued by an older release still
runs). Autodiscovery looks for jobs.py ("tasks" is the Task feature).

Each task's name is pinned (``name=``) to the one it had in plans/tasks.py: names are
the contract with the broker, so a message queued before a module rename still runs.
"""

from celery import shared_task
from django.db import OperationalError

from plans.weekly.reminders import (
    notify_unnotified_plan_events,
    send_plan_reminders,
    send_review_reminders,
)
from plans.weekly.services import notify_plan_event
from salesmgmt.calendar import parse_job_time


@shared_task(
    name="plans.tasks.notify_plan_event_task",
    acks_late=True,
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notify_plan_event_task(event_id: int) -> bool:
    # notify_plan_event marks the event as notified: a redelivery tells nobody.
    return notify_plan_event(event_id=event_id)


# Reminder jobs: beat runs them hourly; every notification is keyed by its
# occasion, so a retry or a redelivered message tells nobody twice.


@shared_task(
    name="plans.tasks.send_plan_reminders_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def send_plan_reminders_task(now: str | None = None) -> int:
    return send_plan_reminders(now=parse_job_time(now) if now else None)


@shared_task(
    name="plans.tasks.send_review_reminders_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def send_review_reminders_task(now: str | None = None) -> int:
    return send_review_reminders(now=parse_job_time(now) if now else None)


@shared_task(
    name="plans.tasks.notify_unnotified_plan_events_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def notify_unnotified_plan_events_task(now: str | None = None) -> int:
    # Catches up plan events whose notify_plan_event_task was lost; each event once.
    return notify_unnotified_plan_events(now=parse_job_time(now) if now else None)
