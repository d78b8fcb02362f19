"""Dashboards: a rep's own (or one of the viewer's reps) and a team's.

Every section is computed by reporting.dashboards / consistency / goals in a
fixed number of queries; every table exports with ``?export=<table>``.
"""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from activities.models import Metric, Pipeline
from plans.goals.reverse_funnel import reverse_funnel
from plans.models import WeeklyPlan
from plans.weekly.selectors import team_week_counts, team_week_rows, week_progress
from reporting.dashboards import selectors as dashboards
from reporting.dashboards.consistency import consistency_windows
from reporting.funnel import selectors as funnel
from salesmgmt import calendar
from salesmgmt.csv_export import csv_response
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.web import parse_day

WINDOWS = (6, 12)


def _week(request, company):
    return company.week_of(parse_day(request.GET.get("week")) or company.today())


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
            "labels": [f"{m:%b %y}" for m, _ in c.months],
            "datasets": [
                {
                    "label": "Attainment %",
                    "data": [float(v) for _, v in c.months],
                    "color": "#1f6feb",
                }
            ],
        },
        "options": {
            "scales": {"y": {"beginAtZero": True, "suggestedMax": 120}},
            "plugins": {"legend": {"display": False}},
        },
    }


def _rep_context(request, person: User) -> dict:
    company = CompanySettings.load()
    today = company.today()
    week = _week(request, company)
    metrics = Metric.objects.focus_of(person.team)
    trend = dashboards.weekly_trend([person.pk], metrics, today=today)
    windows = consistency_windows([person.pk], windows=WINDOWS, as_of=today)
    pipeline = dashboards.rep_pipeline(person)
    board = []
    if person.team_id:
        team_reps = User.objects.reps().filter(team=person.team_id)
        board = dashboards.team_leaderboard(team_reps, today=today)
    return {
        "query": _query(request),
        "person": person,
        "is_self": person.pk == request.user.pk,
        "today": today,
        "my_week": dashboards.rep_week(person, week, metrics, today=today),
        "prev_week": week - timedelta(weeks=1),
        "next_week": week + timedelta(weeks=1),
        "goals": dashboards.rep_goals(request.user, person, as_of=today),
        "funnel": reverse_funnel(person, as_of=today),
        "pipeline": pipeline,
        "pipeline_totals": {
            "count": sum(line.count for line in pipeline),
            "amount": sum((line.amount for line in pipeline), dashboards.ZERO),
            "weighted": sum((line.weighted for line in pipeline), dashboards.ZERO),
        },
        "pipeline_url": reverse("deals:pipeline")
        + ("" if person.pk == request.user.pk else f"?rep={person.pk}"),
        "trend": trend,
        "trend_chart": trend.chart(planned=True),
        "consistency": [(months, windows[months][person.pk]) for months in WINDOWS],
        "consistency_chart": _consistency_chart(windows[12][person.pk]),
        "alerts": dashboards.open_alerts(request.user, rep=person),
        "leaderboard": board,
    }


def _rep_dashboard(request, person: User):
    context = _rep_context(request, person)
    export = request.GET.get("export")
    if export:
        return _rep_export(export, context)
    return render(request, "reporting/dashboards/rep.html", context)


