"""Celery application. Without REDIS_URL tasks run in-process (eager)."""

import os

from celery import Celery
from celery.schedules import crontab

from salesmgmt.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesmgmt.settings")

app = Celery("salesmgmt")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Jobs live in each app's jobs.py ("tasks" is the Task feature); their names are pinned.
app.autodiscover_tasks(related_name="jobs")

# The one place where periodic work is scheduled. The reminder jobs run often
# and decide for themselves, in the company's timezone, whether it is time.
app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "salesmgmt.tasks.clear_expired_sessions_task",
        "schedule": crontab(hour=3, minute=17),
    },
    # Spreadsheet imports past IMPORT_KEEP_DAYS, with the files they hold.
    "purge-import-jobs": {
        "task": "salesmgmt.imports.purge_import_jobs_task",
        "schedule": crontab(hour=3, minute=27),
    },
    **BEAT_SCHEDULE,
    # Webhooks out: queues due deliveries (retries, lost tasks, leases of dead workers).
    "deliver-due-webhooks": {
        "task": "salesmgmt.tasks.deliver_due_webhooks_task",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # The e-mail outbox: sends what the per-notification task did not (lost, failed).
    # Last, so that `run_jobs` (every entry once) also sends what the jobs above created.
    "send-pending-emails": {
        "task": "salesmgmt.tasks.send_pending_emails_task",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}
