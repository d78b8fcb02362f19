"""Shapes of customers, contacts, deals, stages and tasks on the API.

Catalogue entries are named by their key (channel, lost reason, pipeline,
product sku; a stage by its key within the deal's pipeline); people,
customers and deals by id. Anything outside the caller's scope is "does not
exist", never "forbidden". Rules live in activities.services, not here.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import (
    Channel,
    Contact,
    Customer,
    Deal,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageTransition,
    Task,
)
from activities.serializers import VERSION, CachedSlugRelatedField, ScopedRepField, require_version
from salesmgmt.models import CompanySettings
from salesmgmt.web import EARLIEST, LATEST

# --- Configuration: lost reasons, pipelines, stages ---------------------------------------


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "key", "name", "active", "position"]


class StageSerializer(serializers.ModelSerializer):
    pipeline = serializers.SlugRelatedField(slug_field="key", queryset=Pipeline.objects.all())
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="Default win probability, percent."
    )

    class Meta:
        model = Stage
        fields = ["id", "pipeline", "key", "name", "position", "probability", "kind"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "key", "name", "active", "position", "stages"]


# --- Scoped references --------------------------------------------------------------------


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer the caller can see. A bulk request hands in the rows it
    needs as ``context["customers"]`` ({id: customer}), saving a query per row."""

    def get_queryset(self):
        return Customer.objects.visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        preloaded = self.context.get("customers")
        if preloaded is None:
            return super().to_internal_value(data)
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return preloaded[int(data)]
        except (KeyError, ValueError):
            self.fail("does_not_exist", pk_value=data)


class ScopedDealField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Deal.objects.visible_to(self.context["request"].user)


def _default_rep(serializer, attrs, field):
    """Reps act for themselves without naming themselves; anyone else names the rep."""
    if serializer.instance is None and attrs.get(field) is None:
        user = serializer.context["request"].user
        if not user.is_rep:
            raise serializers.ValidationError({field: ["Say which rep this is for."]})
        attrs[field] = user


# As on weekly plans and goals: responses carry `version`; an update must send the
# version it read (400 without one) and a stale one answers 409 with nothing saved.
# --- Customers and contacts -----------------------------------------------------------------


class CustomerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "role", "phone", "email"]


class ContactSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "role", "phone", "email"]


class CustomerSerializer(serializers.ModelSerializer):
    owner = ScopedRepField(required=False, help_text="A rep; defaults to the caller (reps).")
    source_channel = CachedSlugRelatedField(
        slug_field="key", queryset=Channel.objects.active(), required=False, allow_null=True
    )
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text="Required when the status is did_not_buy or lost; cleared otherwise.",
    )
    contacts = CustomerContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "owner",
            "status",
            "segment",
            "source_channel",
            "lost_reason",
            "lost_note",
            "city",
            "phone",
            "email",
            "external_id",
            "contacts",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"version": VERSION}

    def validate(self, attrs):
        _default_rep(self, attrs, "owner")
        require_version(self, attrs)
        return attrs


# --- Deals ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class StageKeyField(serializers.Field):
    """A stage named by its key; which pipeline's stage is settled with the deal's pipeline."""

    default_error_messages = {"invalid": "Name the stage by its key."}

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
            {"stage": [f"{pipeline} has no stage '{key}'."]}
        ) from None


class DealSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField()
    owner = ScopedRepField(required=False, help_text="A rep; defaults to the caller (reps).")
    pipeline = CachedSlugRelatedField(slug_field="key", queryset=Pipeline.objects.active())
    stage = StageKeyField(
        required=False,
        help_text="Stage key within the pipeline; on create only (defaults to the first stage). "
        "Later changes go through the move action, which records them.",
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    # Plain text, not a second enum of stage kinds: the schema names each choice set once.
    status = serializers.CharField(
        source="stage.kind", read_only=True, help_text="open, won or lost: its stage's kind."
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
        help_text="Percent; overrides the stage's default when set.",
    )
    win_probability = serializers.IntegerField(read_only=True)
    weighted_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    needs_attention = serializers.SerializerMethodField()
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text="On create in a Lost stage; later through the move action.",
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
        today = self.context["today"]
        return deal.stage.is_open and (
            not deal.next_step or deal.next_step_date is None or deal.next_step_date < today
        )

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
            errors["pipeline"] = ["A deal cannot move to another pipeline."]
        if "stage" in attrs and attrs.pop("stage") != deal.stage.key:
            errors["stage"] = ["Change the stage with the move action, so the change is recorded."]
        for name in ("lost_reason", "lost_note"):
            if name in attrs and attrs.pop(name) != getattr(deal, name):
                errors[name] = ["Set it with the move action, together with the Lost stage."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DealMoveSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="Key of a stage in the deal's pipeline.")
    lost_reason = CachedSlugRelatedField(
        slug_field="key",
        queryset=LostReason.objects.active(),
        required=False,
        allow_null=True,
        help_text="Required when moving to a Lost stage.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        help_text="The deal's version you read; if it changed since, the answer is 409. "
        "Without it the move is checked against the deal as it stands.",
    )


class StageTransitionSerializer(serializers.ModelSerializer):
    from_stage = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True, help_text="Null on a deal's first."
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
        help_text="Instead of `customer`: the customer's external_id.",
    )
    stage = StageKeyField(help_text="Stage key within the pipeline.")
    source = serializers.SlugField(max_length=40, help_text="Your system's name, e.g. 'erp'.")
    external_id = serializers.CharField(max_length=100, help_text="The deal's id in your system.")

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
                    {"customer": ["Send customer or customer_external_id, not both."]}
                )
            customer = self.context.get("customers_by_external_id", {}).get(by_external_id)
            if customer is None:
                raise serializers.ValidationError(
                    {"customer_external_id": [f"No customer has external_id '{by_external_id}'."]}
                )
            attrs["customer"] = customer
        elif "customer" not in attrs:
            raise serializers.ValidationError({"customer": ["This field is required."]})
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


