"""Reminder jobs about tasks and deals; the services decide and key every notice,
so a retry or a redelivered message tells nobody twice.

Each task's name is pinned (``name=``) to the one it had in activities/tasks.py: names are
the contract with the broker, so a message queued before a module rename still runs.
"""

from celery import shared_task
from django.db import OperationalError

from activities.deals.reminders import send_stale_deal_alerts
from activities.tasks.reminders import send_overdue_digests, send_task_reminders
from activities.tasks.services import emit_overdue_task_events
from salesmgmt.calendar import parse_job_time


@shared_task(
    name="activities.tasks.send_task_reminders_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def send_task_reminders_task(now: str | None = None) -> int:
    return send_task_reminders(now=parse_job_time(now) if now else None)


@shared_task(
    name="activities.tasks.send_overdue_digests_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def send_overdue_digests_task(now: str | None = None) -> int:
    return send_overdue_digests(now=parse_job_time(now) if now else None)


@shared_task(
    name="activities.tasks.send_stale_deal_alerts_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def send_stale_deal_alerts_task(now: str | None = None) -> int:
    return send_stale_deal_alerts(now=parse_job_time(now) if now else None)


@shared_task(
    name="activities.tasks.emit_overdue_task_events_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def emit_overdue_task_events_task(now: str | None = None) -> int:
    return emit_overdue_task_events(now=parse_job_time(now) if now else None)
