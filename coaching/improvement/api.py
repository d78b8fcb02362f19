"""Improvement plans on /api/v1/improvement-plans/.

Reads go through ``ImprovementPlan.objects.visible_to`` (outside scope: 404). Writes go
through coaching.improvement.services: managers open, edit (PATCH, versioned), add and
record checkpoints, extend and close; the rep acknowledges and comments. Every write
carries the plan's ``version`` (409 when stale) and answers with the plan as it now is.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coaching.improvement import selectors
from coaching.improvement import services as improvement
from coaching.improvement.filters import ImprovementPlanFilter
from coaching.improvement.serializers import (
    AcknowledgeSerializer,
    CheckpointCreateSerializer,
    CheckpointUpdateSerializer,
    CloseSerializer,
    CommentSerializer,
    ExtendSerializer,
    ImprovementPlanCreateSerializer,
    ImprovementPlanDetailSerializer,
    ImprovementPlanSerializer,
    ImprovementPlanUpdateSerializer,
)
from salesmgmt.api_support import StaleVersionFirst


class ImprovementPlanViewSet(
    StaleVersionFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Improvement plans: opened when a review's root cause for a miss is the rep (skill,
    effort); goals, support, checkpoints, the rep's acknowledgement and comment, the
    outcome, and the history (on one plan)."""

    filterset_class = ImprovementPlanFilter
    ordering_fields = ["starts_on", "ends_on", "created_at"]
    version_conflict = improvement.PLAN_CHANGED

    def get_queryset(self):
        if self.action == "list":
            return selectors.plan_rows(self.request.user).prefetch_related(
                "goals", "sessions", "modules"
            )
        return selectors.with_progress(selectors.plan_detail(self.request.user))

    def get_serializer_class(self):
        return (
            ImprovementPlanSerializer if self.action == "list" else ImprovementPlanDetailSerializer
        )

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _respond(self, plan, code=status.HTTP_200_OK):
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(ImprovementPlanDetailSerializer(plan).data, status=code)

    @extend_schema(
        request=ImprovementPlanCreateSerializer, responses={201: ImprovementPlanDetailSerializer}
    )
    def create(self, request):
        """Open a plan (managers of the rep): from a review miss whose root cause is the
        rep's skill or effort, or for a rep with a reason. The rep is notified."""
        if not request.user.reviews_plans:
            raise PermissionDenied(_("Managers open improvement plans."))
        data = self._body(ImprovementPlanCreateSerializer)
        checkpoints = [improvement.CheckpointIn(**c) for c in data.pop("checkpoints")]
        plan = improvement.open_plan(by=request.user, checkpoints=checkpoints, **data)
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=ImprovementPlanUpdateSerializer, responses=ImprovementPlanDetailSerializer
    )
    def partial_update(self, request, pk=None):
        """Change goals, support, linked rows or dates of an open plan (managers)."""
        plan = self.get_object()
        data = self._body(ImprovementPlanUpdateSerializer)
        return self._respond(improvement.update_plan(plan=plan, by=request.user, **data))

    @extend_schema(request=AcknowledgeSerializer, responses=ImprovementPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The rep acknowledges their plan (once), optionally with a comment."""
        plan = self.get_object()
        data = self._body(AcknowledgeSerializer)
        return self._respond(improvement.acknowledge_plan(plan=plan, by=request.user, **data))

    @extend_schema(request=CommentSerializer, responses=ImprovementPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """The rep comments on their open plan (the history keeps each comment)."""
        plan = self.get_object()
        data = self._body(CommentSerializer)
        return self._respond(improvement.comment_on_plan(plan=plan, by=request.user, **data))

    @extend_schema(request=ExtendSerializer, responses=ImprovementPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """A later end; the plan stays open with the outcome 'extended' (managers)."""
        plan = self.get_object()
        data = self._body(ExtendSerializer)
        return self._respond(improvement.extend_plan(plan=plan, by=request.user, **data))

    @extend_schema(request=CloseSerializer, responses=ImprovementPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close as met or not met, with a note (managers)."""
        plan = self.get_object()
        data = self._body(CloseSerializer)
        return self._respond(improvement.close_plan(plan=plan, by=request.user, **data))

    @extend_schema(
        request=CheckpointCreateSerializer, responses={201: ImprovementPlanDetailSerializer}
    )
    @action(detail=True, methods=["post"], url_path="checkpoints")
    def add_checkpoint(self, request, pk=None):
        """Add a checkpoint within the plan's period (managers)."""
        plan = self.get_object()
        data = self._body(CheckpointCreateSerializer)
        improvement.add_checkpoint(plan=plan, by=request.user, **data)
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(
        request=CheckpointUpdateSerializer,
        responses=ImprovementPlanDetailSerializer,
        parameters=[OpenApiParameter("checkpoint_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["patch"], url_path=r"checkpoints/(?P<checkpoint_id>[0-9]+)")
    def checkpoint(self, request, pk=None, checkpoint_id=None):
        """Record a checkpoint's result and/or mark it done (managers)."""
        plan = self.get_object()
        checkpoint = get_object_or_404(plan.checkpoints.all(), pk=checkpoint_id)
        data = self._body(CheckpointUpdateSerializer)
        improvement.record_checkpoint(checkpoint=checkpoint, by=request.user, **data)
        return self._respond(plan)


router = SimpleRouter()
router.register("improvement-plans", ImprovementPlanViewSet, basename="improvement-plan")

urlpatterns = router.urls
