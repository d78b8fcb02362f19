"""Celery tasks of coaching: thin wrappers of its jobs, each under a pinned name.

Every job is idempotent (a person is told of an occasion once: notifications are
unique per user and key) and runnable by hand as a management command with --now.
"""

from celery import shared_task  # noqa: F401
from django.db import OperationalError

from salesmgmt.calendar import parse_job_time  # noqa: F401

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}
