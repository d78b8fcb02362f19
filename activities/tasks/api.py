"""Tasks on /api/v1/: list, create, edit, done and reopen.

Every read goes through ``visible_to``: a task outside the caller's scope answers 404.
Writes go through activities.tasks.services."""

from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from activities.models import (
    Task,
)
from activities.tasks import services
from activities.tasks.filters import TaskFilter
from activities.tasks.serializers import TaskSerializer, TaskStateSerializer
from salesmgmt.api_support import StaleVersionFirst

# --- Tasks ------------------------------------------------------------------------------------


class TaskViewSet(
    StaleVersionFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks for reps, set by themselves or their manager; `done` and `reopen`
    change their state. Tasks are not deleted: their history is analysed."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["due_at", "priority", "created_at", "done_at"]

    def get_queryset(self):
        return Task.objects.visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.create_task(by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.update_task(
            task=serializer.instance,
            by=self.request.user,
            assignee=data.pop("assignee", None),
            **data,
        )

    def _respond(self, task):
        return Response(self.get_serializer(Task.objects.get(pk=task.pk)).data)

    def _set_done(self, service):
        body = TaskStateSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        task = self.get_object()
        return self._respond(
            service(task=task, by=self.request.user, version=body.validated_data.get("version"))
        )

    @extend_schema(request=TaskStateSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the task done now (done again changes nothing)."""
        return self._set_done(services.complete_task)

    @extend_schema(request=TaskStateSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open a done task again."""
        return self._set_done(services.reopen_task)
