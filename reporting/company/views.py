"""The director/admin dashboard: a division's or the company's numbers over time."""

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import get_language, gettext, pgettext
from django.views.decorators.http import require_GET

from reporting.company.report import company_report_context
from reporting.company.selectors import (
    CompanyDashboard,
    CompanyScope,
    company_dashboard,
    resolve_company_scope,
)
from reporting.packs.services import (
    GOALS_TABLE_HEADER,
    goals_table_row,
)
from salesmgmt.calendar import next_month, previous_month
from salesmgmt.csv_export import csv_response
from salesmgmt.models import CompanySettings, Division
from salesmgmt.web import parse_day

TREND_COLOURS = {"current": "#1f6feb", "previous": "#8a94a8"}


def division_param(value: str | None) -> int | None:
    """The ``division`` query parameter: blank is none; anything but a number is a 404."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


def without_division(request, title: str):
    """A director not yet given a division: an explanation rather than a 404 from the nav."""
    if request.user.is_director and not request.user.division_id:
        return render(request, "reporting/company/no_division.html", {"title": title})
    return None


def scope_for(request) -> CompanyScope:
    scope = resolve_company_scope(request.user, division_param(request.GET.get("division")))
    if scope is None:
        raise Http404
    return scope


def date_range(request, today: date) -> tuple[date, date]:
    """?start=&end= (ISO dates); month to date when missing or reversed."""
    start, end = parse_day(request.GET.get("start")), parse_day(request.GET.get("end"))
    if start is None or end is None or start > end:
        return today.replace(day=1), today
    return start, end


@require_GET
def dashboard(request):
    if (empty := without_division(request, gettext("Division dashboard"))) is not None:
        return empty
    company = CompanySettings.load()
    scope = scope_for(request)
    start, end = date_range(request, company.today())
    data = company_dashboard(scope, start=start, end=end, metric_key=request.GET.get("metric"))
    if data is None:
        raise Http404
    export = request.GET.get("export")
    if export:
        return export_table(data, export)
    chart = charts(data)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "reporting/company/dashboard.html",
        {
            "data": data,
            "divisions": Division.objects.all() if request.user.is_admin else [],
            "export_base": f"?{query.urlencode()}&" if query else "?",
            "charts": chart,
            "range_days": (data.end - data.start).days + 1,
            "breakdown_tables": [
                ("product", data.products, "products"),
                ("channel", data.channels, "channels"),
            ],
            "trends": trends(data, chart),
        },
    )


# --- Charts ---------------------------------------------------------------------------------------


def _series(label, values, colour=None) -> dict:
    ds = {"label": label, "data": [None if v is None else float(v) for v in values]}
    if colour:
        ds["color"] = colour
    return ds


def charts(data: CompanyDashboard) -> dict:
    """Chart.js configs (numbers as floats); each chart's table is on the page too."""
    metric = data.metric.label
    # Chart.js formats ticks and tooltips with the page's locale.
    ticks = {"locale": get_language(), "scales": {"y": {"beginAtZero": True}}}
    return {
        "days": {
            "type": "line",
            "data": {
                "labels": [formats.date_format(b.start, "DAY_MONTH") for b in data.days],
                "datasets": [_series(metric, [b.total for b in data.days])],
            },
            "options": ticks,
        },
        "weeks": {
            "type": "bar",
            "data": {
                "labels": [b.label for b in data.weeks],
                "datasets": [_series(metric, [b.total for b in data.weeks])],
            },
            "options": ticks,
        },
        "months": {
            "type": "bar",
            "data": {
                "labels": [b.label for b in data.months],
                "datasets": [_series(metric, [b.total for b in data.months], "#0a8a8a")],
            },
            "options": ticks,
        },
        "years": {
            "type": "bar",
            "data": {
                "labels": [b.label for b in data.years],
                "datasets": [
                    _series(
                        gettext("Fiscal year to date"),
                        [b.total for b in data.years],
                        TREND_COLOURS["current"],
                    ),
                    _series(
                        gettext("Same dates a year before"),
                        [b.previous for b in data.years],  # a gap where none compares
                        TREND_COLOURS["previous"],
                    ),
                ],
            },
            "options": ticks,
        },
        "breakdown": {
            "type": "bar",
            "data": {
                "labels": [_label(row) for row in data.breakdown],
                "datasets": [_series(metric, [row.total for row in data.breakdown], "#8250df")],
            },
            "options": {
                "locale": get_language(),
                "indexAxis": "y",
                "plugins": {"legend": {"display": False}},
            },
        },
    }


def trends(data: CompanyDashboard, chart: dict) -> list[dict]:
    return [
        {"key": key, "title": title, "column": column, "compare": compare, "rows": rows,
         "chart": chart[key], "chart_id": f"chart-{key}"}
        for key, title, column, compare, rows in (
            ("days", gettext("Day by day (31 days)"), gettext("Day"), gettext("Day before"),
             data.days),
            ("weeks", gettext("Week over week (12 weeks)"), gettext("Week"),
             gettext("Week before"), data.weeks),
            ("months", gettext("Month over month (12 months)"), gettext("Month"),
             gettext("Month before"), data.months),
            ("years", gettext("Year over year (fiscal year to date)"), gettext("Month"),
             gettext("Year before"), data.years),
        )
    ]  # fmt: skip


