"""Coaching sessions, their action items and the focus areas on /api/v1/.

Reads go through ``visible_to`` (outside scope: 404). Writes go through
coaching.sessions.services: a manager who manages the rep books, edits (PATCH with
``version``), cancels and marks held; action items are added by the coach and done
by their owner. A rep reads their own sessions without the private notes.
"""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coaching.models import CoachingSession, FocusArea, SessionActionItem
from coaching.sessions import selectors
from coaching.sessions import services as coaching
from coaching.sessions.filters import ActionItemFilter, SessionFilter
from coaching.sessions.serializers import (
    CoachingActionItemCreateSerializer,
    CoachingActionItemDoneSerializer,
    CoachingActionItemSerializer,
    CoachingEffectSerializer,
    CoachingSessionSerializer,
    CoachingSessionUpdateSerializer,
    CoachingSessionVersionSerializer,
    FocusAreaSerializer,
)
from salesmgmt.api_support import StaleVersionFirst


class CoachingSessionViewSet(
    StaleVersionFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Coaching sessions: a manager books them with a rep they manage (the caller is the
    coach); `hold` and `cancel` change their state; `effect` compares the rep's figures
    before and after a held session. Not deleted: cancel instead."""

    serializer_class = CoachingSessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return selectors.api_sessions(self.request.user)

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = coaching.create_session(by=self.request.user, **data)

    def _respond(self, session, code=status.HTTP_200_OK):
        session = self.get_queryset().get(pk=session.pk)
        return Response(
            CoachingSessionSerializer(session, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(request=CoachingSessionUpdateSerializer, responses=CoachingSessionSerializer)
    def partial_update(self, request, pk=None):
        """Change a session's details and notes (managers of the rep); send `version`."""
        session = self.get_object()
        body = CoachingSessionUpdateSerializer(
            session, data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "version" not in data:
            raise ValidationError({"version": [gettext("Send the version you read.")]})
        version = data.pop("version")
        session = coaching.update_session(session=session, by=request.user, version=version, **data)
        return self._respond(session)

    def _state(self, service):
        session = self.get_object()
        body = CoachingSessionVersionSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            service(session=session, by=self.request.user, version=body.validated_data["version"])
        )

    @extend_schema(request=CoachingSessionVersionSerializer, responses=CoachingSessionSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Planned -> held: the session took place."""
        return self._state(coaching.hold_session)

    @extend_schema(request=CoachingSessionVersionSerializer, responses=CoachingSessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Planned -> cancelled; the rep is told."""
        return self._state(coaching.cancel_session)

    @extend_schema(request=None, responses={200: CoachingEffectSerializer, 400: None})
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None):
        """The rep's focus metrics and linked KPIs in the 28 days before the held session
        and the 28 days from it (up to today). 400 for a session not held (yet)."""
        session = self.get_object()
        effect = selectors.session_effect(session)
        if effect is None:
            raise ValidationError(
                {"status": [gettext("The effect is shown once a session is held.")]}
            )
        (b0, b1), (a0, a1) = effect.before, effect.after
        return Response(
            CoachingEffectSerializer(
                {
                    "before_start": b0,
                    "before_end": b1,
                    "after_start": a0,
                    "after_end": a1,
                    "after_days": effect.after_days,
                    "metrics": [vars(r) for r in effect.metrics],
                    "kpis": [vars(r) for r in effect.kpis],
                }
            ).data
        )


class ActionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Action items agreed in coaching sessions, each its owner's task. The coach adds
    them; the owner marks them done (`complete`)."""

    serializer_class = CoachingActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due", "created_at"]

    def get_queryset(self):
        return (
            SessionActionItem.objects.visible_to(self.request.user)
            .select_related("task")
            .order_by("due", "pk")
        )

    @extend_schema(
        request=CoachingActionItemCreateSerializer, responses={201: CoachingActionItemSerializer}
    )
    def create(self, request):
        """Add an action item to a session you coach; its owner (the rep or the coach)
        gets it as a task due at the end of that day."""
        body = CoachingActionItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        session = (
            CoachingSession.objects.visible_to(request.user)
            .filter(pk=data["session"])
            .select_related("rep", "coach")
            .first()
        )
        if session is None:
            raise ValidationError({"session": [gettext("No such session.")]})
        owner = {session.rep_id: session.rep, session.coach_id: session.coach}.get(data["owner"])
        if owner is None:
            raise ValidationError({"owner": [gettext("The rep or the coach owns an action item.")]})
        item = coaching.add_action_item(
            session=session, by=request.user, text=data["text"], owner=owner, due=data["due"]
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CoachingActionItemDoneSerializer, responses=CoachingActionItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The owner marks the item done (its task is done)."""
        item = self.get_object()
        body = CoachingActionItemDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = coaching.complete_action_item(
            item=item, by=request.user, version=body.validated_data.get("version")
        )
        return Response(self.get_serializer(item).data)


class FocusAreaViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The focus areas sessions work on (configured by the admin)."""

    serializer_class = FocusAreaSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return FocusArea.objects.active()


router = SimpleRouter()
router.register("coaching-sessions", CoachingSessionViewSet, basename="coaching-session")
router.register("coaching-action-items", ActionItemViewSet, basename="coaching-action-item")
router.register("focus-areas", FocusAreaViewSet, basename="focus-area")

urlpatterns = router.urls
