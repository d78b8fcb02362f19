import re
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.customers.serializers import ScopedCustomerField
from activities.deals.serializers import ScopedDealField
from activities.models import Activity, ActivitySource, Channel, Metric, Product
from salesmgmt.api_support import VERSION, ScopedRepField, require_version


class ActivitySerializer(serializers.ModelSerializer):
    rep = ScopedRepField(required=False, help_text=gettext_lazy("Defaults to the caller."))
    metric = CachedSlugRelatedField(slug_field="key", queryset=Metric.objects.active())
    channel = CachedSlugRelatedField(
        slug_field="key", queryset=Channel.objects.active(), required=False, allow_null=True
    )
    product = CachedSlugRelatedField(
        slug_field="sku", queryset=Product.objects.active(), required=False, allow_null=True
    )
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    customer = ScopedCustomerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "A customer you can see; set from the deal when only `deal` is sent."
        ),
    )
    deal = ScopedDealField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("A deal you can see, of `customer` if both."),
    )

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
            "customer",
            "deal",
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
                {"quantity": _("%(metric)s is counted in whole numbers.") % {"metric": metric}}
            )
        return attrs


RESERVED_SOURCES = {ActivitySource.MANUAL, ActivitySource.API}


# Characters DRF's CharField refuses (null, lone surrogates).
UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")


class IngestListSerializer(serializers.ListSerializer):
    """A batch of entries. DRF runs a dozen steps per field of each row (30 us a field,
    about 1 s for 10,000 rows); a row in the plain shape integrations send (strings for
    day, keys and text, a number or numeric string for quantity) is checked here against
    the same rules with the same field lookups instead. Any row this does not accept
    goes through the entry serializer, which stays the authority on what is wrong, so
    messages do not change (tests pin that both agree on every shape)."""

    def run_child_validation(self, data):
        plain = self.plain_entry(data)
        return plain if plain is not None else super().run_child_validation(data)

    def plain_entry(self, row) -> dict | None:
        """The validated entry if ``row`` is plain and valid, else None."""
        if not isinstance(row, dict):
            return None
        fields = self.child.fields
        entry = {}
        try:
            if "rep" in row:
                entry["rep"] = fields["rep"].to_internal_value(row["rep"])
            day = row.get("day")
            if not isinstance(day, str) or len(day) != 10:
                return None
            entry["day"] = date.fromisoformat(day)
            metric = row.get("metric")
            if not isinstance(metric, str) or not metric:
                return None
            entry["metric"] = metric = fields["metric"].to_internal_value(metric)
            quantity = row.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int | str):
                return None
            entry["quantity"] = quantity = fields["quantity"].to_internal_value(quantity)
            if quantity < 0 or (not metric.is_money and quantity % 1):
                return None
            for name in ("channel", "product"):
                if name in row:
                    value = row[name]
                    if value is not None:
                        if not isinstance(value, str) or not value:
                            return None
                        value = fields[name].to_internal_value(value)
                    entry[name] = value
        except (serializers.ValidationError, ValueError):
            return None
        for name in ("note", "source", "external_id"):
            field = fields[name]
            if name not in row:
                if field.required:
                    return None
                continue
            value = row[name]
            if not isinstance(value, str):
                return None
            value = value.strip()
            if (
                (not value and not field.allow_blank)
                or len(value) > field.max_length
                or UNSAFE_TEXT.search(value)
            ):
                return None
            entry[name] = value
        if entry["source"] in RESERVED_SOURCES:
            return None
        return entry


class IngestEntrySerializer(ActivitySerializer):
    source = serializers.CharField(max_length=40)
    external_id = serializers.CharField(max_length=100)

    def validate_source(self, value):
        if value in RESERVED_SOURCES:
            raise serializers.ValidationError(
                _("'%(source)s' is reserved for the app's own entries; name your system instead.")
                % {"source": value}
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
        list_serializer_class = IngestListSerializer


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ActivityBatchSerializer(serializers.Serializer):
    """The payload of ``activities.logged``: one write to the log (a day log saved, an
    activity created by API, a bulk ingest call), with its activities as the activity API
    shows them. Built by the services (``activities.log.services.ActivityBatch``)."""

    id = serializers.CharField(source="pk", help_text=gettext_lazy("The batch's own id."))
    source = serializers.CharField(
        help_text=gettext_lazy("manual (a day log), api, or the ingesting system; '' if mixed.")
    )
    rep = serializers.IntegerField(
        source="rep.pk", allow_null=True, help_text=gettext_lazy("Null when several reps.")
    )
    day = serializers.DateField(allow_null=True, help_text=gettext_lazy("Null when several days."))
    by = serializers.IntegerField(source="by.pk", help_text=gettext_lazy("Who wrote it."))
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    count = serializers.IntegerField(help_text=gettext_lazy("How many activities follow."))
    activities = ActivitySerializer(many=True)
