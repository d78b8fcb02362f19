"""An alert's handling on the API: its actions, and the body of a new one."""

from rest_framework import serializers

from reporting.models import DeviationAction, DeviationActionKind


class DeviationActionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(help_text="Who did it (null: a person since removed).")
    by_id = serializers.IntegerField(source="by.pk", read_only=True, allow_null=True)
    task_due_at = serializers.DateTimeField(source="task.due_at", read_only=True, allow_null=True)
    task_done = serializers.SerializerMethodField(help_text="For a task: done yet? Else null.")

    class Meta:
        model = DeviationAction
        fields = [
            "id",
            "kind",
            "text",
            "task",
            "task_due_at",
            "task_done",
            "snoozed_until",
            "by",
            "by_id",
            "at",
        ]
        read_only_fields = fields

    def get_task_done(self, action) -> bool | None:
        return None if action.task is None else action.task.done_at is not None


class DeviationActionInputSerializer(serializers.Serializer):
    """One action; which fields count depends on ``kind``."""

    kind = serializers.ChoiceField(
        choices=DeviationActionKind.choices,
        help_text="note (needs text), task (text: what the rep is to do, and due; rep alerts "
        "only), acknowledge (text optional), snooze (until; text optional).",
    )
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Note, task or comment."
    )
    due = serializers.DateField(
        required=False, help_text="task: due at the end of this day (company time), from today on."
    )
    until = serializers.DateField(
        required=False,
        help_text="snooze: the day it comes back (after today, within 90 days); out of the "
        "open list and no 'far behind' notice before it.",
    )
    version = serializers.IntegerField(
        required=False,
        help_text="acknowledge, snooze: the alert's version you read; a stale one is a 409.",
    )
