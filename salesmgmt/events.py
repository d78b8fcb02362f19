"""Emitting webhook events from the services, in one line each.

A service calls ``emit(event_type, instance)`` inside its transaction, once the change is
saved. The event's object type and payload serializer come from the registry each app
fills from its AppConfig.ready() (``salesmgmt.webhooks.registry``); the payload is built
only when some active endpoint wants the event (``emit_event``: one query otherwise).

There is no request when a job or a service emits, and the receiver is nobody in
particular, so serializers read with a *system* context: ``request.user`` is the
``SYSTEM`` viewer, who sees the whole company as an admin would (figures such as a
customer's last activity are company-wide) but coaches nobody, so nothing private to one
person (a coach's private notes) leaves in a payload.
"""

import uuid
from collections.abc import Callable, Iterable
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from salesmgmt.models import WebhookDelivery, WebhookEvent
from salesmgmt.webhooks import registry
from salesmgmt.webhooks.services import emit_event, endpoints_wanting, queue_deliveries


class SystemViewer:
    """Stands in for ``request.user`` when an event's object is serialized."""

    pk = id = None
    is_authenticated = is_active = True
    is_admin = True
    is_superuser = False
    is_rep = is_manager = is_director = False
    reviews_plans = False  # coaches nobody: no private notes
    language = ""
    tzinfo = None

    def __str__(self):
        return "system"


SYSTEM = SystemViewer()


def system_context(**extra) -> dict:
    """The serializer context of an event payload: no request, the system viewer."""
    request = SimpleNamespace(user=SYSTEM, query_params={}, method="GET")
    return {"request": request, "now": timezone.now(), **extra}


def emit(event_type, instance=None, *, load=None, object_id=None, **context):
    """Record ``event_type`` about ``instance`` (or, read lazily, ``load()``), its payload
    the registered API serializer's view of it. Returns the WebhookEvent or None."""
    object_type, _serializer = registry.registered()[str(event_type)]

    def data() -> dict:
        obj = load() if load is not None else instance
        return registry.serialize(event_type, obj, **system_context(**context))

    return emit_event(
        event_type,
        object_type=object_type,
        object_id=object_id if object_id is not None else instance.pk,
        data=data,
    )


def emit_many(
    event_type,
    instances: Iterable,
    *,
    load_many: Callable[[list], list] | None = None,
    **context,
) -> list[WebhookEvent]:
    """``emit`` for many objects at once (imports, bulk API, jobs): one event per object,
    written in bulk: one query when no endpoint wants the type, else a handful whatever
    the number of objects. ``load_many(instances)`` may re-read them the way the API
    does (same order)."""
    instances = list(instances)
    if not instances:
        return []
    endpoints = endpoints_wanting(event_type)
    if not endpoints:
        return []
    object_type, serializer = registry.registered()[str(event_type)]
    objects = load_many(instances) if load_many is not None else instances
    payloads = serializer(objects, many=True, context=system_context(**context)).data
    now = timezone.now()
    events = WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                uuid=uuid.uuid4(),
                type=str(event_type),
                occurred_at=now,
                object_type=object_type,
                object_id=str(obj.pk),
                data=payload,
            )
            for obj, payload in zip(objects, payloads, strict=True)
        ],
        batch_size=500,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(event=event, endpoint=endpoint)
            for event in events
            for endpoint in endpoints
        ],
        batch_size=500,
    )
    # SQLite and PostgreSQL return the new rows' ids from bulk_create.
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: queue_deliveries(ids))
    return events
