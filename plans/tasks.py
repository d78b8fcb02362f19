from celery import shared_task
from django.db import OperationalError

from .services import notify_plan_event


@shared_task(
    acks_late=True, autoretry_for=(OperationalError, OSError), retry_backoff=True, max_retries=5
)
def notify_plan_event_task(event_id: int) -> bool:
    # notify_plan_event marks the event as notified: a redelivery tells nobody.
    return notify_plan_event(event_id=event_id)