def _rep_export(name: str, c: dict):
    person, slug = c["person"], f"rep-{c['person'].pk}"
    if name == "week":
        w = c["my_week"]
        return csv_response(
            f"{slug}-week-{w.week}.csv",
            [
                "rep",
                "week_start",
                "metric",
                "planned",
                "expected_by_today",
                "actual",
                "attainment_percent",
                "pace",
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
        return _goals_csv(f"{slug}-goals.csv", c["goals"])
    if name == "pipeline":
        return csv_response(
            f"{slug}-pipeline.csv",
            ["rep", "pipeline", "stage", "open_deals", "amount", "weighted"],
            ([person, s.pipeline, s.stage, s.count, s.amount, s.weighted] for s in c["pipeline"]),
        )
    if name == "trend":
        return _trend_csv(f"{slug}-trend.csv", c["trend"], person)
    if name == "consistency":
        return _consistency_csv(f"{slug}-consistency.csv", [(person, c["consistency"])])
    if name == "alerts":
        return _alerts_csv(f"{slug}-alerts.csv", c["alerts"])
    if name == "leaderboard":
        return csv_response(
            f"{slug}-team-leaderboard.csv",
            ["rank", "rep", "attainment_percent"],
            ([s.rank, s.rep, s.attainment] for s in c["leaderboard"]),
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
    context = _team_context(request, selected, teams)
    export = request.GET.get("export")
    if export:
        return _team_export(export, context)
    return render(request, "reporting/dashboards/team.html", context)


def _team_funnel(request, team_obj, today, company):
    pipeline = Pipeline.objects.active().first()
    month = calendar.month_of(today)
    owners = User.objects.visible_to(request.user).filter(team=team_obj)
    if pipeline is None:
        return {"pipeline": None, "period": month, "stages": [], "outcomes": None}
    return {
        "pipeline": pipeline,
        "period": month,
        "stages": funnel.funnel(owners, pipeline, month, tzinfo=company.tzinfo),
        "outcomes": funnel.outcomes(owners, month, pipeline=pipeline, tzinfo=company.tzinfo),
        "url": f"{reverse('deals:funnel')}?scope=team:{team_obj.pk}&pipeline={pipeline.key}",
    }


def _team_context(request, team_obj: Team, teams) -> dict:
    company = CompanySettings.load()
    today = company.today()
    week = _week(request, company)
    month = calendar.month_of(today)
    reps = list(User.objects.reps().filter(team=team_obj).order_by("first_name", "last_name"))
    rep_ids = [r.pk for r in reps]
    metrics = Metric.objects.focus_of(team_obj)
    plans_by_rep = {p.rep_id: p for p in WeeklyPlan.objects.filter(rep__in=reps).for_week(week)}
    rows = team_week_rows(reps, plans_by_rep, week, metrics)
    progress = dashboards.reps_goals(request.user, reps, as_of=today)
    board = dashboards.leaderboard(
        reps,
        progress,
        dashboards.sales_value_by_rep(rep_ids, start=month.start, end=today),
        month_start=month.start,
        cells_by_rep={row["rep"].pk: dict(row["cells"]) for row in rows},
    )
    trend = dashboards.weekly_trend(rep_ids, metrics, today=today)
    windows = consistency_windows(rep_ids, windows=WINDOWS, as_of=today)
    return {
        "query": _query(request),
        "teams": teams,
        "team": team_obj,
        "today": today,
        "week": week,
        "week_end": week + timedelta(days=6),
        "prev_week": week - timedelta(weeks=1),
        "next_week": week + timedelta(weeks=1),
        "progress": week_progress(week, today),
        "counts": team_week_counts(team_obj, week),
        "rows": rows,
        "grid_metrics": metrics,
        "team_goals": dashboards.team_goals(request.user, team_obj, as_of=today),
        "goal_rows": [(r, progress[r.pk]) for r in reps],
        "leaderboard": board,
        "month": month,
        "funnel": _team_funnel(request, team_obj, today, company),
        "trend": trend,
        "trend_chart": trend.chart(planned=False),
        "alerts": dashboards.open_alerts(request.user, team=team_obj),
        "consistency_rows": [
            (r, [(months, windows[months][r.pk]) for months in WINDOWS]) for r in reps
        ],
    }


def _team_export(name: str, c: dict):
    team_obj, slug = c["team"], f"team-{c['team'].pk}"
    if name == "plan-status":
        counts = c["counts"]
        return csv_response(
            f"{slug}-plan-status-{c['week']}.csv",
            ["team", "week_start", "status", "reps"],
            ([team_obj, c["week"], status, n] for status, n in counts.items()),
        )
    if name == "grid":
        return csv_response(
            f"{slug}-plan-vs-actual-{c['week']}.csv",
            [
                "team",
                "week_start",
                "rep",
                "plan_status",
                "metric",
                "planned",
                "actual",
                "attainment_percent",
                "pace",
            ],
            (
                [
                    team_obj,
                    c["week"],
                    row["rep"],
                    row["plan"].status if row["plan"] else "none",
                    metric,
                    cell.planned,
                    cell.actual,
                    cell.attainment,
                    cell.pace,
                ]
                for row in c["rows"]
                for metric, cell in row["cells"]
            ),
        )
    if name == "goals":
        progress = c["team_goals"] + [p for _, ps in c["goal_rows"] for p in ps]
        return _goals_csv(f"{slug}-goals.csv", progress)
    if name == "leaderboard":
        return csv_response(
            f"{slug}-leaderboard.csv",
            [
                "rank",
                "rep",
                "standing",
                "attainment_percent",
                "month_goals",
                "sales_value",
                "lagging_metric",
                "lagging_pace_percent",
                "lagging_from",
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
                for s in c["leaderboard"]
            ),
        )
    if name == "funnel":
        f = c["funnel"]
        return csv_response(
            f"{slug}-funnel-{f['period'].start}.csv",
            [
                "team",
                "pipeline",
                "period_start",
                "period_end",
                "stage",
                "entered",
                "advanced",
                "conversion_percent",
            ],
            (
                [
                    team_obj,
                    f["pipeline"],
                    f["period"].start,
                    f["period"].end,
                    r.stage,
                    r.entered,
                    r.advanced if r.stage.is_open else "",
                    r.conversion,
                ]
                for r in f["stages"]
            ),
        )
    if name == "trend":
        return _trend_csv(f"{slug}-trend.csv", c["trend"], team_obj)
    if name == "alerts":
        return _alerts_csv(f"{slug}-alerts.csv", c["alerts"])
    if name == "consistency":
        return _consistency_csv(f"{slug}-consistency.csv", c["consistency_rows"])
    raise Http404


# --- CSV shared by both -------------------------------------------------------------------------


def _goals_csv(filename, progress):
    return csv_response(
        filename,
        [
            "owner",
            "scope",
            "metric",
            "period",
            "start",
            "end",
            "target",
            "stretch_target",
            "actual",
            "expected",
            "attainment_percent",
            "pace_percent",
            "projection",
            "status",
        ],
        (
            [
                p.goal.owner_label,
                p.goal.scope,
                p.goal.metric,
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
        ["who", "week_start", "metric", "actual", "planned"],
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
            "rep",
            "window_months",
            "month",
            "attainment_percent",
            "mean_percent",
            "std_dev",
            "trend_points_per_month",
            "label",
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
        ["rep", "team", "subject", "severity", "opened_on", "worsened_on", "actual", "expected"],
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
