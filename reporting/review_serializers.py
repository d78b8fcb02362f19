"""Monthly reviews on the API: the review with its computed figures, and the bodies of
the manager's and the rep's writes."""

from rest_framework import serializers

from .models import MonthlyReview, ReviewActionItem, ReviewMiss, RootCause

VERSION_HELP = "The version you read. A stale one answers 409 and changes nothing."


class ReviewMissSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewMiss
        fields = ["id", "key", "label", "expected", "actual", "root_cause", "note", "stale"]
        read_only_fields = fields


class ReviewActionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewActionItem
        fields = ["id", "text", "due", "task", "created_by", "created_at"]
        read_only_fields = fields


class MonthlyReviewSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    month = serializers.DateField(read_only=True, help_text="First day of the month reviewed.")
    figures = serializers.JSONField(
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
            "recognition",
            "misses",
            "actions",
            "shared_at",
            "shared_by",
            "acknowledged_at",
            "rep_comment",
            "version",
        ]
        read_only_fields = fields


class ReviewNotesSerializer(serializers.Serializer):
    """PATCH body: any of the manager's three texts, with the version read."""

    version = serializers.IntegerField(help_text=VERSION_HELP)
    manager_notes = serializers.CharField(required=False, allow_blank=True)
    coaching_remarks = serializers.CharField(required=False, allow_blank=True)
    recognition = serializers.CharField(
        required=False, allow_blank=True, help_text="Kudos and awards; kept apart from coaching."
    )


class ReviewVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class ReviewCommentSerializer(ReviewVersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MissCauseSerializer(serializers.Serializer):
    root_cause = serializers.ChoiceField(
        choices=RootCause.choices, allow_blank=True, help_text="Blank: not decided yet."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ActionItemCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    due = serializers.DateField()
