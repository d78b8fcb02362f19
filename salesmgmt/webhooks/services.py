"""Webhooks out: events recorded in the changing transaction (the outbox), delivered
by Celery after commit, signed, retried with back-off."""

import uuid
from collections.abc import Callable

from django.db import transaction

from salesmgmt.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookEventType


def emit_event(
    event_type: WebhookEventType | str,
    *,
    object_type: str,
    object_id: int | str,
    data: Callable[[], dict],
) -> WebhookEvent | None:
    """Record that ``event_type`` happened to ``object_type:object_id``, for every active
    endpoint that wants it, inside the caller's transaction; queue the deliveries once it
    commits. ``data`` builds the object as the API shows it; it is called only when some
    endpoint wants the event (so a company without webhooks pays one query)."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).only("pk", "events")
        if str(event_type) in endpoint.events
    ]
    if not endpoints:
        return None
    event = WebhookEvent.objects.create(
        uuid=uuid.uuid4(),
        type=str(event_type),
        object_type=object_type,
        object_id=str(object_id),
        data=data(),
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=endpoint) for endpoint in endpoints
    )
    transaction.on_commit(lambda: queue_deliveries([d.pk for d in deliveries]))
    return event


def queue_deliveries(delivery_ids: list[int]) -> None:
    """Hand the deliveries to the worker (the sweep job picks up any this misses)."""
    # Delivery itself (salesmgmt.webhooks.delivery, salesmgmt.jobs) is built on this.
