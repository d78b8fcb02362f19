"""The monthly and daily control jobs. Thin: each calls its service, which is idempotent."""

from celery import shared_task
from django.db import OperationalError

from activities.reminders import parse_job_time

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


@shared_task(**RETRY)
def send_deviation_alerts_task(now: str | None = None) -> int:
    from .deviations import send_deviation_alerts

    return send_deviation_alerts(now=parse_job_time(now) if now else None)


@shared_task(**RETRY)
def generate_monthly_reviews_task(now: str | None = None) -> int:
    from .reviews import generate_monthly_reviews

    return generate_monthly_reviews(now=parse_job_time(now) if now else None)


@shared_task(**RETRY)
def compute_commission_statements_task(now: str | None = None) -> int:
    from .commissions import compute_commission_statements

    return compute_commission_statements(now=parse_job_time(now) if now else None)


@shared_task(**RETRY)
def send_report_packs_task(now: str | None = None) -> int:
    from .report_packs import send_report_packs

    return send_report_packs(now=parse_job_time(now) if now else None)
