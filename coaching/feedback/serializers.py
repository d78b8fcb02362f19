"""Upward feedback on the API. Nothing here can name the author of an anonymous answer:
the submit body goes in and only "answered" comes out; results carry aggregates and
text alone."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coaching.feedback.forms import TEXT_LIMIT
from coaching.models import FeedbackPeriod, SignedFeedback


class RatingInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text=_("A feedback question's id (see periods)."))
    rating = serializers.IntegerField(min_value=1, max_value=5)


class SubmitFeedbackSerializer(serializers.Serializer):
    ratings = RatingInputSerializer(
        many=True, help_text=_("One rating 1-5 for every active question.")
    )
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )

    def validate_ratings(self, value):
        questions = [r["question"] for r in value]
        if len(questions) != len(set(questions)):
            raise serializers.ValidationError(_("Rate each question once."))
        return {r["question"]: r["rating"] for r in value}


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField(help_text=_("The question as stored."))
    label = serializers.CharField(read_only=True, help_text=_("The question in your language."))


class FeedbackPeriodSerializer(serializers.ModelSerializer):
    answered = serializers.BooleanField(
        read_only=True, help_text=_("Whether you answered this period (reps).")
    )
    is_open = serializers.SerializerMethodField(help_text=_("Taking answers today."))

    class Meta:
        model = FeedbackPeriod
        fields = ["id", "start", "end", "closes_on", "answered", "is_open"]

    def get_is_open(self, period) -> bool:
        return period.start <= self.context["today"] <= period.closes_on


class SubmittedSerializer(serializers.Serializer):
    period = FeedbackPeriodSerializer()
    detail = serializers.CharField()


class QuestionFigureSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    name = serializers.CharField(help_text=_("The question in your language."))
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class GroupFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="label")
    answers = serializers.IntegerField(
        help_text=_("Answers shown for this group (in batches of at least the threshold).")
    )
    waiting = serializers.IntegerField(
        help_text=_(
            "Answers in but waiting for others (fewer than the threshold in their "
            "pool): never shown but as this count."
        )
    )
    shown = serializers.BooleanField(
        help_text=_("False below the threshold: then questions and texts are empty.")
    )
    too_small = serializers.BooleanField(
        help_text=_("A team of fewer reps than the threshold: counted in the division only.")
    )
    questions = QuestionFigureSerializer(many=True)

    def to_representation(self, instance):
        """Questions (and texts) only for a group that is shown."""
        data = super().to_representation(instance)
        if not instance.shown:
            data["questions"] = []
            if "texts" in data:
                data["texts"] = []
        return data


class TeamFiguresSerializer(GroupFiguresSerializer):
    texts = serializers.ListField(
        child=serializers.CharField(), help_text=_("Free text, in random order, nothing else.")
    )


class DivisionFiguresSerializer(GroupFiguresSerializer):
    managers = GroupFiguresSerializer(many=True)


class ResultsQuerySerializer(serializers.Serializer):
    period = serializers.IntegerField(
        required=False, help_text=_("A period id; the open (or latest) period by default.")
    )
    manager = serializers.IntegerField(
        required=False, help_text=_("Directors and admins: one manager's figures.")
    )
    division = serializers.IntegerField(
        required=False, help_text=_("Admins: one division (a director has one).")
    )


class ResultsSerializer(serializers.Serializer):
    period = FeedbackPeriodSerializer(allow_null=True)
    threshold = serializers.IntegerField()
    teams = TeamFiguresSerializer(many=True, help_text=_("A manager's own teams."))
    divisions = DivisionFiguresSerializer(many=True, help_text=_("Directors and admins."))


class SignedFeedbackSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    manager_name = serializers.CharField(source="manager.__str__", read_only=True)

    class Meta:
        model = SignedFeedback
        fields = [
            "id",
            "author",
            "author_name",
            "manager",
            "manager_name",
            "period",
            "text",
            "created_at",
        ]
        read_only_fields = ["author", "manager", "period", "created_at"]
        extra_kwargs = {"text": {"max_length": TEXT_LIMIT}}