def _label(row) -> str:
    return row.team.name if hasattr(row, "team") else row.label


# --- CSV ------------------------------------------------------------------------------------------


def export_table(data: CompanyDashboard, table: str):
    """One table of the dashboard as CSV (``?export=<table>``); unknown tables are a 404."""
    stem = f"{data.scope.key.replace(':', '-')}-{data.start}-{data.end}"
    metric = data.metric.key
    if table == "totals":
        prev_start, prev_end = data.previous
        return csv_response(
            f"company-totals-{stem}.csv",
            [
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "unit"),
                pgettext("CSV column", "total"),
                pgettext("CSV column", "previous_total"),
                pgettext("CSV column", "previous_start"),
                pgettext("CSV column", "previous_end"),
                pgettext("CSV column", "change_percent"),
            ],
            (
                [t.metric.label, t.metric.unit, t.current, t.previous, prev_start, prev_end,
                 t.change]
                for t in data.totals
            ),
        )  # fmt: skip
    if table == "breakdown":
        return csv_response(
            f"company-by-{data.breakdown_label.lower()}-{metric}-{stem}.csv",
            [
                pgettext("CSV column", "division")
                if data.breakdown_label == "Division"
                else pgettext("CSV column", "team"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "total"),
                pgettext("CSV column", "share_percent"),
            ],
            ([_label(r), metric, r.total, r.share] for r in data.breakdown),
        )
    if table in ("products", "channels"):
        rows = getattr(data, table)
        return csv_response(
            f"company-by-{table[:-1]}-{metric}-{stem}.csv",
            [
                pgettext("CSV column", "product")
                if table == "products"
                else pgettext("CSV column", "channel"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "total"),
                pgettext("CSV column", "share_percent"),
            ],
            ([r.label, metric, r.total, r.share] for r in rows),
        )
    if table in ("days", "weeks", "months"):
        return csv_response(
            f"company-{table}-{metric}-{data.scope.key.replace(':', '-')}-{data.end}.csv",
            [
                pgettext("CSV column", "start"),
                pgettext("CSV column", "end"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "total"),
                pgettext("CSV column", "previous"),
                pgettext("CSV column", "change_percent"),
            ],
            ([b.start, b.end, metric, b.total, b.previous, b.change] for b in getattr(data, table)),
        )
    if table == "years":
        return csv_response(
            f"company-year-over-year-{metric}-{data.scope.key.replace(':', '-')}-{data.end}.csv",
            [
                pgettext("CSV column", "month"),
                pgettext("CSV column", "start"),
                pgettext("CSV column", "end"),
                pgettext("CSV column", "metric"),
                pgettext("CSV column", "total"),
                pgettext("CSV column", "year_before"),
                pgettext("CSV column", "change_percent"),
                pgettext("CSV column", "note"),
            ],
            (
                [b.label, b.start, b.end, metric, b.total, b.previous, b.change, b.note]
                for b in data.years
            ),
        )
    if table == "teams":
        return csv_response(
            f"company-teams-{stem}.csv",
            [
                pgettext("CSV column", "team"),
                pgettext("CSV column", "division"),
                pgettext("CSV column", "sales_value"),
                pgettext("CSV column", "reps"),
                pgettext("CSV column", "sales_value_per_rep"),
                pgettext("CSV column", "month_goals"),
                pgettext("CSV column", "mean_goal_attainment_percent"),
            ],
            (
                [t.team.name, t.team.division.name, t.total, t.reps, t.per_rep, t.goals,
                 t.mean_attainment]
                for t in data.teams
            ),
        )  # fmt: skip
    if table == "goals":
        return csv_response(
            f"company-goals-{data.scope.key.replace(':', '-')}-{data.as_of}.csv",
            GOALS_TABLE_HEADER,
            (goals_table_row(p) for p in data.goals),
        )
    raise Http404


# --- Company monthly report -----------------------------------------------------------------------


def company_monthly(request, month: date | None = None):
    """Last complete month by default; admins may pick a division (?division=)."""
    if (empty := without_division(request, gettext("Monthly report"))) is not None:
        return empty
    today = CompanySettings.load().today()
    month = month or previous_month(today)
    if month > today:
        raise Http404
    scope = scope_for(request)
    report = company_report_context(user_or_scope=scope, month=month)
    following = next_month(month)
    division = request.GET.get("division")
    return render(
        request,
        "reporting/company/report.html",
        {
            "report": report,
            "previous": previous_month(month),
            "next": following if following <= today else None,
            "divisions": Division.objects.all() if request.user.is_admin else [],
            "keep": f"?division={scope.division.pk}" if division and scope.division else "",
        },
    )
