from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.models import Channel, Metric, Product
from plans.models import Goal, GoalChange, GoalPeriod, GoalScope, Status
from salesmgmt.api_support import ScopedRepField
from salesmgmt.models import Division, Team
from salesmgmt.web import EARLIEST, LATEST

MONEY = {"max_digits": 14, "decimal_places": 2}
# Room for a percent of a tiny target (a 0.01 target met 100,000 times over is 10,000,000%):
# DRF refuses to render a figure with more digits than this, with a 500.
PERCENT = {"max_digits": 18, "decimal_places": 1}


def sane_day(day):
    """Periods are worked out from this day; year 1 or 9999 would overflow the arithmetic."""
    if not EARLIEST <= day <= LATEST:
        raise serializers.ValidationError(
            _("Give a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
        )


class GoalProgressSerializer(serializers.Serializer):
    """Pace figures of a goal as of a day (see reporting/goals.py for each definition)."""

    actual = serializers.DecimalField(**MONEY, help_text=_("Logged in the period up to as_of."))
    expected = serializers.DecimalField(
        **MONEY, help_text=_("Target x working days elapsed / working days in the period.")
    )
    attainment = serializers.DecimalField(
        **PERCENT, allow_null=True, help_text=_("actual / target, percent.")
    )
    pace = serializers.DecimalField(
        **PERCENT,
        allow_null=True,
        help_text=_("actual / expected, percent; null while nothing is expected yet."),
    )
    projection = serializers.DecimalField(
        **MONEY, allow_null=True, help_text=_("End-of-period value at the pace so far.")
    )
    projected_attainment = serializers.DecimalField(**PERCENT, allow_null=True)
    status = serializers.ChoiceField(
        choices=Status.values,
        help_text=_(
            "green, amber, red, or early: behind, but under a fifth of the period's "
            "working days are over (too early to tell)."
        ),
    )
    remaining = serializers.DecimalField(**MONEY, help_text=_("Still to do to reach the target."))
    working_days_done = serializers.IntegerField(source="elapsed.done")
    working_days_total = serializers.IntegerField(source="elapsed.total")


class RollupSerializer(serializers.Serializer):
    children_total = serializers.DecimalField(
        **MONEY, help_text=_("Sum of the goals one level below (same metric and period).")
    )
    children_count = serializers.IntegerField()
    gap = serializers.DecimalField(
        **MONEY,
        allow_null=True,
        help_text=_(
            "children_total - target: below 0 under-allocated, above 0 over-allocated; "
            "null when nothing is allocated."
        ),
    )
    state = serializers.ChoiceField(choices=["unallocated", "under", "matched", "over"])


class GoalSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(slug_field="key", read_only=True)
    product = serializers.SlugRelatedField(
        slug_field="sku",
        read_only=True,
        allow_null=True,
        help_text=_("The product's SKU: the goal counts only its activity. Null: every product."),
    )
    channels = serializers.SlugRelatedField(
        slug_field="key",
        many=True,
        read_only=True,
        help_text=_(
            "Channel keys: the goal counts activity through any of them. Empty: every channel."
        ),
    )
    label = serializers.CharField(
        read_only=True,
        help_text=_(
            'What the goal counts, as pages name it: "Sales value · Product A · Walk-in, Up-sell".'
        ),
    )
    owner_label = serializers.CharField(read_only=True)
    progress = GoalProgressSerializer(source="progress_info", read_only=True)
    rollup = RollupSerializer(
        source="rollup_info",
        read_only=True,
        allow_null=True,
        help_text=_("Team, division and company goals: the goals one level below; null for reps."),
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "scope",
            "rep",
            "team",
            "division",
            "owner_label",
            "metric",
            "product",
            "channels",
            "label",
            "period",
            "start",
            "end",
            "target",
            "stretch_target",
            "note",
            "version",
            "created_by",
            "created_at",
            "updated_at",
            "progress",
            "rollup",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _RepField(ScopedRepField):
    """A rep the caller can see (others: 'does not exist')."""


@extend_schema_field(OpenApiTypes.INT)
class _ScopedTeamField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Team.objects.visible_to(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class _ScopedDivisionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        user = self.context["request"].user
        if user.is_admin:
            return Division.objects.all()
        return Division.objects.filter(teams__in=Team.objects.visible_to(user)).distinct()


class GoalCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=GoalScope.choices)
    rep = _RepField(required=False, allow_null=True, help_text=_("For a rep goal."))
    team = _ScopedTeamField(required=False, allow_null=True, help_text=_("For a team goal."))
    division = _ScopedDivisionField(
        required=False, allow_null=True, help_text=_("For a division goal.")
    )
    metric = CachedSlugRelatedField(slug_field="key", queryset=Metric.objects.active())
    product = CachedSlugRelatedField(
        slug_field="sku",
        queryset=Product.objects.active(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("No product on sale has the SKU {value}.")},
        help_text=_("An active product's SKU: the goal counts only that product's activity."),
    )
    channels = CachedSlugRelatedField(
        slug_field="key",
        queryset=Channel.objects.active(),
        many=True,
        required=False,
        error_messages={"does_not_exist": _("No channel in use has the key {value}.")},
        help_text=_(
            "Active channel keys: the goal counts activity through any of them "
            "(default: every channel)."
        ),
    )
    period = serializers.ChoiceField(choices=GoalPeriod.choices)
    day = serializers.DateField(
        required=False,
        validators=[sane_day],
        help_text=_("Any day of the period (default: today); the goal runs over the whole period."),
    )
    target = serializers.DecimalField(**MONEY, min_value=0)
    stretch_target = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GoalUpdateSerializer(serializers.Serializer):
    target = serializers.DecimalField(**MONEY, min_value=0, required=False)
    stretch_target = serializers.DecimalField(**MONEY, min_value=0, required=False, allow_null=True)
    reason = serializers.CharField(help_text=_("Why the goal changes; the rep reads it."))
    version = serializers.IntegerField(
        help_text=_("The version you read; if the goal changed since, the answer is 409.")
    )


class GoalDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the goal is removed; the rep reads it."))
    version = serializers.IntegerField(
        help_text=_(
            "The version you read (or send it as a query parameter); if the goal "
            "changed since, the answer is 409."
        )
    )


class GoalChangeSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = GoalChange
        fields = [
            "id",
            "goal",
            "goal_label",
            "action",
            "by",
            "by_name",
            "at",
            "old_target",
            "new_target",
            "old_stretch",
            "new_stretch",
            "reason",
        ]


class ReverseFunnelQuerySerializer(serializers.Serializer):
    rep = serializers.IntegerField(required=False, help_text=_("Default: the caller (a rep)."))
    as_of = serializers.DateField(
        required=False, validators=[sane_day], help_text=_("Default: today in company time.")
    )


class FunnelStepSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key")
    rate = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text=_(
            "Next step's 90-day total / this step's; null on the last step or without history."
        ),
    )
    rate_source = serializers.ChoiceField(
        choices=["own", "team", "none", ""],
        help_text=_(
            "own: the rep's 90 days; team: the team's (the rep has none); none: not enough "
            "history; empty on the last step."
        ),
    )
    needed = serializers.IntegerField(allow_null=True, help_text=_("Rounded up; null: unknown."))
    per_week = serializers.IntegerField(
        allow_null=True, help_text=_("needed / weeks left, rounded up.")
    )
    did_total = serializers.DecimalField(**MONEY, help_text=_("The rep's own 90-day total."))
    did_per_week = serializers.DecimalField(max_digits=14, decimal_places=1)


class ReverseFunnelSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep.pk")
    goal = serializers.IntegerField(source="goal.pk")
    as_of = serializers.DateField()
    weeks_left = serializers.IntegerField()
    sales_needed = serializers.IntegerField(allow_null=True)
    from_value = serializers.BooleanField(help_text=_("The goal is on sales value."))
    average_deal = serializers.DecimalField(**MONEY, allow_null=True)
    average_deal_source = serializers.CharField()
    progress = GoalProgressSerializer()
    steps = FunnelStepSerializer(many=True)
