from rest_framework import serializers

from salesmgmt.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from salesmgmt.webhooks.forms import check_receiver_url, subscribable_events


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=subscribable_events()),
        allow_empty=False,
        help_text="The event types to receive (see the `webhooks` section of this document).",
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=80,
        help_text="The signing secret. Generated when left out on create; shown only in the "
        "create response. Write a new one to rotate it.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "secret",
            "consecutive_failures",
            "disabled_at",
            "created_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_at", "created_at"]

    def validate_url(self, value):
        try:
            check_receiver_url(value)
        except Exception as exc:  # a Django ValidationError: the field's message
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_events(self, value):
        return sorted(set(value))


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """The create response: the one time the API shows the secret."""

    secret = serializers.CharField(read_only=True)


class WebhookEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = WebhookEvent
        fields = ["id", "type", "occurred_at", "object_type", "object_id"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = WebhookEventSerializer(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "status",
            "attempts",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "response_code",
            "response_excerpt",
            "error",
            "duration_ms",
        ]
        read_only_fields = fields
