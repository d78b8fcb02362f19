"""The funnel and forecast page, with its CSV downloads."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import pgettext

from activities.deals.selectors import UnknownPipeline, pipeline_from_key
from activities.models import Pipeline
from reporting.funnel import selectors as funnel
from salesmgmt.csv_export import csv_response
from salesmgmt.filtering import RepLookupForm
from salesmgmt.models import CompanySettings
from salesmgmt.web import parse_day

# --- Funnel -----------------------------------------------------------------------------------


def _funnel_choices(request, company):
    """Scope, period and pipeline from the query string (404 for a scope not one's own)."""
    user = request.user
    key = request.GET.get("scope") or funnel.default_scope_key(user)
    if request.GET.get("rep"):  # one rep, found by name: overrides the listed scopes
        key = f"rep:{request.GET['rep']}"
    scope = funnel.resolve_scope(user, key)
    if scope is None:
        raise Http404
    today = company.today()
    period = funnel.period_for(
        request.GET.get("period") or "month",
        today=today,
        fiscal_start_month=company.fiscal_year_start_month,
        start=parse_day(request.GET.get("start")),
        end=parse_day(request.GET.get("end")),
    )
    pipelines = list(Pipeline.objects.active())
    try:
        pipeline = pipeline_from_key(request.GET.get("pipeline"), pipelines)
    except UnknownPipeline:
        raise Http404 from None
    return scope, period, pipelines, pipeline


def _rep_of(scope) -> int | None:
    """The rep id of a one-rep scope (``rep:<id>``), else None."""
    kind, _, rep_id = scope.key.partition(":")
    return int(rep_id) if kind == "rep" else None


def funnel_page(request):
    company = CompanySettings.load()
    scope, period, pipelines, pipeline = _funnel_choices(request, company)
    if pipeline is None:
        raise Http404
    rows = funnel.funnel(scope.owners, pipeline, period, tzinfo=company.tzinfo)
    outcomes = funnel.outcomes(scope.owners, period, pipeline=pipeline, tzinfo=company.tzinfo)
    forecasts = funnel.forecast(
        scope.owners, today=company.today(), pipeline=pipeline, company=company
    )
    export = request.GET.get("export")
    if export == "csv":
        return _funnel_csv(rows, pipeline, scope, period)
    if export == "summary":
        return _summary_csv(outcomes, forecasts, pipeline, scope, period)
    widest = max((r.entered for r in rows), default=0)
    return render(
        request,
        "reporting/funnel/funnel.html",
        {
            "scope": scope,
            "scope_choices": funnel.scope_choices(request.user),
            "rep_form": (
                RepLookupForm(initial={"rep": _rep_of(scope)}, user=request.user)
                if request.user.reviews_plans
                else None
            ),
            "period": period,
            "period_choices": funnel.PERIOD_CHOICES,
            "pipelines": pipelines,
            "pipeline": pipeline,
            "rows": rows,
            "widest": widest,
            "outcomes": outcomes,
            "forecasts": forecasts,
            "commit_probability": company.commit_probability,
            "query": request.GET.urlencode(),
        },
    )


def _funnel_csv(rows, pipeline, scope, period):
    return csv_response(
        f"funnel-{pipeline.key}-{period.start}-{period.end}.csv",
        [
            pgettext("CSV column", "scope"),
            pgettext("CSV column", "pipeline"),
            pgettext("CSV column", "period_start"),
            pgettext("CSV column", "period_end"),
            pgettext("CSV column", "stage"),
            pgettext("CSV column", "entered"),
            pgettext("CSV column", "advanced"),
            pgettext("CSV column", "conversion_percent"),
            pgettext("CSV column", "stays_ended"),
            pgettext("CSV column", "avg_days_in_stage"),
        ],
        (
            [
                scope.label,
                pipeline,
                period.start,
                period.end,
                r.stage,
                r.entered,
                r.advanced if r.stage.is_open else "",
                "" if r.conversion is None else r.conversion,
                r.stays if r.stage.is_open else "",
                "" if r.avg_days is None else r.avg_days,
            ]
            for r in rows
        ),
    )


def _summary_csv(outcomes, forecasts, pipeline, scope, period):
    def blank(value):
        return "" if value is None else value

    figures = [
        ("won", outcomes.won),
        ("lost", outcomes.lost),
        ("hit_rate_percent", blank(outcomes.hit_rate)),
        ("won_amount", outcomes.won_amount),
        ("avg_deal_size", blank(outcomes.avg_deal_size)),
        ("avg_cycle_days", blank(outcomes.avg_cycle_days)),
    ]
    for f in forecasts:
        figures += [
            (f"{f.period.key}_weighted", f.weighted),
            (f"{f.period.key}_best_case", f.best_case),
            (f"{f.period.key}_commit", f.commit),
            (f"{f.period.key}_won_to_date", f.won_to_date),
        ]
    return csv_response(
        f"funnel-summary-{pipeline.key}-{period.start}-{period.end}.csv",
        [
            pgettext("CSV column", "scope"),
            pgettext("CSV column", "pipeline"),
            pgettext("CSV column", "period_start"),
            pgettext("CSV column", "period_end"),
            pgettext("CSV column", "figure"),
            pgettext("CSV column", "value"),
        ],
        ([scope.label, pipeline, period.start, period.end, k, v] for k, v in figures),
    )
