"""Shapes of deals, their moves and stage history on the API.

A stage is named by its key within the deal's pipeline, catalogue entries by key,
people and customers by id. Anything outside the caller's scope is "does not exist",
never "forbidden". Rules live in activities.deals.services, not here."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.customers.serializers import ScopedCustomerField, _default_rep
from activities.models import (
    Deal,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageTransition,
)
from salesmgmt.api_support import VERSION, ScopedRepField, require_version
from salesmgmt.models import CompanySettings


class ScopedDealField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Deal.objects.visible_to(self.context["request"].user)


# --- Deals ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class StageKeyField(serializers.Field):
    """A stage named by its key; which pipeline's stage is settled with the deal's pipeline."""

    default_error_messages = {"invalid": gettext_lazy("Name the stage by its key.")}

    def to_representation(self, value):
        return value.key

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        return data.strip()


def stage_by_key(context, pipeline: Pipeline, key: str) -> Stage:
    """The stage ``key`` of ``pipeline``; the small stage table is read once per request."""
    if "_stages" not in context:
        context["_stages"] = {(s.pipeline_id, s.key): s for s in Stage.objects.all()}
    try:
        return context["_stages"][(pipeline.pk, key)]
    except KeyError:
        raise serializers.ValidationError(
            {
                "stage": [
                    _("%(pipeline)s has no stage '%(key)s'.") % {"pipeline": pipeline, "key": key}
                ]
            }
        ) from None


class DealSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()
    owner = ScopedRepField(
        required=False, help_text=gettext_lazy("A rep; defaults to the caller (reps).")
    )
    pipeline = CachedSlugRelatedField(slug_field="key", queryset=Pipeline.objects.active())
    stage = StageKeyField(
        required=False,
        help_text=gettext_lazy(
            "Stage key within the pipeline; on create only (defaults to the first stage). "
            "Later changes go through the move action, which records them."
        ),
    )
    # Data, not interface: the stored name whatever the caller's language (keys and names
    # are what integrations match on).
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    # Plain text, not a second enum of stage kinds: the schema names each choice set once.
    status = serializers.CharField(
        source="stage.kind",
        read_only=True,
        help_text=gettext_lazy("open, won or lost: its stage's kind."),
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    products = CachedSlugRelatedField(
        slug_field="sku", queryset=Product.objects.active(), many=True, required=False
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    probability = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Percent; overrides the stage's default when set."),
    )
    win_probability = serializers.IntegerField(read_only=True)
    weighted_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    needs_attention = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Open, and without a next step, or its next step or expected close date has passed."
        )
    )
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("On create in a Lost stage; later through the move action."),
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "customer",
            "customer_name",
            "owner",
            "pipeline",
            "stage",
            "stage_name",
            "status",
            "products",
            "amount",
            "expected_close",
            "probability",
            "win_probability",
            "weighted_amount",
            "next_step",
            "next_step_date",
            "needs_attention",
            "lost_reason",
            "lost_note",
            "closed_on",
            "stage_entered_at",
            "source",
            "external_id",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "closed_on",
            "stage_entered_at",
            "source",
            "external_id",
            "created_at",
            "updated_at",
        ]
        validators = []  # (source, external_id) is set by the bulk endpoint only
        extra_kwargs = {"version": VERSION}

    def get_needs_attention(self, deal) -> bool:
        if "today" not in self.context:
            self.context["today"] = CompanySettings.load().today()
        return bool(deal.attention_reasons(self.context["today"]))

    def validate(self, attrs):
        if self.instance is None:
            _default_rep(self, attrs, "owner")
            if "stage" in attrs:
                attrs["stage"] = stage_by_key(self.context, attrs["pipeline"], attrs["stage"])
            return attrs
        require_version(self, attrs)
        deal = self.instance
        errors = {}
        if "pipeline" in attrs and attrs.pop("pipeline").pk != deal.pipeline_id:
            errors["pipeline"] = [_("A deal cannot move to another pipeline.")]
        if "stage" in attrs and attrs.pop("stage") != deal.stage.key:
            errors["stage"] = [
                _("Change the stage with the move action, so the change is recorded.")
            ]
        for name in ("lost_reason", "lost_note"):
            if name in attrs and attrs.pop(name) != getattr(deal, name):
                errors[name] = [_("Set it with the move action, together with the Lost stage.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DealMoveSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text=gettext_lazy("Key of a stage in the deal's pipeline."))
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Required when moving to a Lost stage."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        help_text=gettext_lazy(
            "The deal's version you read; if it changed since, the answer is 409. "
            "Without it the move is checked against the deal as it stands."
        ),
    )


class StageTransitionSerializer(serializers.ModelSerializer):
    from_stage = serializers.SlugRelatedField(
        slug_field="key",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Null on a deal's first."),
    )
    from_stage_name = serializers.CharField(
        source="from_stage.name", read_only=True, allow_null=True, default=None
    )
    to_stage = serializers.SlugRelatedField(slug_field="key", read_only=True)
    to_stage_name = serializers.CharField(source="to_stage.name", read_only=True)
    by_name = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = StageTransition
        fields = [
            "id",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "at",
            "by",
            "by_name",
            "note",
        ]


class DealBulkEntrySerializer(DealSerializer):
    """One deal as the source system sees it, whole: fields left out take their
    empty value (no products, no probability override, no next step)."""

    customer = ScopedCustomerField(required=False)
    customer_external_id = serializers.CharField(
        max_length=100,
        required=False,
        write_only=True,
        help_text=gettext_lazy("Instead of `customer`: the customer's external_id."),
    )
    stage = StageKeyField(help_text=gettext_lazy("Stage key within the pipeline."))
    source = serializers.SlugField(
        max_length=40, help_text=gettext_lazy("Your system's name, e.g. 'erp'.")
    )
    external_id = serializers.CharField(
        max_length=100, help_text=gettext_lazy("The deal's id in your system.")
    )

    class Meta(DealSerializer.Meta):
        fields = [
            "source",
            "external_id",
            "title",
            "customer",
            "customer_external_id",
            "owner",
            "pipeline",
            "stage",
            "products",
            "amount",
            "expected_close",
            "probability",
            "next_step",
            "next_step_date",
            "lost_reason",
            "lost_note",
        ]
        read_only_fields = []

    def validate(self, attrs):
        by_external_id = attrs.pop("customer_external_id", None)
        if by_external_id is not None:
            if "customer" in attrs:
                raise serializers.ValidationError(
                    {"customer": [_("Send customer or customer_external_id, not both.")]}
                )
            customer = self.context.get("customers_by_external_id", {}).get(by_external_id)
            if customer is None:
                raise serializers.ValidationError(
                    {
                        "customer_external_id": [
                            _("No customer has external_id '%(id)s'.") % {"id": by_external_id}
                        ]
                    }
                )
            attrs["customer"] = customer
        elif "customer" not in attrs:
            raise serializers.ValidationError({"customer": [_("This field is required.")]})
        attrs = super().validate(attrs)
        attrs.setdefault("products", [])
        for name, empty in (
            ("probability", None),
            ("next_step", ""),
            ("next_step_date", None),
            ("lost_reason", None),
            ("lost_note", ""),
        ):
            attrs.setdefault(name, empty)
        return attrs
