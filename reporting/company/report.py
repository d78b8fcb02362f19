"""The company monthly report: headlines, lost reasons, biggest wins, open pipeline
and KPIs of one month for the company or a division, one grouped query per family
(the print page, its CSV and the report packs all read ``company_report_context``)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, Max, Min, Q, Sum, When
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from activities.deals.selectors import pipeline_by_stage
from activities.models import Deal, Metric, StageKind
from plans.goals.selectors import goal_progress
from reporting.company.selectors import (
    SALES_VALUE,
    ZERO,
    CompanyScope,
    change_percent,
    rank_teams,
    resolve_company_scope,
    year_before,
)
from reporting.funnel.selectors import forecast
from reporting.kpis.selectors import evaluate_kpis
from reporting.models import Kpi
from salesmgmt.calendar import Period, month_of, whole_months
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings
from salesmgmt.money import percent_of, quantize

# --- The company monthly report -------------------------------------------------------------------

# Texts of the report are lazy: a report pack renders it in each recipient's language.
lazy_name = lazy(translated_name, str)
NO_REASON = _("No reason given")


@dataclass
class Headline:
    label: str
    current: Decimal | None
    previous: Decimal | None
    last_year: Decimal | None
    money: bool = False
    percent: bool = False

    @property
    def vs_previous(self) -> Decimal | None:
        return None if self.current is None else change_percent(self.current, self.previous)

    @property
    def vs_last_year(self) -> Decimal | None:
        return None if self.current is None else change_percent(self.current, self.last_year)


def _three(month: Period) -> dict[str, Period]:
    previous = month_of(month.start - timedelta(days=1))
    return {"current": month, "previous": previous, "last_year": month_of(year_before(month.start))}


def activity_headlines(scope: CompanyScope, metrics: list[Metric], periods: dict[str, Period]):
    """Each metric's total in the month, the month before and the month a year before: one
    query (on the activity month rollup: they are whole months)."""
    if all(whole_months(p.start, p.end) for p in periods.values()):
        source, field = scope.activity_months(), "month"
    else:
        source, field = scope.activities(), "day"
    spans = {k: Q(**{f"{field}__range": (p.start, p.end)}) for k, p in periods.items()}
    anywhere = Q()
    for q in spans.values():
        anywhere |= q
    rows = (
        source.filter(anywhere)
        .values("metric")
        .annotate(**{k: Sum("quantity", filter=q) for k, q in spans.items()})
    )
    by_metric = {r["metric"]: r for r in rows}
    return [
        Headline(
            lazy_name(m.name),
            *(quantize(by_metric.get(m.pk, {}).get(k) or ZERO) for k in periods),
            money=m.is_money,
        )
        for m in metrics
    ]


def deal_headlines(scope: CompanyScope, periods: dict[str, Period]) -> dict[str, Headline]:
    """Deals won, their value, average size, hit rate and new customers, per period: two queries.

    A *new customer* is one whose first won deal (any owner) closed in the period.
    """
    won, lost = Q(stage__kind=StageKind.WON), Q(stage__kind=StageKind.LOST)
    figures = {}
    for k, p in periods.items():
        closed = Q(closed_on__range=(p.start, p.end))
        figures |= {
            f"{k}_won": Count("pk", filter=won & closed),
            f"{k}_lost": Count("pk", filter=lost & closed),
            f"{k}_amount": Sum("amount", filter=won & closed),
        }
    deals = scope.deals().aggregate(**figures)
    # Each customer's first win (any owner), for the customers won in scope: one grouped
    # pass over the won deals instead of a lookup per customer (2,000 reps: 400 -> 125 ms).
    won_in_scope = scope.deals().filter(won)
    first_wins = Deal.objects.filter(won).exclude(closed_on=None).order_by().values("customer")
    if scope.is_company:
        # Nearly every won customer is the company's: keep a customer when one of its wins
        # is in scope, instead of first finding those customers (130 -> 65 ms; a
        # division, a tenth of the wins, is quicker the other way: 15 ms).
        in_scope = Max(Case(When(pk__in=won_in_scope.values("pk"), then=1), default=0))
        first_wins = first_wins.annotate(first_win=Min("closed_on"), in_scope=in_scope).filter(
            in_scope=1
        )
    else:
        first_wins = first_wins.filter(customer__in=won_in_scope.values("customer")).annotate(
            first_win=Min("closed_on")
        )
    new = first_wins.aggregate(
        **{
            k: Count("customer", filter=Q(first_win__range=(p.start, p.end)))
            for k, p in periods.items()
        }
    )

    def row(label, key, **kind):
        return Headline(label, *(deals[f"{k}_{key}"] for k in periods), **kind)

    amount = Headline(
        _("Value of deals won"),
        *(quantize(deals[f"{k}_amount"] or ZERO) for k in periods),
        money=True,
    )
    won_count = row(_("Deals won"), "won")
    sizes = [
        quantize(Decimal(deals[f"{k}_amount"] or 0) / deals[f"{k}_won"])
        if deals[f"{k}_won"]
        else None
        for k in periods
    ]
    hit_rates = [
        percent_of(deals[f"{k}_won"], deals[f"{k}_won"] + deals[f"{k}_lost"]) for k in periods
    ]
    return {
        "won": won_count,
        "lost": row(_("Deals lost"), "lost"),
        "amount": amount,
        "avg_size": Headline(_("Average deal size"), *sizes, money=True),
        "hit_rate": Headline(_("Hit rate (won / closed)"), *hit_rates, percent=True),
        "new_customers": Headline(_("New customers"), *(new[k] for k in periods)),
    }


def lost_reasons(scope: CompanyScope, month: Period) -> list[dict]:
    """Deals lost in the month by reason (count and value): one query."""
    rows = (
        scope.deals()
        .filter(stage__kind=StageKind.LOST, closed_on__range=(month.start, month.end))
        .values("lost_reason__name")
        .annotate(deals=Count("pk"), value=Sum("amount"))
        .order_by("-deals", "-value", "lost_reason__name")
    )
    return [
        {
            "reason": lazy_name(r["lost_reason__name"]) if r["lost_reason__name"] else NO_REASON,
            "deals": r["deals"],
            "amount": quantize(r["value"] or ZERO),
        }
        for r in rows
    ]


def biggest_wins(scope: CompanyScope, month: Period, limit: int = 5) -> list[Deal]:
    return list(
        scope.deals()
        .filter(stage__kind=StageKind.WON, closed_on__range=(month.start, month.end))
        .select_related("owner__team", "customer")
        .order_by("-amount", "closed_on", "pk")[:limit]
    )


def scope_kpis(scope: CompanyScope, month: Period, as_of: date) -> list:
    """Active KPIs for the scope's reps as one group over the month."""
    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    if not kpis:
        return []
    # A KPI averages over the reps at work, as on the KPI page (kpis.selectors.kpi_subjects);
    # one group, so the database sums it (the reps go in as a subquery, not 2,000 ids).
    values = evaluate_kpis(
        kpis, groups={"scope": scope.reps().reps()}, start=month.start, end=month.end, as_of=as_of
    )
    return [values[(k.pk, "scope")] for k in kpis]


