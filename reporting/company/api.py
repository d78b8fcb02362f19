"""The director/admin dashboard's figures for machines: GET /api/v1/dashboards/company/.

Same scope as the page: admins the company (or ?division=), directors their own
division; anyone else, or another division, is a 404.
"""

from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from reporting.company.selectors import company_dashboard, resolve_company_scope
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.api_support import DateRangeQuerySerializer
from salesmgmt.models import CompanySettings

MONEY = {"max_digits": 18, "decimal_places": 2}
PCT = {"max_digits": 9, "decimal_places": 1, "allow_null": True}


class CompanyQuerySerializer(DateRangeQuerySerializer):
    max_days = None  # a company looks back over years

    start = serializers.DateField(
        required=False, help_text="First day (default: 1st of this month)."
    )
    end = serializers.DateField(required=False, help_text="Last day (default: today).")
    division = serializers.IntegerField(
        required=False, help_text="A division's id (admins; a director's own is implied)."
    )
    metric = serializers.CharField(
        required=False, help_text="Metric key for breakdowns and trends (default sales-value)."
    )


class CompanyScopeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CompanyTotalSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key")
    name = serializers.CharField(source="metric.name")
    unit = serializers.CharField(source="metric.unit")
    total = serializers.DecimalField(source="current", **MONEY)
    previous = serializers.DecimalField(**MONEY)
    change_percent = serializers.DecimalField(source="change", **PCT)


class CompanyShareSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    total = serializers.DecimalField(**MONEY)
    share_percent = serializers.DecimalField(source="share", **PCT)


class CompanyTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    division = serializers.CharField(source="team.division.name")
    total = serializers.DecimalField(**MONEY)
    share_percent = serializers.DecimalField(source="share", **PCT)
    reps = serializers.IntegerField()
    per_rep = serializers.DecimalField(allow_null=True, **MONEY)
    month_goals = serializers.IntegerField(source="goals")
    mean_attainment_percent = serializers.DecimalField(source="mean_attainment", **PCT)


class CompanyBucketSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    total = serializers.DecimalField(**MONEY)
    compared_with = serializers.DecimalField(source="previous", allow_null=True, **MONEY)
    change_percent = serializers.DecimalField(source="change", **PCT)


class CompanyGoalPaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="goal.pk")
    scope = serializers.CharField(source="goal.scope")
    owner = serializers.CharField(source="goal.owner_label")
    metric = serializers.CharField(source="goal.metric.key")
    period = serializers.CharField(source="goal.period")
    start = serializers.DateField(source="goal.start")
    end = serializers.DateField(source="goal.end")
    target = serializers.DecimalField(source="goal.target", **MONEY)
    actual = serializers.DecimalField(**MONEY)
    expected = serializers.DecimalField(**MONEY)
    attainment_percent = serializers.DecimalField(source="attainment", **PCT)
    pace_percent = serializers.DecimalField(source="pace", **PCT)
    projection = serializers.DecimalField(allow_null=True, **MONEY)
    status = serializers.CharField()


class CompanyRankingSerializer(serializers.Serializer):
    top = CompanyTeamSerializer(many=True)
    bottom = CompanyTeamSerializer(many=True)


class CompanyDashboardSerializer(serializers.Serializer):
    scope = CompanyScopeSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    currency = serializers.CharField()
    metric = serializers.CharField(help_text="The metric of breakdowns and trends.")
    totals = CompanyTotalSerializer(many=True)
    breakdown_by = serializers.ChoiceField(choices=["division", "team"])
    breakdown = CompanyShareSerializer(many=True, help_text="By division (company) or team.")
    teams = CompanyTeamSerializer(many=True)
    products = CompanyShareSerializer(many=True)
    channels = CompanyShareSerializer(many=True)
    day_by_day = CompanyBucketSerializer(many=True)
    week_over_week = CompanyBucketSerializer(many=True)
    month_over_month = CompanyBucketSerializer(many=True)
    year_over_year = CompanyBucketSerializer(many=True)
    top_bottom_by_attainment = CompanyRankingSerializer()
    top_bottom_by_value_per_rep = CompanyRankingSerializer()
    goals = CompanyGoalPaceSerializer(many=True)


def _breakdown_rows(data) -> list[dict]:
    if data.scope.is_company:
        return data.breakdown
    return [
        {"key": f"team:{t.team.pk}", "label": t.team.name, "total": t.total, "share": t.share}
        for t in data.breakdown
    ]


@extend_schema(
    parameters=[CompanyQuerySerializer],
    responses={
        200: CompanyDashboardSerializer,
        400: OpenApiResponse(ErrorSerializer, description="A query parameter is invalid."),
        404: OpenApiResponse(
            ErrorSerializer, description="A scope you may not look at (or that does not exist)."
        ),
    },
)
@api_view(["GET"])
def company_dashboard_report(request):
    """A division's or the company's totals (with the previous range), breakdowns by
    division/team, product and channel, day/week/month/year comparisons, top and bottom
    teams, and the pace of company and division goals. Admins see the company (or
    `?division=`), a director their own division. Totals sit next to the previous range
    (as many days on the same weekdays, moved back by the fewest whole weeks that end it
    before `start`: `previous_start`, `previous_end`); series end at `end`: 31 days,
    12 company weeks, 12 months, and each month of the fiscal year next to the year
    before. Teams rank by mean attainment of their monthly goals and by value per rep."""
    query = CompanyQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    scope = resolve_company_scope(request.user, params.get("division"))
    if scope is None:
        raise NotFound
    company = CompanySettings.load()
    today = company.today()
    start, end = params.get("start", today.replace(day=1)), params.get("end", today)
    data = company_dashboard(scope, start=start, end=end, metric_key=params.get("metric"))
    if data is None:
        raise NotFound(gettext("No metric is set up."))
    if params.get("metric") and data.metric.key != params["metric"]:
        raise ValidationError(
            {"metric": [gettext("No active metric '%(key)s'.") % {"key": params["metric"]}]}
        )
    body = {
        "scope": {"key": scope.key, "label": scope.label},
        "start": data.start,
        "end": data.end,
        "previous_start": data.previous[0],
        "previous_end": data.previous[1],
        "currency": company.currency,
        "metric": data.metric.key,
        "totals": data.totals,
        "breakdown_by": data.breakdown_label.lower(),
        "breakdown": _breakdown_rows(data),
        "teams": data.teams,
        "products": data.products,
        "channels": data.channels,
        "day_by_day": data.days,
        "week_over_week": data.weeks,
        "month_over_month": data.months,
        "year_over_year": data.years,
        "top_bottom_by_attainment": {
            "top": data.top_by_attainment,
            "bottom": data.bottom_by_attainment,
        },
        "top_bottom_by_value_per_rep": {
            "top": data.top_by_value,
            "bottom": data.bottom_by_value,
        },
        "goals": data.goals,
    }
    return Response(CompanyDashboardSerializer(body).data)


urlpatterns = [
    path("dashboards/company/", company_dashboard_report, name="dashboard-company"),
]
