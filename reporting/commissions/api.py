"""Commission plans and statements on /api/v1/ (read-only; the monthly job writes them).

Statements follow ``CommissionStatement.objects.visible_to`` (anything else is a 404).
Reps read the plans they are on; managers, directors and admins read every plan. A
plan's members are listed only as far as the caller sees people.
"""

from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.routers import SimpleRouter

from reporting.commissions.filters import CommissionStatementFilter
from reporting.commissions.selectors import plans_with_terms
from reporting.commissions.serializers import (
    CommissionPlanSerializer,
    CommissionStatementSerializer,
)
from reporting.models import CommissionPlan, CommissionStatement, StatementLine
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
        return CommissionStatement.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=StatementLine.objects.order_by("position", "pk"))
        )


router = SimpleRouter()
router.register("commission-plans", CommissionPlanViewSet, basename="commissionplan")
router.register("commission-statements", CommissionStatementViewSet, basename="commissionstatement")

urlpatterns = router.urls
