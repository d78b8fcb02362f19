from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.models import Activity, ActivitySource, Channel, Metric, Product
from salesmgmt.api_support import VERSION, ScopedRepField, require_version


class ActivitySerializer(serializers.ModelSerializer):
    rep = ScopedRepField(required=False, help_text="Defaults to the caller.")
    metric = CachedSlugRelatedField(slug_field="key", queryset=Metric.objects.active())
    channel = CachedSlugRelatedField(
        slug_field="key", queryset=Channel.objects.active(), required=False, allow_null=True
    )
    product = CachedSlugRelatedField(
        slug_field="sku", queryset=Product.objects.active(), required=False, allow_null=True
    )
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Activity
        fields = [
            "id",
            "rep",
            "day",
            "metric",
            "quantity",
            "channel",
            "product",
            "note",
            "source",
            "external_id",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["source", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"version": VERSION}

    def validate(self, attrs):
        require_version(self, attrs)
        # On a partial update the other half may be on the stored row.
        metric = attrs.get("metric", getattr(self.instance, "metric", None))
        quantity = attrs.get("quantity", getattr(self.instance, "quantity", None))
        if metric is not None and quantity is not None and not metric.is_money and quantity % 1:
            raise serializers.ValidationError(
                {"quantity": f"{metric.name} is counted in whole numbers."}
            )
        return attrs


RESERVED_SOURCES = {ActivitySource.MANUAL, ActivitySource.API}


class IngestEntrySerializer(ActivitySerializer):
    source = serializers.CharField(max_length=40)
    external_id = serializers.CharField(max_length=100)

    def validate_source(self, value):
        if value in RESERVED_SOURCES:
            raise serializers.ValidationError(
                f"'{value}' is reserved for the app's own entries; name your system instead."
            )
        return value

    class Meta(ActivitySerializer.Meta):
        fields = [
            "rep",
            "day",
            "metric",
            "quantity",
            "channel",
            "product",
            "note",
            "source",
            "external_id",
        ]
        read_only_fields = []
        validators = []  # (source, external_id) repeats are upserts, not errors


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
