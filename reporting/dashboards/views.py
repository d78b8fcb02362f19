"""Dashboards: a rep's own (or one of the viewer's reps) and a team's.

Every figure comes from one object, ``rep_dashboard`` / ``team_dashboard`` in
reporting.dashboards.selectors (the API serializes the same objects); a page adds
only what a page needs (links, charts, the week it browses) and every table exports
with ``?export=<table>`` from the same object.
"""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext, pgettext

from reporting.dashboards import selectors as dashboards
from salesmgmt.csv_export import csv_response
from salesmgmt.models import Team, User
from salesmgmt.web import parse_day


def _week(request):
    """The day ``?week=`` names (the dashboard shows the company week holding it)."""
    return parse_day(request.GET.get("week"))


def _query(request) -> str:
    """The query string without ``export``, for the tables' CSV links."""
    params = request.GET.copy()
    params.pop("export", None)
    return params.urlencode()


# --- Rep dashboard ------------------------------------------------------------------------------


def me(request):
    """A rep's own dashboard; those who lead teams land on their team's."""
    if request.user.reviews_plans:
        return redirect("dashboards:team")
    return _rep_dashboard(request, request.user)


def rep(request, pk):
    person = get_object_or_404(
        User.objects.visible_to(request.user).sales_reps().select_related("team"), pk=pk
    )
    return _rep_dashboard(request, person)


def _consistency_chart(c) -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [formats.date_format(m, "SHORT_MONTH_YEAR") for m, _ in c.months],
            "datasets": [
                {
                    "label": gettext("Attainment %"),
                    "data": [float(v) for _, v in c.months],
                    "color": "#1f6feb",
                }
            ],
        },
        "options": {
            "locale": get_language(),  # Chart.js formats ticks and tooltips with it
            "scales": {"y": {"beginAtZero": True, "suggestedMax": 120}},
            "plugins": {"legend": {"display": False}},
        },
    }


def _rep_context(request, d: dashboards.RepDashboard) -> dict:
    """The dashboard's figures under the template's names, with the page's links and charts."""
    is_self = d.person.pk == request.user.pk
    return {
        "query": _query(request),
        "person": d.person,
        "is_self": is_self,
        "today": d.today,
        "my_week": d.my_week,
        "prev_week": d.week - timedelta(weeks=1),
        "next_week": d.week + timedelta(weeks=1),
        "goals": d.goals,
        "funnel": d.reverse_funnel,
        "pipeline": d.pipeline,
        "pipeline_url": reverse("deals:pipeline") + ("" if is_self else f"?rep={d.person.pk}"),
        "trend": d.trend,
        "trend_chart": d.trend.chart(planned=True),
        "consistency": d.consistency,
        "consistency_chart": _consistency_chart(dict(d.consistency)[12]),
        "alerts": d.alerts,
        "leaderboard": d.leaderboard,
        "month": d.month,
        "credited_sales": d.credited_sales,
    }


def _rep_dashboard(request, person: User):
    d = dashboards.rep_dashboard(person, request.user, week=_week(request))
    export = request.GET.get("export")
    if export:
        return _rep_export(export, d)
    return render(request, "reporting/dashboards/rep.html", _rep_context(request, d))


def _rep_export(name: str, d: dashboards.RepDashboard):
    person, slug = d.person, f"rep-{d.person.pk}"
    if name == "week":
        w = d.my_week
        return csv_response(
            f"{slug}-week-{w.week}.csv",
            [
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "week_start"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "planned"),
                pgettext("CSV column", "expected_by_today"),
                pgettext("CSV column", "actual"),
                pgettext("CSV column", "attainment_percent"),
                pgettext("CSV column", "pace"),
            ],
            (
                [
                    person,
                    w.week,
                    r.metric,
                    r.planned,
                    r.expected,
                    r.actual,
                    r.attainment,
                    r.pace,
                ]
                for r in w.rows
            ),
        )
    if name == "goals":
        return _goals_csv(f"{slug}-goals.csv", d.goals)
    if name == "pipeline":
        return csv_response(
            f"{slug}-pipeline.csv",
            [
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "pipeline"),
                pgettext("CSV column", "stage"),
                pgettext("CSV column", "open_deals"),
                pgettext("CSV column", "amount"),
                pgettext("CSV column", "weighted"),
            ],
            ([person, s.pipeline, s.stage, s.count, s.amount, s.weighted] for s in d.pipeline),
        )
    if name == "trend":
        return _trend_csv(f"{slug}-trend.csv", d.trend, person)
    if name == "consistency":
        return _consistency_csv(f"{slug}-consistency.csv", [(person, d.consistency)])
    if name == "alerts":
        return _alerts_csv(f"{slug}-alerts.csv", d.alerts)
    if name == "leaderboard":
        return csv_response(
            f"{slug}-team-leaderboard.csv",
            [
                pgettext("CSV column", "rank"),
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "attainment_percent"),
            ],
            ([s.rank, s.rep, s.attainment] for s in d.leaderboard),
        )
    raise Http404


