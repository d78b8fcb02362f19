"""Webhooks out: events recorded in the changing transaction (the outbox), delivered
by Celery after commit, signed, retried with back-off.

A delivery is claimed before it is sent: its ``next_attempt_at`` moves a lease ahead
(WEBHOOK_LEASE_SECONDS), so a worker killed mid-request leaves a row that the sweep
(deliver_due_webhooks, every minute) sends again once the lease has passed. Receivers
therefore get every event at least once and deduplicate on its id. Deliveries of one
object to one endpoint go out in event order: a delivery waits while an earlier one of
the same object to the same endpoint is still pending.
"""

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from salesmgmt.models import (
    NotificationKind,
    Role,
    User,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from salesmgmt.webhooks import delivery as wire

Status = WebhookDeliveryStatus
# Retries: 30 s, doubling, at most an hour apart, for a day; then the delivery failed.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)
RETRY_FOR = timedelta(days=1)


def endpoints_wanting(event_type) -> list[WebhookEndpoint]:
    """The endpoints that get ``event_type`` (one query): the active ones subscribed to
    it, and those disabled after failures, whose deliveries wait for them to be turned
    back on (an admin switching one off stops its events; a failing receiver loses none)."""
    receiving = Q(is_active=True) | Q(disabled_at__isnull=False)
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(receiving).only("pk", "events")
        if str(event_type) in endpoint.events
    ]


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
    endpoints = endpoints_wanting(event_type)
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
    # salesmgmt.jobs imports this module: importing it here breaks the cycle.
    from salesmgmt.jobs import deliver_webhook_task, enqueue  # noqa: PLC0415

    for delivery_id in delivery_ids:
        enqueue(deliver_webhook_task, delivery_id)


# --- Sending ----------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, ... 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def _earlier_pending():
    """A pending delivery of the same object, to the same endpoint, of an earlier event."""
    return WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"),
        event__object_type=OuterRef("event__object_type"),
        event__object_id=OuterRef("event__object_id"),
        event__lt=OuterRef("event"),
        status=Status.PENDING,
    )


def _claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    """Take the delivery if it is due, its endpoint active, nothing earlier of its object
    waiting, and no one else holds it; lease it before anything is sent."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.filter(
                pk=delivery_id,
                status=Status.PENDING,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
            )
            .exclude(Exists(_earlier_pending()))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def deliver(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one delivery if it is due; record the answer. Returns the new status, or None
    if there was nothing to send (not due, held by another worker, waiting its turn)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return None
    body = wire.body_of(delivery.event)
    headers = wire.headers_for(delivery, body, timestamp=int(time.time()))
    outcome = wire.post(delivery.endpoint.url, body, headers)
    return _record(delivery, outcome, headers=headers, now=timezone.now())


def _record(delivery: WebhookDelivery, outcome: wire.Outcome, *, headers, now) -> str:
    delivery.response_code = outcome.status
    delivery.response_excerpt = outcome.excerpt
    delivery.error = outcome.error
    delivery.duration_ms = outcome.duration_ms
    delivery.request_headers = headers
    endpoint = delivery.endpoint
    if outcome.ok:
        delivery.status, delivery.delivered_at = Status.SUCCEEDED, now
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        if not delivery.error:
            delivery.error = str(_("The receiver answered %(code)s.") % {"code": outcome.status})
        retry_at = now + backoff(delivery.attempts)
        give_up_at = (delivery.requeued_at or delivery.event.occurred_at) + RETRY_FOR
        if retry_at > give_up_at:
            delivery.status = Status.FAILED
        else:
            delivery.next_attempt_at = retry_at
        _count_failure(endpoint, now=now)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "response_code",
            "response_excerpt",
            "error",
            "duration_ms",
            "request_headers",
        ]
    )
    if delivery.status != Status.PENDING:
        _queue_next_of_object(delivery)
    return delivery.status


def _queue_next_of_object(delivery: WebhookDelivery) -> None:
    """The next pending delivery of the same object to the same endpoint may go now."""
    following = (
        WebhookDelivery.objects.filter(
            endpoint=delivery.endpoint_id,
            event__object_type=delivery.event.object_type,
            event__object_id=delivery.event.object_id,
            status=Status.PENDING,
        )
        .order_by("event")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        queue_deliveries([following])


def _count_failure(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    """One more failed attempt in a row; at the limit the endpoint is disabled (once:
    the conditional update lets one worker do it) and every admin is told."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk,
        is_active=True,
        consecutive_failures__gte=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
    ).update(is_active=False, disabled_at=now)
    if disabled:
        _tell_admins_disabled(endpoint, now=now)


