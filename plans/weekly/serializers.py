from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.catalogue.serializers import CachedSlugRelatedField
from activities.models import Metric
from plans.models import PlanEvent, PlanTarget, WeeklyPlan
from plans.weekly.selectors import changes_since_return


class PlanTargetSerializer(serializers.ModelSerializer):
    metric = CachedSlugRelatedField(slug_field="key", queryset=Metric.objects.active())
    planned = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = PlanTarget
        fields = ["metric", "planned"]


class PlanEventSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.__str__", read_only=True)

    class Meta:
        model = PlanEvent
        fields = ["id", "kind", "by", "by_name", "at", "comment"]


class TargetChangeSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key", help_text=_("The metric's key."))
    metric_name = serializers.CharField(source="metric.name")
    old = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=_("null: added since.")
    )
    new = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text=_("null: dropped since.")
    )


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("objectives, priorities or risks."))
    old = serializers.CharField()
    new = serializers.CharField()


class PlanChangesSerializer(serializers.Serializer):
    """What changed since the plan was last returned, next to that return."""

    returned_at = serializers.DateTimeField(source="returned.at")
    returned_by = serializers.IntegerField(source="returned.by_id")
    returned_by_name = serializers.CharField(source="returned.by.__str__")
    comment = serializers.CharField(source="returned.comment")
    targets = TargetChangeSerializer(many=True, help_text=_("Planned numbers that changed."))
    key_accounts_added = serializers.ListField(
        source="accounts_added", child=serializers.CharField()
    )
    key_accounts_removed = serializers.ListField(
        source="accounts_removed", child=serializers.CharField()
    )
    fields_changed = FieldChangeSerializer(
        source="fields", many=True, help_text=_("Other plan fields rewritten.")
    )


class WeeklyPlanSerializer(serializers.ModelSerializer):
    targets = PlanTargetSerializer(many=True, required=False)
    changes_since_return = serializers.SerializerMethodField(
        help_text=_("null unless the plan was returned: then the changes since its last return.")
    )
    version = serializers.IntegerField(
        required=False,
        help_text=_("The version you read. Required on update; a stale one answers 409."),
    )

    class Meta:
        model = WeeklyPlan
        fields = [
            "id",
            "rep",
            "week_start",
            "status",
            "objectives",
            "priorities",
            "risks",
            "key_accounts",
            "targets",
            "progress_note",
            "problems_note",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "changes_since_return",
        ]
        read_only_fields = [
            "rep",
            "status",
            "progress_note",
            "problems_note",
            "created_at",
            "updated_at",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
        ]
        validators = []  # one plan per week is checked by the service with a clear message

    @extend_schema_field(PlanChangesSerializer(allow_null=True))
    def get_changes_since_return(self, plan):
        changes = changes_since_return(plan)
        return None if changes is None else PlanChangesSerializer(changes).data

    def validate_targets(self, targets):
        keys = [t["metric"].key for t in targets]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError(_("Each metric may appear once."))
        return targets

    def validate(self, attrs):
        if self.instance is not None:
            if "version" not in attrs:
                raise serializers.ValidationError(
                    {
                        "version": [
                            _("Send the version you read, so a newer save is not overwritten.")
                        ]
                    }
                )
            if "week_start" in attrs and attrs["week_start"] != self.instance.week_start:
                raise serializers.ValidationError(
                    {"week_start": [_("A plan's week cannot change; write a plan for that week.")]}
                )
        return attrs


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text=_("The version you read; if the plan changed since, the answer is 409.")
    )


class ReviewSerializer(VersionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(VersionSerializer):
    comment = serializers.CharField(help_text=_("What the rep should change."))


class WeekNoteSerializer(VersionSerializer):
    progress_note = serializers.CharField(allow_blank=True, required=False, default="")
    problems_note = serializers.CharField(allow_blank=True, required=False, default="")
