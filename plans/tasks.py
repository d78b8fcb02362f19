from celery import shared_task
from django.db import OperationalError

from .services import send_plan_event_email


@shared_task(
    acks_late=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5
)
def notify_plan_event_task(event_id: int) -> bool:
    # send_plan_event_email marks the event as notified: a redelivery sends nothing.
    return send_plan_event_email(event_id=event_id)
