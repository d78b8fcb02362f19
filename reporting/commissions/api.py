"""Commission plans and statements on /api/v1/ (the monthly job writes statements; a
manager adds manual adjustments with ``POST commission-statements/{id}/adjustments/``).

Statements follow ``CommissionStatement.objects.visible_to`` (anything else is a 404);
adjusting is for the rep's manager, director or an admin (403 for the rep).
Reps read the plans they are on; managers, directors and admins read every plan. A
plan's members are listed only as far as the caller sees people.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from reporting.commissions.filters import CommissionStatementFilter
from reporting.commissions.selectors import api_statements, plans_with_terms
from reporting.commissions.serializers import (
    AdjustmentInputSerializer,
    CommissionPlanSerializer,
    CommissionStatementSerializer,
)
from reporting.commissions.services import add_adjustment
from reporting.models import (
    CommissionPlan,
    CommissionStatement,
)
from salesmgmt.models import User


class CommissionPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Commission plans with their accelerators, bonus rules and the members you see."""

    queryset = CommissionPlan.objects.none()  # for the schema; requests use get_queryset
    serializer_class = CommissionPlanSerializer
    ordering_fields = ["name"]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return CommissionPlan.objects.none()
        plans = plans_with_terms().prefetch_related(
            Prefetch("reps", queryset=User.objects.visible_to(user), to_attr="visible_members")
        )
        if not user.reviews_plans:
            plans = plans.filter(reps=user)
        return plans.order_by("name")


class CommissionStatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly commission statements with every line; filter by `month` (YYYY-MM), `rep`, `team`."""

    queryset = CommissionStatement.objects.none()  # for the schema; requests use get_queryset
    serializer_class = CommissionStatementSerializer
    filterset_class = CommissionStatementFilter
    ordering_fields = ["month", "total"]

    def get_queryset(self):
        return api_statements(self.request.user)

    @extend_schema(
        request=AdjustmentInputSerializer,
        responses={201: CommissionStatementSerializer},
    )
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None):
        """Add a manual adjustment (amount +/-, reason) to the statement's month; the
        statement is recomputed and returned with the new line."""
        statement = self.get_object()
        body = AdjustmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        add_adjustment(statement=statement, by=request.user, **body.validated_data)
        statement = self.get_queryset().get(pk=statement.pk)
        return Response(
            self.get_serializer(statement).data,
            status=status.HTTP_201_CREATED,
        )


router = SimpleRouter()
router.register("commission-plans", CommissionPlanViewSet, basename="commissionplan")
router.register("commission-statements", CommissionStatementViewSet, basename="commissionstatement")

urlpatterns = router.urls
