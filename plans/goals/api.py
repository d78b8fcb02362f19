"""Goals through the API: the list carries each goal's pace and roll-up, computed for
the page in constant queries; writes go through plans/goal_services.py."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from plans.goals import services as goal_services
from plans.goals.filters import GoalFilter, top_down
from plans.goals.reverse_funnel import reverse_funnel
from plans.goals.selectors import api_goal, api_goals, with_actuals, with_figures
from plans.goals.serializers import (
    GoalChangeSerializer,
    GoalCreateSerializer,
    GoalDeleteSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
    ReverseFunnelQuerySerializer,
    ReverseFunnelSerializer,
)
from salesmgmt.api_schema import error_response
from salesmgmt.api_support import StaleVersionFirst
from salesmgmt.models import CompanySettings, User

AS_OF = OpenApiParameter(
    "as_of", type=str, description=_("ISO date the figures are computed for (default today).")
)
REASON = OpenApiParameter(
    "reason", type=str, description=_("Why the goal is removed (or send it in the body).")
)
VERSION = OpenApiParameter(
    "version", type=int, description=_("The version you read (or send it in the body).")
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[AS_OF]),
    create=extend_schema(request=GoalCreateSerializer, responses={201: GoalSerializer}),
    update=extend_schema(request=GoalUpdateSerializer, responses=GoalSerializer),
    partial_update=extend_schema(request=GoalUpdateSerializer, responses=GoalSerializer),
    destroy=extend_schema(
        request=GoalDeleteSerializer, parameters=[REASON, VERSION], responses={204: None}
    ),
)
class GoalViewSet(
    StaleVersionFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Goals of reps, teams, divisions and the company, each with its pace
    (actual, expected to date, attainment, pace, projection, status, remaining) and,
    above rep level, its roll-up against the goals one level below.

    Managers set their reps' and teams' goals, directors their division's, admins
    the company's; reps read. Changes and removals carry a `reason` and the `version`
    read (a stale one answers 409). Every write is kept in the goal's history
    (`/goals/{id}/changes/`) and the reps concerned are notified.
    """

    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    version_conflict = goal_services.GOAL_CHANGED
    ordering_fields = ["start", "end", "target"]

    def get_queryset(self):
        return top_down(api_goals(self.request.user))

    def _as_of(self):
        raw = self.request.query_params.get("as_of")
        if not raw:
            return CompanySettings.load().today()
        field = ReverseFunnelQuerySerializer().fields["as_of"]
        try:
            return field.run_validation(raw)
        except ValidationError as exc:
            raise ValidationError({"as_of": exc.detail}) from None

    def _with_figures(self, goals, as_of):
        return with_figures(goals, as_of=as_of)

    def list(self, request, *args, **kwargs):
        as_of = self._as_of()
        goals = with_actuals(self.filter_queryset(self.get_queryset()), as_of=as_of)
        page = self.paginate_queryset(goals)
        rows = self._with_figures(page if page is not None else goals, as_of)
        data = GoalSerializer(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _one(self, pk, as_of=None):
        goal = api_goal(self.get_queryset(), pk=pk, as_of=as_of or self._as_of())
        if goal is None:
            raise Http404
        return GoalSerializer(goal, context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        return Response(self._one(self.get_object().pk))

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data

    def create(self, request):
        data = self._body(GoalCreateSerializer)
        goal = goal_services.set_goal(
            by=request.user,
            scope=data["scope"],
            rep=data.get("rep"),
            team=data.get("team"),
            division=data.get("division"),
            metric=data["metric"],
            period=data["period"],
            day=data.get("day") or CompanySettings.load().today(),
            target=data["target"],
            stretch_target=data.get("stretch_target"),
            note=data["note"],
            product=data.get("product"),
            channels=data.get("channels", []),
        )
        return Response(self._one(goal.pk), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        goal = self.get_object()
        data = self._body(GoalUpdateSerializer)
        goal_services.change_goal(
            goal=goal,
            by=request.user,
            target=data.get("target", goal.target),
            stretch_target=data.get("stretch_target", goal.stretch_target),
            reason=data["reason"],
            version=data["version"],
        )
        return Response(self._one(goal.pk))

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        goal = self.get_object()
        reason = self._sent("reason") or ""
        # As on update, the version is required: without it a newer change could be undone.
        version = self._sent("version")
        if version is None:
            raise ValidationError(
                {"version": [_("Send the version you read, so a newer change is not undone.")]}
            )
        try:
            version = serializers.IntegerField().run_validation(version)
        except ValidationError as exc:
            raise ValidationError({"version": exc.detail}) from None
        # delete_goal refuses a blank reason (a 400 naming the field), after the version.
        goal_services.delete_goal(goal=goal, by=request.user, reason=str(reason), version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _sent(self, name):
        """A value from the body, else from the query string (DELETE bodies get lost)."""
        data = self.request.data
        value = data.get(name) if hasattr(data, "get") else None
        return value if value not in (None, "") else self.request.query_params.get(name)

    @extend_schema(responses=GoalChangeSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def changes(self, request, pk=None):
        """The goal's history: set, changed (old -> new, why), by whom and when."""
        goal = self.get_object()
        return Response(GoalChangeSerializer(goal.changes.select_related("by"), many=True).data)

    @extend_schema(
        parameters=[ReverseFunnelQuerySerializer],
        responses={
            200: ReverseFunnelSerializer,
            404: error_response(_("The rep is outside your scope or has no current outcome goal.")),
        },
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="reverse-funnel",
        pagination_class=None,
        filter_backends=[],
    )
    def reverse_funnel(self, request):
        """What a rep needs per remaining week, step by step (calls -> contacts ->
        appointments set -> held -> sales), to reach their current goal on sales closed
        or sales value, at their own 90-day conversion rates. A step without history
        borrows the team's 90-day rate (and says so); *needed* is rounded up, and *per
        week* spreads it over the company weeks left in the goal's period. 404 when the
        rep is outside your scope or has no current outcome goal."""
        query = ReverseFunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rep_id = params.get("rep") or (request.user.pk if request.user.is_rep else None)
        if rep_id is None:
            raise ValidationError({"rep": [_("Say which rep.")]})
        rep = get_object_or_404(User.objects.visible_to(request.user).sales_reps(), pk=rep_id)
        funnel = reverse_funnel(rep, as_of=params.get("as_of"))
        if funnel is None:
            raise NotFound(_("This rep has no current goal on sales closed or sales value."))
        return Response(ReverseFunnelSerializer(funnel).data)


router = SimpleRouter()
router.register("goals", GoalViewSet, basename="goal")

urlpatterns = router.urls
