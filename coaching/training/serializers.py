"""Training on the API: modules, assignments, the bodies of assigning, completing and
confirming, and the team matrix."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coaching.models import FocusArea, TrainingAssignment, TrainingModule
from coaching.training.services import MODULE_FIELDS, assignable_teams
from salesmgmt.api_support import ScopedRepField

VERSION_HELP = _("The version you read. A stale one answers 409 and changes nothing.")


class TrainingModuleSerializer(serializers.ModelSerializer):
    topic = serializers.PrimaryKeyRelatedField(
        queryset=FocusArea.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = TrainingModule
        fields = ["id", *MODULE_FIELDS, "created_at"]
        read_only_fields = ["created_at"]
        # The service says "exists already" next to the title, for pages and API alike.
        extra_kwargs = {"title": {"validators": []}}


class TrainingAssignmentSerializer(serializers.ModelSerializer):
    module_title = serializers.CharField(source="module.title", read_only=True)
    status = serializers.SerializerMethodField(help_text=_("open, overdue or done."))

    class Meta:
        model = TrainingAssignment
        fields = [
            "id",
            "module",
            "module_title",
            "rep",
            "due",
            "status",
            "source",
            "assigned_by",
            "assigned_at",
            "completed_at",
            "rep_note",
            "score",
            "confirmed_at",
            "confirmed_by",
            "version",
        ]
        read_only_fields = fields

    def get_status(self, assignment) -> str:
        if assignment.completed_at is not None:
            return "done"
        return "overdue" if assignment.due < self.context["today"] else "open"


@extend_schema_field(OpenApiTypes.INT)
class AssigneeField(ScopedRepField):
    """A rep the caller can see, by id."""


@extend_schema_field(OpenApiTypes.INT)
class ManagedTeamField(serializers.PrimaryKeyRelatedField):
    """A team the caller manages; any other is 'does not exist'."""

    def get_queryset(self):
        return assignable_teams(self.context["request"].user)


class TrainingAssignSerializer(serializers.Serializer):
    module = serializers.PrimaryKeyRelatedField(queryset=TrainingModule.objects.all())
    due = serializers.DateField()
    rep = AssigneeField(required=False, help_text=_("One rep you manage; or give `team`."))
    team = ManagedTeamField(
        required=False, help_text=_("A team you manage: every active rep of it; or give `rep`.")
    )

    def validate(self, attrs):
        if ("rep" in attrs) == ("team" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": [gettext("Give either `rep` or `team`.")]}
            )
        return attrs


class TrainingAssignResultSerializer(serializers.Serializer):
    created = TrainingAssignmentSerializer(many=True)
    skipped = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("Reps (ids) left out: they already hold an open assignment of the module."),
    )


class TrainingCompleteSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    score = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TrainingVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class TrainingMatrixQuerySerializer(serializers.Serializer):
    team = serializers.IntegerField(
        required=False, help_text=_("A team you manage; the first of them when left out.")
    )


class TrainingMatrixCellSerializer(serializers.Serializer):
    module = serializers.IntegerField(source="module.pk")
    status = serializers.ChoiceField(choices=["done", "due", "overdue", "none"])
    due = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    confirmed = serializers.BooleanField()


class TrainingMatrixModuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class TrainingMatrixRowSerializer(serializers.Serializer):
    rep = serializers.IntegerField()
    name = serializers.CharField()
    cells = TrainingMatrixCellSerializer(many=True)


class TrainingMatrixSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    today = serializers.DateField()
    modules = TrainingMatrixModuleSerializer(many=True)
    rows = TrainingMatrixRowSerializer(many=True)
