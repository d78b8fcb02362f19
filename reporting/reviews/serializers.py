"""Monthly reviews on the API: the review with its computed figures, and the bodies of
the manager's and the rep's writes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.models import MonthlyReview, ReviewActionItem, ReviewMiss, RootCause

VERSION_HELP = _("The version you read. A stale one answers 409 and changes nothing.")

_ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
_PART = {"type": "object", "additionalProperties": True}
_NUMBER = {"type": "string", "nullable": True, "description": "A decimal as a string."}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "month": {"type": "string", "example": "2025-03"},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "currency": {"type": "string"},
            "plans": _PART | {"description": "Weekly plans: weeks, submitted, approved, ..."},
            "metrics": _ROWS | {"description": "Per metric: planned vs actual."},
            "goals": _ROWS | {"description": "The rep's goals: target, actual, attainment."},
            "kpis": _ROWS | {"description": "Each active KPI's value and status."},
            "pipeline": _PART | {"description": "Deals won, lost, opened; won value."},
            "missed": _PART | {"description": "Misses: plan items and goals not reached."},
            "tasks": _PART | {"description": "Tasks due, done on time, overdue."},
            "gaps": _ROWS | {"description": "The biggest shortfalls, worst first."},
            "wins": _ROWS | {"description": "What went well, for recognition."},
            "alerts": _ROWS
            | {
                "description": "The rep's deviation alerts open in the month (severity, opened, "
                "closed_on: null if open at month end) with their actions (kind, text, by, on, "
                "snoozed_until, task_done). Absent from reviews built before alerts had actions."
            },
            "summary": {
                "type": "object",
                "additionalProperties": True,
                "properties": {
                    "goal_attainment": _NUMBER,
                    "goal_metric": {"type": "string", "nullable": True},
                    "plans_submitted": {"type": "integer"},
                    "weeks": {"type": "integer"},
                    "won": {"type": "integer"},
                    "won_value": _NUMBER,
                    "task_on_time_rate": _NUMBER,
                    "gaps": {"type": "integer"},
                },
            },
        },
    }
)
class ReviewFiguresField(serializers.JSONField):
    """The computed figures, as stored (Decimals as strings)."""


class ReviewMissSerializer(serializers.ModelSerializer):
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices,
        allow_blank=True,
        read_only=True,
        help_text="Blank: not decided yet.",
    )

    class Meta:
        model = ReviewMiss
        fields = [
            "id",
            "key",
            "label",
            "expected",
            "actual",
            "root_cause",
            "note",
            "stale",
            "version",
        ]
        read_only_fields = fields


class ReviewActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewActionItem
        fields = ["id", "text", "due", "task", "created_by", "created_at"]
        read_only_fields = fields


class MonthlyReviewSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    month = serializers.DateField(read_only=True, help_text="First day of the month reviewed.")
    figures = ReviewFiguresField(
        read_only=True,
        help_text="Everything computed: plans, metrics (plan vs actual), goals, kpis, pipeline, "
        "missed, tasks, gaps, wins and summary. Money and percents are decimal strings.",
    )
    misses = ReviewMissSerializer(many=True, read_only=True)
    actions = ReviewActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = MonthlyReview
        fields = [
            "id",
            "rep",
            "rep_name",
            "month",
            "status",
            "figures",
            "generated_at",
            "manager_notes",
            "coaching_remarks",
            "misses",
            "actions",
            "shared_at",
            "shared_by",
            "acknowledged_at",
            "rep_comment",
            "version",
        ]
        read_only_fields = fields


RECOGNITION_MOVED = _("Recognition moved to /api/v1/kudos/ and /api/v1/awards/.")


class ReviewNotesSerializer(serializers.Serializer):
    """PATCH body: the manager's notes and coaching remarks, with the version read.
    (Recognition is kudos and awards, on /api/v1/kudos/ and /api/v1/awards/.)"""

    version = serializers.IntegerField(help_text=VERSION_HELP)
    manager_notes = serializers.CharField(required=False, allow_blank=True)
    coaching_remarks = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        # The review had a recognition text once: a client still sending it is told where
        # it went rather than answered 200 with nothing saved.
        if "recognition" in getattr(self, "initial_data", {}):
            raise serializers.ValidationError({"recognition": [RECOGNITION_MOVED]})
        return attrs


class ReviewVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class ReviewCommentSerializer(ReviewVersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MissCauseSerializer(serializers.Serializer):
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices, allow_blank=True, help_text=_("Blank: not decided yet.")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    version = serializers.IntegerField(
        help_text=_(
            "The miss's version you read (each miss has its own). A stale one answers 409 "
            "and changes nothing."
        )
    )


class ActionItemCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    due = serializers.DateField()
