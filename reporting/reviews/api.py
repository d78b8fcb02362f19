"""Monthly reviews on /api/v1/reviews/.

Reads go through ``MonthlyReview.objects.visible_to`` (a rep never sees a draft;
outside scope answers 404). Writes go through reporting.reviews: the manager's
texts (PATCH, versioned), root causes, action items and sharing; the rep's
acknowledgement and comment.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from reporting.commissions.filters import MonthFilter
from reporting.models import MonthlyReview, ReviewStatus
from reporting.reviews import services as reviews
from reporting.reviews.selectors import api_reviews
from reporting.reviews.serializers import (
    ActionItemCreateSerializer,
    MissCauseSerializer,
    MonthlyReviewSerializer,
    ReviewActionItemSerializer,
    ReviewCommentSerializer,
    ReviewMissSerializer,
    ReviewNotesSerializer,
    ReviewVersionSerializer,
)
from salesmgmt.api_support import StaleVersionFirst
from salesmgmt.filtering import visible_people


class MonthlyReviewFilter(django_filters.FilterSet):
    # A malformed month, or a rep outside the caller's scope, is a 400 with the field named.
    month = MonthFilter(field_name="month", help_text=_("YYYY-MM"))
    rep = django_filters.ModelChoiceFilter(queryset=visible_people)
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = MonthlyReview
        fields = ["month", "rep", "status"]


class MonthlyReviewViewSet(
    StaleVersionFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Monthly reviews with their computed figures. Managers annotate and share; the rep
    acknowledges and comments. Text writes carry `version` (409 when stale)."""

    serializer_class = MonthlyReviewSerializer
    filterset_class = MonthlyReviewFilter
    ordering_fields = ["month", "generated_at"]
    version_of_other_rows = ("miss",)  # its version is the miss's
    version_conflict = reviews.REVIEW_CHANGED

    def get_queryset(self):
        return api_reviews(self.request.user)

    def _body(self, serializer_class):
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    def _respond(self, review, code=status.HTTP_200_OK):
        review = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(review).data, status=code)

    @extend_schema(request=ReviewNotesSerializer, responses=MonthlyReviewSerializer)
    def partial_update(self, request, pk=None):
        """The manager's notes and coaching remarks (managers in scope)."""
        review = self.get_object()
        data = self._body(ReviewNotesSerializer)
        version = data.pop("version")
        review = reviews.annotate_review(review=review, by=request.user, version=version, **data)
        return self._respond(review)

    @extend_schema(request=ReviewVersionSerializer, responses=MonthlyReviewSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Draft -> shared: the rep can read it now and is notified."""
        review = self.get_object()
        data = self._body(ReviewVersionSerializer)
        return self._respond(
            reviews.share_review(review=review, by=request.user, version=data["version"])
        )

    @extend_schema(request=ReviewCommentSerializer, responses=MonthlyReviewSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The rep acknowledges their shared review, optionally with a comment."""
        review = self.get_object()
        data = self._body(ReviewCommentSerializer)
        return self._respond(reviews.acknowledge_review(review=review, by=request.user, **data))

    @extend_schema(request=ReviewCommentSerializer, responses=MonthlyReviewSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """The rep adds or changes their comment after acknowledging."""
        review = self.get_object()
        data = self._body(ReviewCommentSerializer)
        return self._respond(reviews.comment_on_review(review=review, by=request.user, **data))

    @extend_schema(request=None, responses=MonthlyReviewSerializer)
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        """Recalculate the figures; every text people wrote stays."""
        review = self.get_object()
        return self._respond(reviews.regenerate_review(review=review, by=request.user))

    @extend_schema(
        request=MissCauseSerializer,
        responses=ReviewMissSerializer,
        parameters=[OpenApiParameter("miss_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post", "patch"], url_path=r"misses/(?P<miss_id>[0-9]+)")
    def miss(self, request, pk=None, miss_id=None):
        """The manager's root cause and note for one miss."""
        review = self.get_object()
        miss = get_object_or_404(review.misses.all(), pk=miss_id)
        data = self._body(MissCauseSerializer)
        miss = reviews.set_miss_cause(miss=miss, by=request.user, **data)
        return Response(ReviewMissSerializer(miss).data)

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ReviewActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action_item(self, request, pk=None):
        """An action item with a due date; the rep gets it as a task."""
        review = self.get_object()
        data = self._body(ActionItemCreateSerializer)
        item = reviews.add_action_item(review=review, by=request.user, **data)
        return Response(ReviewActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("reviews", MonthlyReviewViewSet, basename="monthly-review")

urlpatterns = router.urls + []
