"""Dashboard figures on /api/v1/dashboards/: a rep's (or the caller's own) and a team's,
for a date range (default: this month).

Same scoping as the pages: a rep outside what the caller sees, or a team the caller
does not lead, answers 404. Read only; a fixed number of queries per request.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from activities.models import Metric
from plans.weekly.selectors import week_grid
from reporting.dashboards import selectors as dashboards
from reporting.dashboards.consistency import consistency_windows
from reporting.dashboards.serializers import (
    DashboardQuerySerializer,
    RepDashboardSerializer,
    TeamDashboardSerializer,
)
from salesmgmt import calendar as funnel
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.models import CompanySettings, Team, User

WINDOWS = (6, 12)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="start/end are invalid."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such object, or it is outside what you can see."
    ),
}


def _range(request):
    query = DashboardQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    company = CompanySettings.load()
    today = company.today()
    month = funnel.month_of(today)
    start = query.validated_data.get("start", month.start)
    end = query.validated_data.get("end", month.end)
    return start, end, min(end, today)


def _totals(rep_ids, start, end):
    totals = dashboards.metric_totals(rep_ids, start=start, end=end)
    return [
        {"metric": m, "total": totals.get(m.pk) or dashboards.ZERO} for m in Metric.objects.active()
    ]


def _plan_status(rep_ids, start, end):
    weeks = dashboards.weeks_between(start, end)
    by_week = dashboards.plan_status_by_week(rep_ids, weeks)
    return [{"week_start": w, **by_week[w]} for w in weeks]


def _windows(windows, rep_id):
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
        for months, c in ((months, windows[months][rep_id]) for months in WINDOWS)
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
    start, end, as_of = _range(request)
    board = []
    if person.team_id:
        board = dashboards.team_leaderboard(
            User.objects.reps().filter(team=person.team_id), today=as_of
        )
    windows = consistency_windows([person.pk], windows=WINDOWS, as_of=as_of)
    body = {
        "rep": {"id": person.pk, "name": str(person), "team": person.team_id},
        "range": {"start": start, "end": end, "as_of": as_of},
        "totals": _totals([person.pk], start, end),
        "goals": dashboards.rep_goals(request.user, person, as_of=as_of, start=start, end=end),
        "plan_status": _plan_status([person.pk], start, end),
        "leaderboard": [_rank(s) for s in board],
        "consistency": _windows(windows, person.pk),
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
        raise NotFound("Only reps have a personal dashboard; see dashboards/team/<id>/.")
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
    attainment of the month's goals, sales value, the metric each rep lags most on)
    and each rep's consistency. For the team's manager, its director and admins."""
    team = get_object_or_404(
        Team.objects.managed_by(request.user).select_related("division"), pk=pk
    )
    start, end, as_of = _range(request)
    reps = list(User.objects.reps().filter(team=team).order_by("first_name", "last_name"))
    rep_ids = [r.pk for r in reps]
    progress = dashboards.reps_goals(request.user, reps, as_of=as_of, start=start, end=end)
    metrics = Metric.objects.focus_of(team)
    week = CompanySettings.load().week_of(as_of)
    grid = week_grid(rep_ids, week, [m.pk for m in metrics], today=as_of)
    board = dashboards.leaderboard(
        reps,
        progress,
        dashboards.sales_value_by_rep(rep_ids, start=start, end=end),
        month_start=funnel.month_of(as_of).start,
        cells_by_rep=dashboards.cells_by_metric(grid, metrics),
    )
    windows = consistency_windows(rep_ids, windows=WINDOWS, as_of=as_of)
    team_goals = dashboards.team_goals(request.user, team, as_of=as_of, start=start, end=end)
    body = {
        "team": {"id": team.pk, "name": team.name, "division": str(team.division)},
        "range": {"start": start, "end": end, "as_of": as_of},
        "totals": _totals(rep_ids, start, end),
        "goals": team_goals + [p for r in reps for p in progress[r.pk]],
        "plan_status": _plan_status(rep_ids, start, end),
        "leaderboard": [_standing(s) for s in board],
        "consistency": [
            {"rep": r.pk, "name": str(r), "windows": _windows(windows, r.pk)} for r in reps
        ],
    }
    return Response(TeamDashboardSerializer(body).data)


urlpatterns = [
    path("dashboards/me/", dashboard_me, name="dashboard-me"),
    path("dashboards/rep/<int:pk>/", dashboard_rep, name="dashboard-rep"),
    path("dashboards/team/<int:pk>/", dashboard_team, name="dashboard-team"),
]