def company_report_context(*, user_or_scope, month: date) -> dict | None:
    """Everything the company monthly report shows, for the page and the pack e-mail.

    ``user_or_scope``: a user (admin: company, director: their division) or a
    ``CompanyScope``. None when the user may not see a company report. A fixed number
    of queries, whatever the number of teams, reps or months of history.
    """
    scope = user_or_scope
    if not isinstance(scope, CompanyScope):
        scope = resolve_company_scope(user_or_scope)
        if scope is None:
            return None
    company = CompanySettings.load()
    period = month_of(month)
    periods = _three(period)
    today = company.today()
    as_of = min(period.end, today)
    metrics = list(Metric.objects.active())
    activities = activity_headlines(scope, metrics, periods)
    deals = deal_headlines(scope, periods)
    sales = next(
        (h for h, m in zip(activities, metrics, strict=True) if m.key == SALES_VALUE),
        deals["amount"],
    )
    goals = scope.goals().filter(start__lte=period.end, end__gte=period.start)
    sales_metric = next((m for m in metrics if m.key == SALES_VALUE), None)
    teams = (
        rank_teams(scope, sales_metric, period.start, period.end, company) if sales_metric else []
    )
    return {
        "scope": scope,
        "month": period,
        "periods": periods,
        "as_of": as_of,
        "generated_on": today,
        "headlines": [
            sales,
            deals["won"],
            deals["avg_size"],
            deals["new_customers"],
            deals["hit_rate"],
        ],
        "deal_headlines": deals,
        "activity_totals": activities,
        "goals": goal_progress(
            goals.order_by("scope", "division__name", "metric__position", "start"), as_of=as_of
        ),
        "kpis": scope_kpis(scope, period, as_of),
        "pipeline": pipeline_by_stage(scope.deals().open()),
        "forecasts": forecast(scope.reps(), today=today, company=company),
        "lost_reasons": lost_reasons(scope, period),
        "wins": biggest_wins(scope, period),
        "teams": teams,
        "currency": company.currency,
        "company_name": company.name,
    }
