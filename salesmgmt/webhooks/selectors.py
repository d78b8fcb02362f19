"""Reads of the webhook pages and API: endpoints with their state, delivery logs."""

from django.db.models import Max, OuterRef, QuerySet, Subquery

from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint


def endpoints_with_state() -> QuerySet[WebhookEndpoint]:
    """Every endpoint with its last attempt and that attempt's status (one query)."""
    last = WebhookDelivery.objects.filter(
        endpoint=OuterRef("pk"), last_attempt_at__isnull=False
    ).order_by("-last_attempt_at", "-pk")
    return WebhookEndpoint.objects.annotate(
        last_attempt_at=Max("deliveries__last_attempt_at"),
        last_status=Subquery(last.values("status")[:1]),
        last_response_code=Subquery(last.values("response_code")[:1]),
    ).order_by("pk")


def delivery_log(endpoint: WebhookEndpoint, *, status: str | None = None):
    """The endpoint's deliveries, newest first, with their events (no query per row)."""
    deliveries = endpoint.deliveries.select_related("event").order_by("-pk")
    if status in WebhookDeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries
