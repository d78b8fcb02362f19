"""The ``webhooks`` section of the OpenAPI document (OpenAPI 3.1): one entry per event
type registered in salesmgmt.webhooks.registry, so an app that registers its events
appears without touching this file. Used by salesmgmt.api_schema.SalesmgmtSchemaGenerator.
"""

from drf_spectacular.utils import (
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from salesmgmt.models import WebhookEventType
from salesmgmt.webhooks import registry

DELIVERY_DESCRIPTION = """\
Salesmgmt POSTs this JSON to every active endpoint subscribed to the event, signed with
the endpoint's secret. Answer with any 2xx within 5 seconds (connect: 3 s); anything else,
a redirect included (redirects are not followed), is a failure, retried with back-off
(30 s, doubling, at most an hour apart) for a day after the event. An endpoint is
disabled after 15 failed attempts in a row. Delivery is at least once: deduplicate on
`id` (also in `X-Salesmgmt-Event-Id`). Events about one object reach one endpoint in the
order they happened.

Verify `X-Salesmgmt-Signature` (`t=<unix seconds>,v1=<hex HMAC-SHA256>`) over the raw body:

```python
import hashlib, hmac, time

def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, signature = int(parts["t"]), parts["v1"]
    if abs(time.time() - timestamp) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature)
```
"""

# Raw header parameters: drf-spectacular leaves a webhook's parameters out, so the
# generator adds these to every webhook operation.
HEADERS = [
    {
        "name": name,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }
    for name, description in [
        ("X-Salesmgmt-Event", "The event type."),
        (
            "X-Salesmgmt-Event-Id",
            "The event id (the body's `id`): the same on every retry and redelivery.",
        ),
        (
            "X-Salesmgmt-Delivery",
            "The delivery id (one per event and endpoint), as in the delivery log and "
            "`/api/v1/webhook-deliveries/{id}/`.",
        ),
        (
            "X-Salesmgmt-Signature",
            '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.',
        ),
    ]
]


class WebhookObjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="What the event is about, e.g. `deal`.")
    id = serializers.CharField(help_text="Its id, as a string.")


PING_DATA = inline_serializer(
    "WebhookPingData",
    {"message": serializers.CharField(), "sent_by": serializers.CharField()},
)


def _component_name(event_type: str) -> str:
    words = event_type.replace(".", "_").split("_")
    return "WebhookEvent" + "".join(w.capitalize() for w in words)


def _webhook(event_type: str, object_type: str, data) -> OpenApiWebhook:
    label = WebhookEventType(event_type).label if event_type in WebhookEventType else event_type
    body = inline_serializer(
        _component_name(event_type),
        {
            "id": serializers.UUIDField(help_text="The event id: deduplicate on it."),
            "type": serializers.ChoiceField(choices=[event_type]),
            "occurred_at": serializers.DateTimeField(help_text="When it happened (UTC)."),
            "object": WebhookObjectSerializer(
                help_text=f"Always of type `{object_type}` for this event."
            ),
            "data": data,
        },
    )
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=str(label),
            description=DELIVERY_DESCRIPTION,
            request=body,
            responses={
                200: OpenApiResponse(
                    description="Received (any 2xx); the body is ignored but for a "
                    "300-character excerpt kept in the delivery log."
                )
            },
        ),
    )


def webhook_definitions() -> list[OpenApiWebhook]:
    """One webhook per registered event type, and the test event."""
    hooks = [
        _webhook(event_type, object_type, serializer())
        for event_type, (object_type, serializer) in sorted(registry.registered().items())
    ]
    hooks.append(_webhook(WebhookEventType.PING.value, "webhook_endpoint", PING_DATA))
    return hooks
