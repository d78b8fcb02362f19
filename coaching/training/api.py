"""Training on /api/v1/: the module catalogue (`training-modules/`), assignments
(`training-assignments/`: assign to a rep or a team, complete, confirm, reopen) and a
team's matrix (`training-matrix/`).

Assignments are read through ``TrainingAssignment.objects.visible_to`` (outside it: 404);
the catalogue is read by everyone and written by managers, directors and admins. Writes
go through coaching.training.services; assignment writes carry `version` (409 when stale).
"""

from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coaching.models import TrainingAssignment, TrainingModule
from coaching.training import selectors
from coaching.training import services as training
from coaching.training.filters import TrainingAssignmentFilter, TrainingModuleFilter
from coaching.training.serializers import (
    TrainingAssignmentSerializer,
    TrainingAssignResultSerializer,
    TrainingAssignSerializer,
    TrainingCompleteSerializer,
    TrainingMatrixQuerySerializer,
    TrainingMatrixSerializer,
    TrainingModuleSerializer,
    TrainingVersionSerializer,
)
from salesmgmt.api_schema import describe_crud, error_response
from salesmgmt.api_support import StaleVersionFirst
from salesmgmt.models import CompanySettings


class ManagersWriteOrReadOnly(permissions.BasePermission):
    """The catalogue: everyone signed in reads; managers, directors and admins write."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or training.writes_catalogue(request.user)


@describe_crud(
    one="a training module",
    many="The training catalogue: topic, material (a link or text), duration, how often it "
    "repeats (`recurrence_months`) and whether it is on the onboarding track",
    readers="Everyone signed in reads them; filter by `topic`, `active`, `onboarding`.",
    writers="Managers, directors and admins. Modules are retired (`active` false), never deleted.",
)
class TrainingModuleViewSet(viewsets.ModelViewSet):
    serializer_class = TrainingModuleSerializer
    filterset_class = TrainingModuleFilter
    permission_classes = [permissions.IsAuthenticated, ManagersWriteOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering_fields = ["title", "created_at"]

    def get_queryset(self):
        return TrainingModule.objects.order_by("title")

    def _save(self, serializer, module):
        # A PATCH names some fields: the others stay as they are.
        data = {**(_module_values(module) if module else {}), **serializer.validated_data}
        fields = {name: data[name] for name in training.MODULE_FIELDS if name in data}
        serializer.instance = training.save_module(by=self.request.user, module=module, **fields)

    def perform_create(self, serializer):
        self._save(serializer, None)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


def _module_values(module: TrainingModule) -> dict:
    return {name: getattr(module, name) for name in training.MODULE_FIELDS}


@extend_schema_view(
    list=extend_schema(
        description="Training assignments of the reps you see (a rep: their own). Filter by "
        "`rep`, `module`, `team` and `status` (open, overdue, done)."
    ),
    retrieve=extend_schema(description="One training assignment you can see."),
)
class TrainingAssignmentViewSet(
    StaleVersionFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = TrainingAssignmentSerializer
    filterset_class = TrainingAssignmentFilter
    ordering_fields = ["due", "completed_at", "assigned_at"]

    def get_queryset(self):
        return (
            TrainingAssignment.objects.visible_to(self.request.user)
            .select_related("module")
            .order_by("due", "pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": CompanySettings.load().today()}

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _respond(self, assignment):
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(
        request=TrainingAssignSerializer, responses={201: TrainingAssignResultSerializer}
    )
    def create(self, request):
        """Assign a module to one rep you manage (`rep`) or to every active rep of a team
        you manage (`team`), due on `due`. Reps who already hold an open assignment of the
        module are skipped and listed in `skipped`. Managers, directors and admins."""
        if not training.writes_catalogue(request.user):
            raise PermissionDenied(gettext("Only managers assign training."))
        data = self._body(TrainingAssignSerializer)
        done = training.assign_module(
            module=data["module"],
            by=request.user,
            due=data["due"],
            reps=[data["rep"]] if "rep" in data else None,
            team=data.get("team"),
        )
        body = {
            "created": self.get_serializer(done.created, many=True).data,
            "skipped": [rep.pk for rep in done.skipped],
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrainingCompleteSerializer, responses=TrainingAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The rep records their training as done, with an optional `score` (0-100) and
        `note`. A recurring module's next assignment is opened at once."""
        assignment = self.get_object()
        data = self._body(TrainingCompleteSerializer)
        return self._respond(
            training.complete_assignment(assignment=assignment, by=request.user, **data)
        )

    @extend_schema(request=TrainingVersionSerializer, responses=TrainingAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A manager of the rep confirms a completed training."""
        assignment = self.get_object()
        data = self._body(TrainingVersionSerializer)
        return self._respond(
            training.confirm_assignment(assignment=assignment, by=request.user, **data)
        )

    @extend_schema(request=TrainingVersionSerializer, responses=TrainingAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """A manager of the rep sends an unconfirmed completion back: open again."""
        assignment = self.get_object()
        data = self._body(TrainingVersionSerializer)
        return self._respond(
            training.reopen_assignment(assignment=assignment, by=request.user, **data)
        )


@extend_schema(
    parameters=[TrainingMatrixQuerySerializer],
    responses={
        200: TrainingMatrixSerializer,
        404: error_response("You manage no such team (or none at all)."),
    },
    description="A team's training matrix: its active reps x the modules (those any of them "
    "holds or held, and the active catalogue), each cell done, due, overdue or none. For a "
    "team you manage (`team`; the first one when left out); any other team answers 404.",
)
@api_view(["GET"])
def training_matrix(request):
    query = TrainingMatrixQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    teams = training.assignable_teams(request.user).order_by("name")
    wanted = query.validated_data.get("team")
    team = teams.filter(pk=wanted).first() if wanted is not None else teams.first()
    if team is None:
        raise NotFound()
    grid = selectors.team_matrix(team, today=CompanySettings.load().today())
    body = {
        "team": team.pk,
        "today": grid.today,
        "modules": [{"id": m.pk, "title": m.title} for m in grid.modules],
        "rows": [{"rep": rep.pk, "name": str(rep), "cells": cells} for rep, cells in grid.rows],
    }
    return Response(TrainingMatrixSerializer(body).data)


router = SimpleRouter()
router.register("training-modules", TrainingModuleViewSet, basename="training-module")
router.register("training-assignments", TrainingAssignmentViewSet, basename="training-assignment")

urlpatterns = [
    path("training-matrix/", training_matrix, name="training-matrix"),
    *router.urls,
]