# --- Team dashboard -----------------------------------------------------------------------------


def team(request):
    """A team at a glance: plans, plan vs actual, goals, leaderboard, funnel, trends."""
    if request.user.is_rep:
        return redirect("dashboards:me")
    teams = list(Team.objects.managed_by(request.user).select_related("division"))
    if not teams:
        return render(request, "reporting/dashboards/team.html", {"teams": []})
    chosen = request.GET.get("team")
    if chosen:
        selected = next((t for t in teams if str(t.pk) == chosen), None)
        if selected is None:
            raise Http404
    else:
        selected = teams[0]
    d = dashboards.team_dashboard(selected, request.user, week=_week(request))
    export = request.GET.get("export")
    if export:
        return _team_export(export, d)
    return render(request, "reporting/dashboards/team.html", _team_context(request, d, teams))


def _funnel_url(d: dashboards.TeamDashboard) -> str | None:
    pipeline = d.funnel.pipeline
    if pipeline is None:
        return None
    return f"{reverse('funnel:page')}?scope=team:{d.team.pk}&pipeline={pipeline.key}"


def _team_context(request, d: dashboards.TeamDashboard, teams) -> dict:
    """The dashboard's figures under the template's names, with the page's links and charts."""
    return {
        "query": _query(request),
        "teams": teams,
        "team": d.team,
        "today": d.today,
        "week": d.week,
        "week_end": d.week + timedelta(days=6),
        "prev_week": d.week - timedelta(weeks=1),
        "next_week": d.week + timedelta(weeks=1),
        "progress": d.week_progress,
        "counts": d.counts,
        "rows": d.rows,
        "grid_metrics": d.metrics,
        "team_goals": d.team_goals,
        "goal_rows": d.goal_rows,
        "leaderboard": d.leaderboard,
        "month": d.month,
        "credited_sales": d.credited_sales,
        "funnel": d.funnel,
        "funnel_url": _funnel_url(d),
        "trend": d.trend,
        "trend_chart": d.trend.chart(planned=False),
        "alerts": d.alerts,
        "consistency_rows": d.consistency_rows,
    }


def _team_export(name: str, d: dashboards.TeamDashboard):
    team_obj, slug = d.team, f"team-{d.team.pk}"
    if name == "plan-status":
        return csv_response(
            f"{slug}-plan-status-{d.week}.csv",
            [
                pgettext("CSV column", "team"),
                pgettext("CSV column", "week_start"),
                pgettext("CSV column", "status"),
                pgettext("CSV column", "reps"),
            ],
            ([team_obj, d.week, status, n] for status, n in d.counts.items()),
        )
    if name == "grid":
        return csv_response(
            f"{slug}-plan-vs-actual-{d.week}.csv",
            [
                pgettext("CSV column", "team"),
                pgettext("CSV column", "week_start"),
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "plan_status"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "planned"),
                pgettext("CSV column", "actual"),
                pgettext("CSV column", "attainment_percent"),
                pgettext("CSV column", "pace"),
            ],
            (
                [
                    team_obj,
                    d.week,
                    row["rep"],
                    row["plan"].status if row["plan"] else "none",
                    metric,
                    cell.planned,
                    cell.actual,
                    cell.attainment,
                    cell.pace,
                ]
                for row in d.rows
                for metric, cell in row["cells"]
            ),
        )
    if name == "goals":
        return _goals_csv(f"{slug}-goals.csv", d.goals)
    if name == "leaderboard":
        return csv_response(
            f"{slug}-leaderboard.csv",
            [
                pgettext("CSV column", "rank"),
                pgettext("CSV column", "rep"),
                pgettext("CSV column", "standing"),
                pgettext("CSV column", "attainment_percent"),
                pgettext("CSV column", "month_goals"),
                pgettext("CSV column", "sales_value"),
                pgettext("CSV column", "lagging_metric"),
                pgettext("CSV column", "lagging_pace_percent"),
                pgettext("CSV column", "lagging_from"),
            ],
            (
                [
                    s.rank,
                    s.rep,
                    s.standing,
                    s.attainment,
                    s.goals,
                    s.sales_value,
                    s.lagging.metric if s.lagging else "",
                    s.lagging.pace if s.lagging else "",
                    s.lagging.source if s.lagging else "",
                ]
                for s in d.leaderboard
            ),
        )
    if name == "funnel":
        f = d.funnel
        return csv_response(
            f"{slug}-funnel-{f.period.start}.csv",
            [
                pgettext("CSV column", "team"),
                pgettext("CSV column", "pipeline"),
                pgettext("CSV column", "period_start"),
                pgettext("CSV column", "period_end"),
                pgettext("CSV column", "stage"),
                pgettext("CSV column", "entered"),
                pgettext("CSV column", "advanced"),
                pgettext("CSV column", "conversion_percent"),
            ],
            (
                [
                    team_obj,
                    f.pipeline,
                    f.period.start,
                    f.period.end,
                    r.stage,
                    r.entered,
                    r.advanced if r.stage.is_open else "",
                    r.conversion,
                ]
                for r in f.stages
            ),
        )
    if name == "trend":
        return _trend_csv(f"{slug}-trend.csv", d.trend, team_obj)
    if name == "alerts":
        return _alerts_csv(f"{slug}-alerts.csv", d.alerts)
    if name == "consistency":
        return _consistency_csv(f"{slug}-consistency.csv", d.consistency_rows)
    raise Http404


