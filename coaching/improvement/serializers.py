"""Improvement plans on the API: the plan (with checkpoints and history on one plan),
and the bodies of the manager's and the rep's writes. Ids name rows in the caller's
scope; anything else is 'does not exist', never 'forbidden'."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coaching.improvement.services import linkable_modules
from coaching.models import (
    CoachingSession,
    ImprovementCheckpoint,
    ImprovementEvent,
    ImprovementPlan,
    PlanOutcome,
)
from plans.models import Goal
from reporting.models import MonthlyReview, ReviewMiss
from salesmgmt.models import User

VERSION_HELP = _("The plan's version you read. A stale one answers 409 and changes nothing.")


@extend_schema_field(OpenApiTypes.INT)
class ScopedField(serializers.PrimaryKeyRelatedField):
    """A row among ``scoped(user)``: what the caller may see."""

    def __init__(self, scoped, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


def _visible_misses(user):
    return ReviewMiss.objects.filter(review__in=MonthlyReview.objects.visible_to(user))


class ImprovementCheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImprovementCheckpoint
        fields = ["id", "due", "what", "result", "done_at"]
        read_only_fields = fields


class ImprovementEventSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = ImprovementEvent
        fields = ["kind", "text", "by", "by_name", "at"]
        read_only_fields = fields

    def get_by_name(self, event) -> str:
        return str(event.by) if event.by else ""


class ImprovementPlanSerializer(serializers.ModelSerializer):
    next_checkpoint = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The earliest checkpoint not done yet.")
    )

    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "rep",
            "manager",
            "review",
            "miss",
            "goals_text",
            "goals",
            "support_text",
            "sessions",
            "modules",
            "starts_on",
            "ends_on",
            "outcome",
            "outcome_note",
            "acknowledged_at",
            "rep_comment",
            "next_checkpoint",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ImprovementPlanDetailSerializer(ImprovementPlanSerializer):
    """One plan with its checkpoints and its history (oldest first; never edited)."""

    checkpoints = ImprovementCheckpointSerializer(many=True, read_only=True)
    history = ImprovementEventSerializer(many=True, read_only=True, source="events")

    class Meta(ImprovementPlanSerializer.Meta):
        fields = [*ImprovementPlanSerializer.Meta.fields, "checkpoints", "history"]
        read_only_fields = fields


class CheckpointInSerializer(serializers.Serializer):
    due = serializers.DateField()
    what = serializers.CharField(max_length=200)


class _Links(serializers.Serializer):
    goals = ScopedField(
        lambda user: Goal.objects.visible_to(user),
        many=True,
        required=False,
        help_text=_("Ids of the rep's own goals."),
    )
    sessions = ScopedField(
        lambda user: CoachingSession.objects.visible_to(user),
        many=True,
        required=False,
        help_text=_("Ids of the rep's coaching sessions."),
    )
    modules = ScopedField(
        lambda user: linkable_modules(),
        many=True,
        required=False,
        help_text=_("Ids of active training modules."),
    )


class ImprovementPlanCreateSerializer(_Links):
    """Open a plan from a review miss caused by the rep (skill, effort), or for a rep
    without a miss and with a reason."""

    miss = ScopedField(
        _visible_misses,
        required=False,
        allow_null=True,
        help_text=_("The review miss the plan answers (its root cause must be skill or effort)."),
    )
    rep = ScopedField(
        lambda user: User.objects.visible_to(user).sales_reps(),
        required=False,
        help_text=_("The rep (a user id); taken from the miss when one is given."),
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Why, when the plan answers no miss.")
    )
    goals_text = serializers.CharField()
    support_text = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    checkpoints = CheckpointInSerializer(many=True, help_text=_("At least one: a date and what."))

    def validate(self, attrs):
        miss = attrs.get("miss")
        if miss is None and "rep" not in attrs:
            raise serializers.ValidationError({"rep": [_("Name the rep, or the miss it answers.")]})
        if miss is not None and attrs.setdefault("rep", miss.review.rep) != miss.review.rep:
            raise serializers.ValidationError(
                {"miss": [_("This miss is on another rep's review.")]}
            )
        return attrs


class ImprovementPlanUpdateSerializer(_Links):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    goals_text = serializers.CharField(required=False)
    support_text = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(
        required=False, help_text=_("Earlier only; to give more time, extend the plan.")
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class AcknowledgeSerializer(VersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class CommentSerializer(VersionSerializer):
    comment = serializers.CharField()


class ExtendSerializer(VersionSerializer):
    ends_on = serializers.DateField(help_text=_("The new end, after the current one."))
    note = serializers.CharField(required=False, allow_blank=True)


# Inline, not an enum component: the plan's own ``outcome`` enum (four values) keeps its name.
@extend_schema_field({"type": "string", "enum": [PlanOutcome.MET.value, PlanOutcome.NOT_MET.value]})
class ClosingOutcomeField(serializers.ChoiceField):
    pass


class CloseSerializer(VersionSerializer):
    outcome = serializers.ChoiceField(
        choices=[PlanOutcome.MET, PlanOutcome.NOT_MET], help_text=_("met or not_met.")
    )
    note = serializers.CharField(help_text=_("How the plan ended; the rep reads it."))


class CheckpointCreateSerializer(VersionSerializer):
    due = serializers.DateField(help_text=_("Within the plan's period."))
    what = serializers.CharField(max_length=200)


class CheckpointUpdateSerializer(VersionSerializer):
    result = serializers.CharField(required=False, allow_blank=True)
    done = serializers.BooleanField(required=False, help_text=_("Done (true) or not yet (false)."))
