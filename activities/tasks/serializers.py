"""Shapes of tasks on the API. The customer and deal are named by id and must be
in the caller's scope; the assignee defaults to the caller."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.customers.serializers import ScopedCustomerField, _default_rep
from activities.deals.serializers import ScopedDealField
from activities.models import (
    Task,
)
from salesmgmt.api_support import VERSION, ScopedRepField, require_version

# --- Tasks ------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    assignee = ScopedRepField(required=False, help_text=_("A rep; defaults to the caller (reps)."))
    customer = ScopedCustomerField(required=False, allow_null=True)
    deal = ScopedDealField(required=False, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "notes",
            "assignee",
            "created_by",
            "customer",
            "deal",
            "due_at",
            "priority",
            "done_at",
            "is_overdue",
            "version",
            "created_at",
        ]
        read_only_fields = ["created_by", "done_at", "created_at"]
        extra_kwargs = {"version": VERSION}

    def get_is_overdue(self, task) -> bool:
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return task.is_overdue(self.context["now"])

    def validate(self, attrs):
        _default_rep(self, attrs, "assignee")
        require_version(self, attrs)
        return attrs


class TaskStateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        help_text=_("The task's version you read; if it changed since, the answer is 409."),
    )
