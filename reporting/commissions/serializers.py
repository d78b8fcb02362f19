"""Commission plans and statements as the API shows them (read-only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.models import (
    BonusRule,
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
    reps = serializers.SerializerMethodField(help_text="Members you can see (user ids).")

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


class CommissionStatementSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta:
        model = CommissionStatement
        fields = [
            "id",
            "rep",
            "month",
            "plan",
            "won_value",
            "quota",
            "attainment",
            "commission",
            "bonus",
            "total",
            "computed_at",
            "lines",
        ]
        read_only_fields = fields
