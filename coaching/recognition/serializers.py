"""Kudos, awards and suggestions as the API shows them, and what giving takes."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import Deal
from coaching.models import Award, AwardKind, Kudos, RecognitionSuggestion
from coaching.recognition.services import MESSAGE_MAX
from plans.models import Goal
from reporting.models import Kpi, MonthlyReview
from salesmgmt.models import User


class KudosSerializer(serializers.ModelSerializer):
    giver_name = serializers.SerializerMethodField()
    recipient_name = serializers.CharField(source="recipient.__str__", read_only=True)

    class Meta:
        model = Kudos
        fields = [
            "id",
            "giver",
            "giver_name",
            "recipient",
            "recipient_name",
            "message",
            "deal",
            "goal",
            "kpi",
            "review",
            "created_at",
        ]
        read_only_fields = fields

    def get_giver_name(self, kudos) -> str:
        return str(kudos.giver) if kudos.giver_id else ""


class AwardSerializer(serializers.ModelSerializer):
    given_by_name = serializers.CharField(source="given_by.__str__", read_only=True)
    recipient_name = serializers.CharField(source="recipient.__str__", read_only=True)
    value = serializers.SerializerMethodField(
        help_text=_(
            "The amount; null unless you are the recipient, the giver or manage the "
            "recipient (teammates see kind and reason)."
        )
    )
    paid_in_month = serializers.SerializerMethodField(
        help_text=_("A cash award: the month (YYYY-MM) of the commission statement paying it.")
    )

    class Meta:
        model = Award
        fields = [
            "id",
            "recipient",
            "recipient_name",
            "given_by",
            "given_by_name",
            "kind",
            "value",
            "value_text",
            "reason",
            "given_on",
            "deal",
            "goal",
            "kpi",
            "paid_in_month",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_value(self, award) -> Decimal | None:
        if not getattr(award, "value_shown", False) or award.value is None:
            return None
        return f"{award.value:.2f}"

    def get_paid_in_month(self, award) -> str | None:
        if not award.adjustment_id or not getattr(award, "value_shown", False):
            return None
        return f"{award.given_on:%Y-%m}"


class _Links(serializers.Serializer):
    """A deal or goal the caller sees, a KPI in use, a pending suggestion of theirs."""

    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.none(), required=False)
    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.none(), required=False)
    kpi = serializers.PrimaryKeyRelatedField(queryset=Kpi.objects.none(), required=False)
    suggestion = serializers.PrimaryKeyRelatedField(
        queryset=RecognitionSuggestion.objects.none(),
        required=False,
        help_text=_("The suggestion this answers (marked acted on)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema's instance
            return
        user = request.user
        self.fields["deal"].queryset = Deal.objects.visible_to(user)
        self.fields["goal"].queryset = Goal.objects.visible_to(user)
        self.fields["kpi"].queryset = Kpi.objects.active()
        self.fields["suggestion"].queryset = RecognitionSuggestion.objects.visible_to(
            user
        ).pending()


class KudosCreateSerializer(_Links):
    review = serializers.PrimaryKeyRelatedField(
        queryset=MonthlyReview.objects.none(),
        required=False,
        help_text=_("The recipient's monthly review it is given from (shown on it)."),
    )

    recipient = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), help_text=_("Any active colleague.")
    )
    message = serializers.CharField(max_length=MESSAGE_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self.fields["review"].queryset = MonthlyReview.objects.visible_to(
                self.context["request"].user
            )


class AwardCreateSerializer(_Links):
    recipient = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), help_text=_("A rep you manage.")
    )
    kind = serializers.ChoiceField(choices=AwardKind.choices)
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("In the company's currency; required (> 0) for a cash bonus."),
    )
    value_text = serializers.CharField(max_length=120, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=MESSAGE_MAX)
    given_on = serializers.DateField(required=False, help_text=_("Default: today (company time)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            user = self.context["request"].user
            self.fields["recipient"].queryset = User.objects.visible_to(user).reps()


class RecognitionSuggestionSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = RecognitionSuggestion
        fields = [
            "id",
            "rep",
            "rep_name",
            "reason",
            "key",
            "text",
            "deal",
            "goal",
            "kpi",
            "created_on",
            "acted_at",
            "dismissed_at",
            "state",
        ]
        read_only_fields = fields

    def get_state(self, suggestion) -> str:
        if suggestion.acted_at:
            return "acted"
        return "dismissed" if suggestion.dismissed_at else "pending"
