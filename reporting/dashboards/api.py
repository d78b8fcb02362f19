"""Dashboard figures on /api/v1/dashboards/: a rep's (or the caller's own) and a team's,
for a date range (default: this month).

The figures are the pages': each endpoint serializes the object ``rep_dashboard`` /
``team_dashboard`` (reporting.dashboards.selectors) assembles for the range. Same
scoping as the pages: a rep outside what the caller sees, or a team the caller does
not lead, answers 404. Read only; a fixed number of queries per request.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from reporting.dashboards import selectors as dashboards
from reporting.dashboards.serializers import (
    DashboardQuerySerializer,
    RepDashboardSerializer,
    TeamDashboardSerializer,
)
from salesmgmt import calendar
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.models import CompanySettings, Team, User

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="start/end are invalid."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such object, or it is outside what you can see."
    ),
}


def _range(request) -> tuple:
    """(start, end) of the query; default: this month."""
    query = DashboardQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    month = calendar.month_of(CompanySettings.load().today())
    data = query.validated_data
    return data.get("start", month.start), data.get("end", month.end)


def _when(d) -> dict:
    return {"start": d.start, "end": d.end, "as_of": d.as_of}


def _windows(windows):
    return [
        {
            "months": months,
            "monthly": [{"month": m, "attainment": v} for m, v in c.months],
            "mean": c.mean,
            "std_dev": c.std_dev,
            "trend": c.trend,
            "scatter": c.scatter,
            "label": c.label,
        }
        for months, c in windows
    ]


def _rank(s):
    return {"rank": s.rank, "rep": s.rep.pk, "name": str(s.rep), "attainment": s.attainment}


def _standing(s):
    lagging = s.lagging
    return _rank(s) | {
        "standing": s.standing,
        "goals": s.goals,
        "sales_value": s.sales_value,
        "lagging_metric": lagging.metric.key if lagging else None,
        "lagging_pace": lagging.pace if lagging else None,
        "lagging_from": lagging.source if lagging else None,
    }


def _rep_body(request, person: User):
    start, end = _range(request)
    d = dashboards.rep_dashboard(person, request.user, start=start, end=end)
    body = {
        "rep": {"id": person.pk, "name": str(person), "team": person.team_id},
        "range": _when(d),
        "totals": d.totals,
        "sales": d.credited_sales,
        "goals": d.goals,
        "plan_status": d.plan_status,
        "leaderboard": [_rank(s) for s in d.leaderboard],
        "consistency": _windows(d.consistency),
    }
    return Response(RepDashboardSerializer(body).data)


@extend_schema(
    operation_id="dashboards_me",
    parameters=[DashboardQuerySerializer],
    responses={200: RepDashboardSerializer, **ERRORS},
)
@api_view(["GET"])
def dashboard_me(request):
    """The caller's own rep dashboard: totals per metric in the range, goals with pace,
    plan status per week, the team's leaderboard (rank, name, attainment) and
    consistency over the last 6 and 12 months. Reps only (others: 404)."""
    if not request.user.is_rep:
        raise NotFound(gettext("Only reps have a personal dashboard; see dashboards/team/<id>/."))
    return _rep_body(request, request.user)


@extend_schema(
    operation_id="dashboards_rep",
    parameters=[DashboardQuerySerializer],
    responses={200: RepDashboardSerializer, **ERRORS},
)
@api_view(["GET"])
def dashboard_rep(request, pk: int):
    """A rep's dashboard figures (see dashboards/me/), for a rep the caller sees."""
    person = get_object_or_404(User.objects.visible_to(request.user).sales_reps(), pk=pk)
    return _rep_body(request, person)


@extend_schema(
    operation_id="dashboards_team",
    parameters=[DashboardQuerySerializer],
    responses={200: TeamDashboardSerializer, **ERRORS},
)
@api_view(["GET"])
def dashboard_team(request, pk: int):
    """A team's dashboard figures: totals per metric over its reps, the team's and the
    reps' goals with pace, plan status per week, the leaderboard (rank by mean
    attainment of the month's goals, sales value, the metric each rep lags most on:
    their current goal with the lowest pace, or their plan for the week) and each
    rep's consistency. For the team's manager, its director and admins."""
    team = get_object_or_404(
        Team.objects.managed_by(request.user).select_related("division"), pk=pk
    )
    start, end = _range(request)
    d = dashboards.team_dashboard(team, request.user, start=start, end=end)
    body = {
        "team": {"id": team.pk, "name": team.name, "division": str(team.division)},
        "range": _when(d),
        "totals": d.totals,
        "sales": d.credited_sales,
        "goals": d.goals,
        "plan_status": d.plan_status,
        "leaderboard": [_standing(s) for s in d.leaderboard],
        "consistency": [
            {"rep": r.pk, "name": str(r), "windows": _windows(windows)}
            for r, windows in d.consistency_rows
        ],
    }
    return Response(TeamDashboardSerializer(body).data)


urlpatterns = [
    path("dashboards/me/", dashboard_me, name="dashboard-me"),
    path("dashboards/rep/<int:pk>/", dashboard_rep, name="dashboard-rep"),
    path("dashboards/team/<int:pk>/", dashboard_team, name="dashboard-team"),
]
