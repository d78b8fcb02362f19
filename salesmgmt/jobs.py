"""Celery tasks of this app: thin wrappers of its jobs, each registered under a pinned
name (the message contract with the broker: these names are kept from before the jobs
modules were renamed from tasks.py, so a message queued by an older release still
runs). Autodiscovery looks for jobs.py ("tasks" is the Task feature)."""

import logging
from dataclasses import asdict

from celery import shared_task
from django.core.management import call_command
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from salesmgmt.imports.services import check_job, import_job, purge_old_jobs
from salesmgmt.notifications.services import deliver_email, send_pending_emails
from salesmgmt.webhooks import services as webhook_services

logger = logging.getLogger(__name__)

# Publishing from a request: one quick retry, then give up (well under a second when
# Redis refuses connections). Whatever needed the task is found again by a sweep or the
# next run of its job, so a request never waits on, or fails for, the broker.
QUICK_PUBLISH = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task`` fire-and-forget; log a warning and return False if the broker is away.

    ignore_result: nothing reads the result, and asking for one makes Celery subscribe
    to it on the result backend, which retries for ~20 s while Redis is down."""
    try:
        task.apply_async(args, kwargs, ignore_result=True, retry=True, retry_policy=QUICK_PUBLISH)
    except (BrokerUnavailable, OSError) as exc:
        logger.warning(
            "Could not queue %s%r: %s. A sweep or the next run catches up.", task.name, args, exc
        )
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=True)


@shared_task(name="salesmgmt.tasks.clear_expired_sessions_task", acks_late=True)
def clear_expired_sessions_task() -> None:
    # Deleting expired sessions twice deletes nothing the second time.
    call_command("clearsessions")


@shared_task(
    name="salesmgmt.tasks.deliver_notification_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def deliver_notification_task(notification_id: int) -> bool:
    # The fast path of the e-mail outbox. deliver_email claims the row as the sweep does
    # and records a failed send for the sweep to retry: a redelivery sends nothing twice.

    return deliver_email(notification_id=notification_id)


@shared_task(
    name="salesmgmt.tasks.send_pending_emails_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def send_pending_emails_task() -> dict:
    # Beat runs it every minute; overlapping runs skip each other's rows (SKIP LOCKED).

    return asdict(send_pending_emails())


# Spreadsheet imports: each job's state lives on its ImportJob row, so running either
# task twice does nothing the second time (a checked job is not checked again, an
# imported one not imported again).
@shared_task(
    name="salesmgmt.imports.check_import_job_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def check_import_job_task(job_id: int) -> None:
    check_job(job_id=job_id)


@shared_task(
    name="salesmgmt.imports.import_job_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
)
def import_job_task(job_id: int) -> None:
    import_job(job_id=job_id)


@shared_task(name="salesmgmt.imports.purge_import_jobs_task", acks_late=True)
def purge_import_jobs_task() -> int:
    return purge_old_jobs()


@shared_task(
    name="salesmgmt.tasks.deliver_webhook_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def deliver_webhook_task(delivery_id: int) -> str | None:
    # deliver claims (and leases) the row first: a duplicate task finds it taken or done.
    return webhook_services.deliver(delivery_id=delivery_id)


@shared_task(
    name="salesmgmt.tasks.deliver_due_webhooks_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def deliver_due_webhooks_task() -> dict:
    # Beat runs it every minute: queues what is due (lost tasks, retries, expired leases).
    return asdict(webhook_services.deliver_due_webhooks())
