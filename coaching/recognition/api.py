"""Recognition on /api/v1/: ``kudos/``, ``awards/`` and ``recognition-suggestions/``.

Reads follow ``visible_to`` (the recognition feed's scope; anything else is a 404). An
award's ``value`` is null unless the caller is its recipient, its giver or manages the
recipient. Giving goes through coaching.recognition.services: kudos by anyone (the
caller is the giver), awards by the rep's manager, director or an admin (403 for
others). Suggestions are the manager's own; ``dismiss`` sets one aside.
"""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coaching.models import Award, Kudos, RecognitionSuggestion
from coaching.recognition import selectors
from coaching.recognition import services as recognition
from coaching.recognition.filters import AwardFilter, KudosFilter, RecognitionSuggestionFilter
from coaching.recognition.serializers import (
    AwardCreateSerializer,
    AwardSerializer,
    KudosCreateSerializer,
    KudosSerializer,
    RecognitionSuggestionSerializer,
)
from salesmgmt.models import CompanySettings

_READ = (mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet)


class KudosViewSet(mixins.CreateModelMixin, *_READ):
    """Kudos on the recognition feed you see; POST gives kudos (you are the giver)."""

    queryset = Kudos.objects.none()  # for the schema; requests use get_queryset
    serializer_class = KudosSerializer
    filterset_class = KudosFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.kudos_for(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=KudosCreateSerializer, responses={201: KudosSerializer})
    def create(self, request, *args, **kwargs):
        """Give kudos to any active colleague (not yourself); they are told."""
        body = KudosCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        kudos = recognition.give_kudos(giver=request.user, **body.validated_data)
        return Response(
            KudosSerializer(self.get_queryset().get(pk=kudos.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AwardViewSet(mixins.CreateModelMixin, *_READ):
    """Awards on the recognition feed you see (value only where you may read it); POST
    gives one (the rep's manager, director or an admin). A cash award is paid with the
    rep's commission statement of its month."""

    queryset = Award.objects.none()
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    ordering_fields = ["given_on", "created_at"]

    def get_queryset(self):
        return selectors.awards_for(self.request.user).order_by("-given_on", "-pk")

    @extend_schema(request=AwardCreateSerializer, responses={201: AwardSerializer})
    def create(self, request, *args, **kwargs):
        """Give an award to a rep you manage; they are told."""
        if not request.user.reviews_plans:
            raise ApiPermissionDenied(gettext("Only managers give awards."))
        body = AwardCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        data.setdefault("given_on", CompanySettings.load().today())
        award = recognition.give_award(by=request.user, **data)
        return Response(
            AwardSerializer(self.get_queryset().get(pk=award.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class RecognitionSuggestionViewSet(*_READ):
    """Your nudges: wins worth recognising (managers; empty for reps). Filter `pending`."""

    queryset = RecognitionSuggestion.objects.none()
    serializer_class = RecognitionSuggestionSerializer
    filterset_class = RecognitionSuggestionFilter
    ordering_fields = ["created_on"]

    def get_queryset(self):
        return (
            RecognitionSuggestion.objects.visible_to(self.request.user)
            .select_related("rep")
            .order_by("-created_on", "-pk")
        )

    @extend_schema(request=None, responses=RecognitionSuggestionSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Set a pending suggestion aside: nothing is given."""
        suggestion = self.get_object()
        suggestion = recognition.dismiss_suggestion(suggestion=suggestion, by=request.user)
        return Response(self.get_serializer(suggestion).data)


router = SimpleRouter()
router.register("kudos", KudosViewSet, basename="kudos")
router.register("awards", AwardViewSet, basename="award")
router.register(
    "recognition-suggestions", RecognitionSuggestionViewSet, basename="recognition-suggestion"
)

urlpatterns = router.urls