# --- CSV shared by both -------------------------------------------------------------------------


def _goals_csv(filename, progress):
    return csv_response(
        filename,
        [
            pgettext("CSV column", "owner"),
            pgettext("CSV column", "scope"),
            pgettext("CSV column", "metric"),
            pgettext("CSV column", "period"),
            pgettext("CSV column", "start"),
            pgettext("CSV column", "end"),
            pgettext("CSV column", "target"),
            pgettext("CSV column", "stretch_target"),
            pgettext("CSV column", "actual"),
            pgettext("CSV column", "expected"),
            pgettext("CSV column", "attainment_percent"),
            pgettext("CSV column", "pace_percent"),
            pgettext("CSV column", "projection"),
            pgettext("CSV column", "status"),
        ],
        (
            [
                p.goal.owner_label,
                p.goal.scope,
                p.goal.label,
                p.goal.period,
                p.goal.start,
                p.goal.end,
                p.goal.target,
                p.goal.stretch_target,
                p.actual,
                p.expected,
                p.attainment,
                p.pace,
                p.projection,
                p.status,
            ]
            for p in progress
        ),
    )


def _trend_csv(filename, trend, owner):
    return csv_response(
        filename,
        [
            pgettext("CSV column", "who"),
            pgettext("CSV column", "week_start"),
            pgettext("CSV column", "metric"),
            pgettext("CSV column", "actual"),
            pgettext("CSV column", "planned"),
        ],
        (
            [owner, week, metric, actual, planned]
            for week, cells in trend.rows()
            for metric, actual, planned in cells
        ),
    )


def _consistency_csv(filename, rows):
    """rows: [(rep, [(months, Consistency), ...]), ...]; one line per rep, window and month."""
    return csv_response(
        filename,
        [
            pgettext("CSV column", "rep"),
            pgettext("CSV column", "window_months"),
            pgettext("CSV column", "month"),
            pgettext("CSV column", "attainment_percent"),
            pgettext("CSV column", "mean_percent"),
            pgettext("CSV column", "std_dev"),
            pgettext("CSV column", "trend_points_per_month"),
            pgettext("CSV column", "label"),
        ],
        (
            [person, months, m, v, c.mean, c.std_dev, c.trend, c.label]
            for person, windows in rows
            for months, c in windows
            for m, v in (c.months or [("", "")])
        ),
    )


def _alerts_csv(filename, alerts):
    return csv_response(
        filename,
        [
            pgettext("CSV column", "rep"),
            pgettext("CSV column", "team"),
            pgettext("CSV column", "subject"),
            pgettext("CSV column", "severity"),
            pgettext("CSV column", "opened_on"),
            pgettext("CSV column", "worsened_on"),
            pgettext("CSV column", "actual"),
            pgettext("CSV column", "expected"),
        ],
        (
            [
                e.rep or "",
                e.team or "",
                e.subject,
                e.severity,
                e.opened_on,
                e.worsened_on,
                e.actual,
                e.expected,
            ]
            for e in alerts
        ),
    )
