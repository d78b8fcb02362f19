"""The OpenAPI document's ``webhooks`` section follows the registry."""

import pytest
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.validation import validate_schema
from rest_framework import serializers

from salesmgmt.models import WebhookEventType
from salesmgmt.webhooks import registry


class ThingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@pytest.fixture
def registered_goal_event():
    before = registry.registered()
    registry.register(WebhookEventType.GOAL_CHANGED, object_type="goal", serializer=ThingSerializer)
    yield
    registry._events.clear()
    registry._events.update(before)


def test_every_registered_event_and_ping_is_a_webhook_with_its_payload(registered_goal_event):
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS()
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["openapi"] == "3.1.0"
    assert {"goal.changed", "ping"} <= set(schema["webhooks"])
    operation = schema["webhooks"]["goal.changed"]["post"]
    assert operation["summary"] == "Goal changed"
    assert "hmac.compare_digest" in operation["description"]
    assert [p["name"] for p in operation["parameters"]] == [
        "X-Salesmgmt-Event",
        "X-Salesmgmt-Event-Id",
        "X-Salesmgmt-Delivery",
        "X-Salesmgmt-Signature",
    ]
    assert list(operation["responses"]) == ["200"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(envelope["properties"]) == {"id", "type", "occurred_at", "object", "data"}
    type_ref = envelope["properties"]["type"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][type_ref]["enum"] == ["goal.changed"]
    data_ref = envelope["properties"]["data"]["$ref"]
    assert data_ref.endswith("/Thing")
    assert set(schema["components"]["schemas"]["Thing"]["properties"]) == {"id", "name"}
