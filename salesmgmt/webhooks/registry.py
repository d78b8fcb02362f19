"""Which API serializer shows the object of each webhook event.

Events happen in every app, but the webhook machinery lives in core, which imports no
app above it. Each app says, from its AppConfig.ready(), how its events' objects look:

    registry.register(WebhookEventType.DEAL_WON, object_type="deal", serializer=DealSerializer)

The OpenAPI document describes each event's payload from this, and services use
``serialize`` to build the ``data`` of an event the way the API shows the object.
"""

from rest_framework import serializers

_events: dict[str, tuple[str, type[serializers.BaseSerializer]]] = {}


def register(
    event_type: str, *, object_type: str, serializer: type[serializers.BaseSerializer]
) -> None:
    _events[str(event_type)] = (object_type, serializer)


def registered() -> dict[str, tuple[str, type[serializers.BaseSerializer]]]:
    """event type -> (object type, serializer class), for every registered event."""
    return dict(_events)


def serialize(event_type: str, instance, **context) -> dict:
    """The object of an event as the API shows it (the registered serializer)."""
    _, serializer = _events[str(event_type)]
    return serializer(instance, context=context).data
