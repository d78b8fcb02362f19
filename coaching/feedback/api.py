"""Upward feedback on /api/v1/: submit (reps), periods, results (managers, directors,
admins) and signed feedback.

No endpoint returns anything that identifies the author of an anonymous answer:
submit answers with the period only; results carry aggregates and texts alone, under
the threshold rule of coaching.feedback.selectors. Outside scope answers 404.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from coaching.feedback import selectors, services
from coaching.feedback.serializers import (
    FeedbackPeriodSerializer,
    QuestionSerializer,
    ResultsQuerySerializer,
    ResultsSerializer,
    SignedFeedbackSerializer,
    SubmitFeedbackSerializer,
    SubmittedSerializer,
)
from coaching.models import FeedbackPeriod, SignedFeedback
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.models import CompanySettings


@extend_schema(
    request=SubmitFeedbackSerializer,
    responses={
        201: SubmittedSerializer,
        400: OpenApiResponse(
            ErrorSerializer,
            description=gettext_lazy(
                "Bad ratings, no open period, no manager, or already answered."
            ),
        ),
    },
)
@api_view(["POST"])
def submit_feedback(request):
    """A rep's anonymous answer for the open period: a 1-5 rating for every active
    question and optional free text. Once per period. Stored without author or time;
    the answer says only that the period is answered."""
    if not request.user.is_rep:
        raise PermissionDenied(_("Only reps give upward feedback."))
    body = SubmitFeedbackSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    period = services.submit_feedback(
        by=request.user, ratings=body.validated_data["ratings"], text=body.validated_data["text"]
    )
    period.answered = True
    today = CompanySettings.load().today()
    data = {"period": period, "detail": _("Your answer was recorded anonymously.")}
    return Response(
        SubmittedSerializer(data, context={"today": today}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(responses={200: QuestionSerializer(many=True)})
@api_view(["GET"])
def feedback_questions(request):
    """The active questions, in order: submit rates each of them 1-5 by its id."""
    return Response(QuestionSerializer(selectors.questions(), many=True).data)


class FeedbackPeriodFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="start__year", help_text=gettext_lazy("Periods starting in.")
    )

    class Meta:
        model = FeedbackPeriod
        fields = ["year"]


class FeedbackPeriodViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Feedback periods, newest first, with whether you answered each and whether it
    is open today."""

    serializer_class = FeedbackPeriodSerializer
    filterset_class = FeedbackPeriodFilter
    ordering_fields = ["start"]

    def get_queryset(self):
        return selectors.periods_for(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": CompanySettings.load().today()}


@extend_schema(
    parameters=[ResultsQuerySerializer],
    responses={
        200: ResultsSerializer,
        404: OpenApiResponse(
            ErrorSerializer,
            description=gettext_lazy("A period, division or manager outside what you see."),
        ),
    },
)
@api_view(["GET"])
def feedback_results(request):
    """Aggregates of anonymous feedback for a period: a manager's own teams (with the
    free text, in random order) once a team has 3 answers; a director's division, or
    every division for admins, with per-manager figures (never text). Below the
    threshold a group shows its count of answers and nothing else."""
    user = request.user
    if not selectors.sees_results(user):
        raise PermissionDenied(_("Managers, directors and admins see feedback results."))
    query = ResultsQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    today = CompanySettings.load().today()
    if "period" in params:
        period = FeedbackPeriod.objects.filter(pk=params["period"]).first()
        if period is None:
            raise NotFound()
    else:
        period = selectors.open_period(today) or FeedbackPeriod.objects.order_by("-start").first()
    try:
        found = selectors.results_for(
            user, period, division=params.get("division"), manager=params.get("manager")
        )
    except selectors.OutOfScope:
        raise NotFound() from None
    if period is not None:
        period.answered = selectors.has_answered(user, period)
    body = {
        "period": period,
        "threshold": selectors.THRESHOLD,
        "teams": found.teams,
        "divisions": found.divisions,
    }
    return Response(ResultsSerializer(body, context={"today": today}).data)


class SignedFeedbackFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=FeedbackPeriod.objects.all())

    class Meta:
        model = SignedFeedback
        fields = ["period"]


class SignedFeedbackViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Signed (not anonymous) feedback: a rep writes to their team's manager, who sees
    the author's name. The author and that manager see it (and admins)."""

    serializer_class = SignedFeedbackSerializer
    filterset_class = SignedFeedbackFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (
            SignedFeedback.objects.visible_to(self.request.user)
            .select_related("author", "manager")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer):
        serializer.instance = services.send_signed_feedback(
            by=self.request.user, text=serializer.validated_data["text"]
        )


router = SimpleRouter()
router.register("feedback/periods", FeedbackPeriodViewSet, basename="feedback-period")
router.register("signed-feedback", SignedFeedbackViewSet, basename="signed-feedback")

urlpatterns = [
    path("feedback/submit/", submit_feedback, name="feedback-submit"),
    path("feedback/results/", feedback_results, name="feedback-results"),
    path("feedback/questions/", feedback_questions, name="feedback-questions"),
    *router.urls,
]
