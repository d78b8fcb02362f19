from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from plans.weekly import services
from plans.weekly.filters import WeeklyPlanFilter
from plans.weekly.selectors import api_plans
from plans.weekly.serializers import (
    PlanEventSerializer,
    ReturnSerializer,
    ReviewSerializer,
    VersionSerializer,
    WeeklyPlanSerializer,
    WeekNoteSerializer,
)
from salesmgmt.api_support import StaleVersionFirst


class WeeklyPlanViewSet(
    StaleVersionFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Weekly plans. Reps create and update their own; reviewers approve or return.

    Every write carries the `version` the client read; if somebody saved since,
    the answer is 409 and nothing changes.
    """

    serializer_class = WeeklyPlanSerializer
    filterset_class = WeeklyPlanFilter
    version_conflict = services.PLAN_CHANGED
    ordering_fields = ["week_start", "submitted_at"]

    def get_queryset(self):
        return api_plans(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_plan(
            rep=self.request.user,
            week_start=data["week_start"],
            by=self.request.user,
            content=data,
            targets=_targets(data),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.update_plan(
            plan=serializer.instance,
            by=self.request.user,
            version=data["version"],
            content={k: v for k, v in data.items() if k in services.CONTENT_FIELDS},
            targets=_targets(data) if "targets" in data else None,
        )

    def _respond(self, plan):
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(WeeklyPlanSerializer(plan, context=self.get_serializer_context()).data)

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(request=VersionSerializer, responses=WeeklyPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The author submits a draft or returned plan for review."""
        plan = self.get_object()
        data = self._body(VersionSerializer)
        plan = services.submit_plan(plan=plan, by=request.user, version=data["version"])
        return self._respond(plan)

    @extend_schema(request=ReviewSerializer, responses=WeeklyPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A reviewer approves a submitted plan, optionally with a comment."""
        plan = self.get_object()
        data = self._body(ReviewSerializer)
        plan = services.approve_plan(
            plan=plan,
            by=request.user,
            comment=data["comment"],
            version=data["version"],
        )
        return self._respond(plan)

    @extend_schema(request=ReturnSerializer, responses=WeeklyPlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """A reviewer returns a submitted plan to its author with a comment."""
        plan = self.get_object()
        data = self._body(ReturnSerializer)
        plan = services.return_plan(
            plan=plan,
            by=request.user,
            comment=data["comment"],
            version=data["version"],
        )
        return self._respond(plan)

    @extend_schema(request=WeekNoteSerializer, responses=WeeklyPlanSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        """The author's end-of-week note: progress and problems."""
        plan = self.get_object()
        data = self._body(WeekNoteSerializer)
        plan = services.save_week_note(
            plan=plan,
            by=request.user,
            version=data["version"],
            progress=data["progress_note"],
            problems=data["problems_note"],
        )
        return self._respond(plan)

    @extend_schema(responses=PlanEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Every status change: who, when, and the comment."""
        events = self.get_object().events.select_related("by")
        return Response(PlanEventSerializer(events, many=True).data)


def _targets(data):
    return {t["metric"].pk: t["planned"] for t in data.get("targets", [])}
