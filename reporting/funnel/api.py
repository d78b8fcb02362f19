"""The funnel and forecast figures on /api/v1/reports/: the same scopes, periods and
definitions as the funnel page (reporting.funnel.selectors)."""

from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from activities.deals.selectors import UnknownPipeline, pipeline_from_key
from activities.models import Pipeline
from reporting.funnel import selectors as funnel
from reporting.funnel.serializers import (
    ForecastSerializer,
    FunnelQuerySerializer,
    FunnelSerializer,
    ReportQuerySerializer,
)
from salesmgmt import calendar
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.models import CompanySettings

# --- Funnel and forecast figures ----------------------------------------------------------------


# What a scope without its id gets told (a sentence each: the word is translated).
MISSING_ID = {
    "rep": lambda: gettext("Say which rep: scope=rep needs rep=<id>."),
    "team": lambda: gettext("Say which team: scope=team needs team=<id>."),
    "division": lambda: gettext("Say which division: scope=division needs division=<id>."),
}


def _report_scope(user, query) -> funnel.Scope:
    """The owners behind ?scope=team&team=3 (and rep, division, me, company); 404 when
    the caller may not look there, exactly as the funnel page answers."""
    kind = query.get("scope")
    if kind is None:
        key = funnel.default_scope_key(user)
    elif kind in ("rep", "team", "division"):
        if query.get(kind) is None:
            raise ValidationError({kind: [MISSING_ID[kind]()]})
        key = f"{kind}:{query[kind]}"
    elif kind == "company" and user.is_director:
        key = funnel.default_scope_key(user)  # a director's company is their division
    else:
        key = kind
    scope = funnel.resolve_scope(user, key)
    if scope is None:
        raise NotFound()
    return scope


def _report_pipeline(query, *, default_first: bool) -> Pipeline | None:
    key = query.get("pipeline")
    try:
        return pipeline_from_key(key, default_first=default_first)
    except UnknownPipeline:
        raise ValidationError(
            {"pipeline": [gettext("No active pipeline '%(key)s'.") % {"key": key}]}
        ) from None


def _period(period: calendar.Period) -> dict:
    return {"key": period.key, "label": period.label, "start": period.start, "end": period.end}


REPORT_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is invalid."),
    404: OpenApiResponse(
        ErrorSerializer, description="A scope you may not look at (or that does not exist)."
    ),
}


@extend_schema(
    parameters=[FunnelQuerySerializer], responses={200: FunnelSerializer, **REPORT_ERRORS}
)
@api_view(["GET"])
def funnel_report(request):
    """Stage-to-stage conversion, days in stage, hit rate, deal size and cycle
    length for one pipeline, a scope (rep, team, division, company) and a period.

    The figures are those of the funnel page. A deal *entered* a stage when it moved
    into it within the period (once per stage); *conversion* of a stage is the share
    of those deals that later reached a later, non-lost stage; *hit rate* is won /
    (won + lost) among deals closed in the period; *days in stage* averages stays
    that ended in the period; *deal size* is the mean amount won, and *cycle length*
    the mean days from a won deal's creation to its close.
    """
    query = FunnelQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    company = CompanySettings.load()
    scope = _report_scope(request.user, params)
    pipeline = _report_pipeline(params, default_first=True)
    if pipeline is None:
        raise NotFound(gettext("No pipeline is set up."))
    period = funnel.period_for(
        params["period"],
        today=company.today(),
        fiscal_start_month=company.fiscal_year_start_month,
        start=params.get("start"),
        end=params.get("end"),
    )
    body = {
        "scope": {"key": scope.key, "label": scope.label},
        "pipeline": pipeline.key,
        "period": _period(period),
        "stages": funnel.funnel(scope.owners, pipeline, period, tzinfo=company.tzinfo),
        "outcomes": funnel.outcomes(scope.owners, period, pipeline=pipeline, tzinfo=company.tzinfo),
    }
    return Response(FunnelSerializer(body).data)


@extend_schema(
    parameters=[ReportQuerySerializer], responses={200: ForecastSerializer, **REPORT_ERRORS}
)
@api_view(["GET"])
def forecast_report(request):
    """Weighted pipeline, best case and commit for this month and this quarter
    (by expected close date), with what was won so far; every pipeline unless
    `pipeline` names one."""
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    company = CompanySettings.load()
    scope = _report_scope(request.user, params)
    pipeline = _report_pipeline(params, default_first=False)
    forecasts = funnel.forecast(
        scope.owners, today=company.today(), pipeline=pipeline, company=company
    )
    body = {
        "scope": {"key": scope.key, "label": scope.label},
        "pipeline": pipeline.key if pipeline else None,
        "commit_probability": company.commit_probability,
        "periods": [
            {
                **_period(f.period),
                "open_deals": f.open_deals,
                "weighted": f.weighted,
                "best_case": f.best_case,
                "commit": f.commit,
                "won_to_date": f.won_to_date,
            }
            for f in forecasts
        ],
    }
    return Response(ForecastSerializer(body).data)
