"""Commission plans and statements as the API shows them, and a manual adjustment's input."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.models import (
    BonusRule,
    CommissionAdjustment,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    StatementLine,
)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-03"})
class MonthField(serializers.DateField):
    """A statement's month as YYYY-MM."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class CommissionTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommissionTier
        fields = ["attainment_from", "rate"]
        read_only_fields = fields


class BonusRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = BonusRule
        fields = ["name", "attainment_at_least", "amount"]
        read_only_fields = fields


class CommissionPlanSerializer(serializers.ModelSerializer):
    quota_metric = serializers.SlugRelatedField(slug_field="key", read_only=True)
    tiers = CommissionTierSerializer(many=True, read_only=True)
    bonuses = BonusRuleSerializer(many=True, read_only=True)
    reps = serializers.SerializerMethodField(help_text=_("Members you can see (user ids)."))

    class Meta:
        model = CommissionPlan
        fields = ["id", "name", "rate", "cap", "quota_metric", "active", "tiers", "bonuses", "reps"]
        read_only_fields = fields

    def get_reps(self, plan) -> list[int]:
        return [person.pk for person in plan.visible_members]


class StatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["position", "kind", "description", "deal", "base", "rate", "amount"]
        read_only_fields = fields


class CommissionAdjustmentSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = CommissionAdjustment
        fields = ["id", "amount", "reason", "by", "at"]
        read_only_fields = fields


class AdjustmentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("Positive pays more, negative takes off.")
    )
    reason = serializers.CharField(max_length=200, help_text=_("Shown on the statement."))

    def validate_amount(self, value):
        if value == 0:
            raise serializers.ValidationError(_("Enter an amount other than 0."))
        return value


class CommissionStatementSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)
    adjustments = serializers.SerializerMethodField(
        help_text=_("The managers' manual adjustments of the month (also among the lines).")
    )

    class Meta:
        model = CommissionStatement
        fields = [
            "id",
            "rep",
            "month",
            "plan",
            "credited_value",
            "quota",
            "attainment",
            "commission",
            "bonus",
            "adjustment",
            "total",
            "computed_at",
            "lines",
            "adjustments",
        ]
        read_only_fields = fields

    @extend_schema_field(CommissionAdjustmentSerializer(many=True))
    def get_adjustments(self, statement) -> list:
        adjustments = [a for a in statement.rep.all_adjustments if a.month == statement.month]
        return CommissionAdjustmentSerializer(adjustments, many=True).data
