"""Shapes of coaching sessions, their action items and focus areas on the API.

A session's ``private_notes`` is the coach's: the field is left out for a viewer who is
the session's rep (or anyone who does not coach reps)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import Deal
from coaching.models import CoachingSession, FocusArea, SessionActionItem
from reporting.models import DeviationEpisode, Kpi, MonthlyReview, ReviewMiss
from salesmgmt.api_support import VERSION, ScopedRepField


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["id", "key", "name", "active", "position"]


class _Scoped(serializers.PrimaryKeyRelatedField):
    """A related row the caller sees; anything else is 'does not exist'."""

    def __init__(self, scoped, **kwargs):
        self.scoped = scoped
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


def _episodes(user):
    return DeviationEpisode.objects.visible_to(user)


def _misses(user):
    return ReviewMiss.objects.filter(review__in=MonthlyReview.objects.visible_to(user).values("pk"))


def _deals(user):
    return Deal.objects.visible_to(user)


def _kpis(user):
    return Kpi.objects.active()


def _areas(user):
    return FocusArea.objects.active()


class CoachingActionItemSerializer(serializers.ModelSerializer):
    done_at = serializers.DateTimeField(source="task.done_at", read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = SessionActionItem
        fields = [
            "id",
            "session",
            "text",
            "owner",
            "due",
            "task",
            "done_at",
            "is_overdue",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, item) -> bool:
        return item.task is not None and item.task.is_overdue(
            self.context.get("now") or timezone.now()
        )


class CoachingActionItemCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(help_text=_("The session's id (one you coach)."))
    text = serializers.CharField(max_length=200)
    owner = serializers.IntegerField(help_text=_("The session's rep or its coach (a user id)."))
    due = serializers.DateField()


class CoachingActionItemDoneSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text=_("The task's version you read; if it changed since, 409.")
    )


class CoachingSessionSerializer(serializers.ModelSerializer):
    rep = ScopedRepField(help_text=_("The rep coached (one you manage)."))
    focus_areas = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=FocusArea.objects.active()
    )
    prompt_kpi = _Scoped(_kpis)
    prompt_episode = _Scoped(_episodes, help_text=_("A deviation alert about the rep."))
    prompt_miss = _Scoped(_misses, help_text=_("A monthly review's miss of the rep."))
    prompt_deal = _Scoped(_deals, help_text=_("A deal of the rep."))
    action_items = CoachingActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = CoachingSession
        fields = [
            "id",
            "rep",
            "coach",
            "kind",
            "status",
            "starts_at",
            "duration_minutes",
            "location",
            "focus_areas",
            "prompt_kpi",
            "prompt_episode",
            "prompt_miss",
            "prompt_deal",
            "prompt_note",
            "shared_notes",
            "private_notes",
            "next_session_on",
            "action_items",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["coach", "status", "created_at", "updated_at"]
        extra_kwargs = {
            "version": VERSION,
            "private_notes": {
                "help_text": _("The coach's own notes; absent for the rep."),
                "required": False,
            },
        }

    def to_representation(self, session):
        data = super().to_representation(session)
        viewer = self.context["request"].user
        # As the detail page and the CSV decide: the viewer coaches the session's rep (a
        # rep they see, not themself; a rep since promoted reads none of their sessions').
        coaches = viewer.reviews_plans and viewer.pk != session.rep_id and session.rep.is_rep
        if not coaches:
            data.pop("private_notes", None)
        return data


class CoachingSessionUpdateSerializer(CoachingSessionSerializer):
    """The fields a PATCH may change; ``version`` is required."""

    version = serializers.IntegerField(
        help_text=_("The version you read; a stale one answers 409.")
    )

    class Meta(CoachingSessionSerializer.Meta):
        read_only_fields = [*CoachingSessionSerializer.Meta.read_only_fields, "rep"]


class CoachingSessionVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text=_("The version you read; a stale one answers 409.")
    )


class CoachingFigureSerializer(serializers.Serializer):
    name = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    change = serializers.CharField()
    improved = serializers.BooleanField(allow_null=True)
    before_total = serializers.CharField(help_text=_("Metrics: the span's total ('' for KPIs)."))
    after_total = serializers.CharField(help_text=_("Metrics: the span's total ('' for KPIs)."))


class CoachingEffectSerializer(serializers.Serializer):
    before_start = serializers.DateField()
    before_end = serializers.DateField()
    after_start = serializers.DateField()
    after_end = serializers.DateField()
    after_days = serializers.IntegerField()
    metrics = CoachingFigureSerializer(many=True)
    kpis = CoachingFigureSerializer(many=True)
