from rest_framework import serializers

from salesmgmt.calendar_feeds.selectors import feed_url
from salesmgmt.models import CalendarFeed


class CalendarFeedSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)
    url = serializers.SerializerMethodField(help_text="The feed's address; null once revoked.")
    webcal_url = serializers.SerializerMethodField(
        help_text="The same address as webcal://, which opens a calendar app."
    )

    class Meta:
        model = CalendarFeed
        fields = ["active", "url", "webcal_url", "created_at", "last_fetched_at", "revoked_at"]
        read_only_fields = fields

    def get_url(self, feed) -> str | None:
        return feed_url(feed) if feed.is_active else None

    def get_webcal_url(self, feed) -> str | None:
        return feed_url(feed, webcal=True) if feed.is_active else None


class CalendarFeedRequestSerializer(serializers.Serializer):
    reset = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: a new address even if the feed is on; the old one stops working.",
    )
