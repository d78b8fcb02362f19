from rest_framework import serializers

from activities.models import Activity, ActivitySource, Channel, Metric, Product
from salesmgmt.models import User


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "key", "name", "unit", "kind", "active", "position"]


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "key", "name", "active"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "active"]


class CachedSlugRelatedField(serializers.SlugRelatedField):
    """Looks every value up in one query per request, so a 10,000-row batch
    costs one query per field, not one per row."""

    def to_internal_value(self, data):
        if not hasattr(self, "_by_slug"):
            self._by_slug = {str(getattr(o, self.slug_field)): o for o in self.get_queryset()}
        try:
            return self._by_slug[str(data)]
        except KeyError:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))


class ScopedRepField(serializers.PrimaryKeyRelatedField):
    """A rep the caller can see; anyone else is 'not found', never 'forbidden'."""

    def get_queryset(self):
        request = self.context["request"]
        return User.objects.visible_to(request.user).sales_reps()

    def to_internal_value(self, data):
        if not hasattr(self, "_by_pk"):
            self._by_pk = {o.pk: o for o in self.get_queryset()}
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self._by_pk[int(data)]
        except (KeyError, ValueError):
            self.fail("does_not_exist", pk_value=data)


VERSION = {
    "required": False,
    "help_text": "The version you read. Required on update; a stale one answers 409.",
}


def require_version(serializer, attrs):
    if serializer.instance is not None and "version" not in attrs:
        raise serializers.ValidationError(
            {"version": ["Send the version you read, so a newer save is not overwritten."]}
        )


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