# --- Tasks ------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    assignee = ScopedRepField(required=False, help_text="A rep; defaults to the caller (reps).")
    customer = ScopedCustomerField(required=False, allow_null=True)
    deal = ScopedDealField(required=False, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "notes",
            "assignee",
            "created_by",
            "customer",
            "deal",
            "due_at",
            "priority",
            "done_at",
            "is_overdue",
            "version",
            "created_at",
        ]
        read_only_fields = ["created_by", "done_at", "created_at"]
        extra_kwargs = {"version": VERSION}

    def get_is_overdue(self, task) -> bool:
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return task.is_overdue(self.context["now"])

    def validate(self, attrs):
        _default_rep(self, attrs, "assignee")
        require_version(self, attrs)
        return attrs


class TaskStateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        help_text="The task's version you read; if it changed since, the answer is 409.",
    )


# --- Funnel and forecast figures ----------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    """Whose figures: ``scope`` and the id it needs; which pipeline; which period."""

    SCOPES = ["me", "rep", "team", "division", "company"]

    scope = serializers.ChoiceField(
        choices=SCOPES,
        required=False,
        help_text="Defaults to the widest view you have: company (admin), your division "
        "(director), your first team (manager), yourself (rep). A director's `company` "
        "is their division, as on the company dashboard.",
    )
    rep = serializers.IntegerField(required=False, help_text="With scope=rep.")
    team = serializers.IntegerField(required=False, help_text="With scope=team.")
    division = serializers.IntegerField(required=False, help_text="With scope=division.")
    pipeline = serializers.SlugField(required=False, help_text="A pipeline key.")


class FunnelQuerySerializer(ReportQuerySerializer):
    period = serializers.ChoiceField(
        choices=["month", "quarter", "last90"],
        required=False,
        default="month",
        help_text="A named period; `start` and `end` instead give any period.",
    )
    start = serializers.DateField(required=False, help_text="First day, with `end`.")
    end = serializers.DateField(required=False, help_text="Last day (included), with `start`.")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"end" if end is None else "start": ["Give both start and end, or neither."]}
            )
        if start and end:
            if start > end:
                raise serializers.ValidationError({"end": ["end must not be before start."]})
            if start < EARLIEST or end > LATEST:
                raise serializers.ValidationError(
                    {"start": [f"Give dates between {EARLIEST} and {LATEST}."]}
                )
            attrs["period"] = "custom"
        return attrs


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="e.g. team:3, division:1, rep:12, me, company")
    label = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="month, quarter, last90 or custom")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


def _percent(**kwargs):
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, read_only=True, **kwargs
    )


def _days(**kwargs):
    return serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, read_only=True, **kwargs
    )


def _money(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, **kwargs)


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.CharField(source="stage.key")
    name = serializers.CharField(source="stage.name")
    kind = serializers.CharField(source="stage.kind", help_text="open or won")
    entered = serializers.IntegerField(help_text="Deals that entered the stage in the period.")
    advanced = serializers.IntegerField(help_text="Of those, deals that later went further.")
    conversion = _percent(help_text="advanced / entered, percent; null for Won or no entries.")
    stays = serializers.IntegerField(help_text="Stays in the stage that ended in the period.")
    avg_days = _days(help_text="Average days of those stays.")


class OutcomesSerializer(serializers.Serializer):
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    hit_rate = _percent(help_text="won / (won + lost), percent.")
    won_amount = _money()
    avg_deal_size = _money(allow_null=True)
    avg_cycle_days = _days(help_text="Days from creation to close of won deals.")


class FunnelSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    pipeline = serializers.CharField(help_text="Pipeline key.")
    period = PeriodSerializer()
    stages = FunnelStageSerializer(many=True)
    outcomes = OutcomesSerializer()


class ForecastPeriodSerializer(PeriodSerializer):
    open_deals = serializers.IntegerField()
    weighted = _money(help_text="Sum of amount x win probability of open deals closing in it.")
    best_case = _money(help_text="Sum of amount of all open deals closing in it.")
    commit = _money(help_text="Sum of amount of those at or above the commit probability.")
    won_to_date = _money(help_text="Won from the period's first day to today.")


class ForecastSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    pipeline = serializers.CharField(allow_null=True, help_text="null: every pipeline.")
    commit_probability = serializers.IntegerField()
    periods = ForecastPeriodSerializer(many=True)