def _tell_admins_disabled(endpoint: WebhookEndpoint, *, now: datetime) -> None:
    # notify imports salesmgmt.jobs, which imports this module.
    from salesmgmt.notifications.services import notify  # noqa: PLC0415

    url = reverse("webhooks:edit", args=[endpoint.pk])
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    for admin in admins:
        notify(
            user=admin,
            kind=NotificationKind.WEBHOOK_DISABLED,
            key=f"webhook-disabled:{endpoint.pk}:{now.isoformat()}",
            title=format_lazy(_("Webhook endpoint {name} was disabled"), name=str(endpoint)[:120]),
            body=format_lazy(
                _(
                    "Its last {count} delivery attempts failed. Fix the receiver, then "
                    "activate the endpoint again; the deliveries waiting for it resume."
                ),
                count=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
            ),
            url=url,
        )


@dataclass
class Sweep:
    queued: int = 0


def deliver_due_webhooks(*, now: datetime | None = None, limit: int = 500) -> Sweep:
    """Queue every due pending delivery that is first in line for its object: the ones
    whose task was lost, whose retry time has come, or whose worker died mid-send."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .exclude(Exists(_earlier_pending()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queue_deliveries(due)
    return Sweep(queued=len(due))


# --- What admins do ------------------------------------------------------------------------------


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def create_endpoint(
    *, url: str, events: list[str], description: str = "", is_active: bool = True, by: User
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=url,
        events=sorted(events),
        description=description,
        is_active=is_active,
        secret=new_secret(),
        created_by=by,
    )


@transaction.atomic
def update_endpoint(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change an endpoint. Activating it again clears the failure count, and its waiting
    deliveries are due at once."""
    reactivated = changes.get("is_active") and not endpoint.is_active
    for name, value in changes.items():
        setattr(endpoint, name, sorted(value) if name == "events" else value)
    if reactivated:
        endpoint.consecutive_failures, endpoint.disabled_at = 0, None
        now = timezone.now()
        WebhookDelivery.objects.filter(endpoint=endpoint, status=Status.PENDING).update(
            next_attempt_at=now, requeued_at=now
        )
        transaction.on_commit(lambda: deliver_due_webhooks())
    endpoint.save()
    return endpoint


def rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    # Its deliveries go with it; events other endpoints still deliver stay.
    endpoint.delete()


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again (same event id: receivers deduplicate), with a fresh
    day of retries."""
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, requeued_at=now
    )
    delivery.refresh_from_db()
    transaction.on_commit(lambda: queue_deliveries([delivery.pk]))
    return delivery


@transaction.atomic
def send_test_event(*, endpoint: WebhookEndpoint, by: User) -> WebhookDelivery:
    """A ``ping`` event to this endpoint only, whatever it subscribes to: the object is
    the endpoint itself."""
    event = WebhookEvent.objects.create(
        uuid=uuid.uuid4(),
        type=WebhookEventType.PING,
        object_type="webhook_endpoint",
        object_id=str(endpoint.pk),
        data={"message": "Test event from Salesmgmt", "sent_by": by.username},
    )
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint)
    transaction.on_commit(lambda: queue_deliveries([delivery.pk]))
    return delivery
