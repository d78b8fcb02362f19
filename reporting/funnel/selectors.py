"""Funnel and forecast: how deals move through the transition milestones.

Every figure is computed by the database, one grouped query per figure family,
for a *scope* (a QuerySet of deal owners, always built from
``User.objects.visible_to``) and a *period* of business dates [start, end],
both ends included, in the company's timezone.

Definitions (the tests pin each one on a hand-built history):

- **Entered** a stage in the period: the deal has a ``StageTransition`` into
  that stage whose ``at`` falls in the period. A deal counts once per stage,
  however often it re-entered.
- **Conversion** of an open stage *i*: of the deals that entered *i* in the
  period, the share that at any later moment (up to now, after that entry)
  had a transition into a stage placed after *i* that is not a Lost stage:
  "reached stage i+1 or beyond", skipped stages included. Won has no
  conversion; Lost is not part of the funnel.
- **Hit rate**: won / (won + lost) among deals closed (``closed_on``) in the
  period.
- **Average days in a stage**: a stay in a stage starts with the transition
  into it and ends with the deal's next transition (next by ``at``, then id).
  Stays in open stages that *ended* in the period are averaged; a stay still
  going on is not measured yet.
- **Average deal size**: mean amount of deals won in the period.
- **Cycle length**: mean days from a won deal's creation (its date in the
  company timezone) to its ``closed_on``, over deals won in the period.
- **Forecast** for a period (this month, this quarter): among open deals
  whose ``expected_close`` falls in it, *weighted* = Sum(amount x win
  probability), *best case* = Sum(amount) of them all, *commit* = Sum(amount)
  of those whose win probability is at least
  ``CompanySettings.commit_probability``; *won to date* = Sum(amount) of deals
  won from the period's first day up to today. A deal's win probability is its
  own ``probability``, or its stage's when it has none.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Lag, TruncDate
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.deals.selectors import weighted_amount
from activities.models import Deal, Pipeline, Stage, StageKind, StageTransition
from salesmgmt.calendar import Period, last_days, month_of, quarter_of
from salesmgmt.models import CompanySettings, Division, Team, User
from salesmgmt.money import TENTH, money, percent_of, quantize


def days(value: timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return quantize(Decimal(value.total_seconds()) / 86400, TENTH)


PERIOD_CHOICES = [
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("last90", _("Last 90 days")),
    ("custom", pgettext_lazy("period", "Custom")),
]


def period_for(
    key: str,
    *,
    today: date,
    fiscal_start_month: int = 1,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """A named period, or [start, end] for "custom" (falls back to this month)."""
    if key == "quarter":
        return quarter_of(today, fiscal_start_month)
    if key == "last90":
        return last_days(today, 90)
    if key == "custom" and start and end and start <= end:
        label = "{} – {}".format(
            formats.date_format(start, "DATE_MEDIUM"), formats.date_format(end, "DATE_MEDIUM")
        )
        return Period(start, end, label, "custom")
    return month_of(today)


# --- Scopes -------------------------------------------------------------------------------------


@dataclass
class Scope:
    key: str
    label: str
    owners: QuerySet = field(repr=False)


def scope_choices(user: User) -> list[tuple[str, str]]:
    """The group scopes ``user`` may pick from a list: company / divisions / teams, or
    "me" for a rep. One rep (``rep:<id>``) is found by typing a name instead (the page's
    rep lookup): an admin's 2,000 reps never fill the list."""
    choices = []
    if user.is_admin:
        choices.append(("company", gettext("Whole company")))
        choices += [
            (f"division:{d.pk}", gettext("Division %(name)s") % {"name": d})
            for d in Division.objects.all()
        ]
    elif user.is_director and user.division_id:
        choices.append(
            (f"division:{user.division_id}", gettext("Division %(name)s") % {"name": user.division})
        )
    choices += [
        (f"team:{t.pk}", gettext("Team %(name)s") % {"name": t})
        for t in Team.objects.managed_by(user)
    ]
    if not user.reviews_plans:
        choices.append(("me", gettext("Me")))
    return choices


def default_scope_key(user: User) -> str:
    if user.is_admin:
        return "company"
    if user.is_director and user.division_id:
        return f"division:{user.division_id}"
    if user.reviews_plans:
        team = Team.objects.managed_by(user).first()
        return f"team:{team.pk}" if team else "me"
    return "me"


def resolve_scope(user: User, key: str) -> Scope | None:
    """The owners behind a scope key, or None when ``user`` may not look at it."""
    people = User.objects.visible_to(user)
    kind, _, raw_id = (key or "").partition(":")
    if kind == "me" and not raw_id:
        return Scope("me", gettext("Me"), people.filter(pk=user.pk))
    if kind == "company" and not raw_id:
        return Scope("company", gettext("Whole company"), people) if user.is_admin else None
    try:
        pk = int(raw_id)
    except ValueError:
        return None
    if kind == "rep":
        rep = people.sales_reps().filter(pk=pk).first()
        return Scope(key, str(rep), people.filter(pk=pk)) if rep else None
    if kind == "team":
        team = Team.objects.managed_by(user).filter(pk=pk).first()
        return (
            Scope(key, gettext("Team %(name)s") % {"name": team}, people.filter(team=team))
            if team
            else None
        )
    if kind == "division":
        if not (user.is_admin or (user.is_director and user.division_id == pk)):
            return None
        division = Division.objects.filter(pk=pk).first()
        if division is None:
            return None
        return Scope(
            key,
            gettext("Division %(name)s") % {"name": division},
            people.filter(team__division=division),
        )
    return None


# --- Funnel: conversion and days in stage ---------------------------------------------------


@dataclass
class StageRow:
    stage: Stage
    entered: int = 0
    advanced: int = 0
    stays: int = 0
    avg_days: Decimal | None = None

    @property
    def conversion(self) -> Decimal | None:
        if not self.stage.is_open:
            return None
        return percent_of(self.advanced, self.entered)


def funnel_stages(pipeline: Pipeline) -> list[Stage]:
    """The pipeline's stages a deal walks through: open ones in order, then Won."""
    return list(pipeline.stages.exclude(kind=StageKind.LOST).order_by("position"))


# Per stage: deals that entered it in the period, those of them that went further, and
# the stays in it that ended in the period with their total length. One pass over the
# deals' histories: each transition with the deal's next one (where its stay ends) and
# the furthest non-lost stage the deal reached from that moment on, both window
# functions over one sort of each history, latest first (the furthest from a moment on
# is then a running maximum); then per stage, a deal counted once however often it
# re-entered. (A correlated subquery per transition for each family took 3.6 s over the
# company's year, 392k transitions; a grouping per deal and stage first, 1.3 s; this
# 0.8 s.)
STAGE_FLOW = """
SELECT stage,
       COUNT(DISTINCT CASE WHEN entered THEN deal_ref END),
       COUNT(DISTINCT CASE WHEN entered AND furthest > position THEN deal_ref END),
       SUM(CASE WHEN stay_ended THEN 1 ELSE 0 END),
       SUM(CASE WHEN stay_ended THEN {seconds} END)
FROM (
    SELECT deal_ref, stage, position, furthest, left_at, at,
           (at >= %s AND at < %s AND kind <> %s) AS entered,
           (kind = %s AND left_at >= %s AND left_at < %s) AS stay_ended
    FROM ({history}) history
) flow
GROUP BY stage
"""
SECONDS_BETWEEN = {
    "postgresql": "EXTRACT(EPOCH FROM (left_at - at))",
    "sqlite": "(julianday(left_at) - julianday(at)) * 86400.0",
}


def stage_flow(owners, pipeline: Pipeline, period: Period, *, tzinfo) -> dict[int, dict]:
    """{stage_id: {"entered", "advanced", "stays", "avg" (a timedelta or None)}}: one query,
    after an existence test on the index of transition times."""
    start, end = period.bounds(tzinfo)
    # Only deals that moved in the period can count, and reading only their histories
    # saves work when the period is a slice of the history; when it spans the whole
    # history (no transition before or after it) every deal moved and the test would
    # cost more than it saves (the company's year: 1.0 -> 0.8 s).
    history = StageTransition.objects.filter(deal__owner__in=owners, deal__pipeline=pipeline)
    outside = StageTransition.objects.filter(Q(at__lt=start) | Q(at__gte=end))
    if outside.exists():
        moved = StageTransition.objects.filter(at__gte=start, at__lt=end).values("deal")
        history = history.filter(deal__in=moved)
    latest_first = [F("at").desc(), F("pk").desc()]
    history = (
        history.annotate(
            deal_ref=F("deal_id"),
            stage=F("to_stage_id"),
            kind=F("to_stage__kind"),
            position=F("to_stage__position"),
            # The deal's next transition: the one before this in latest-first order.
            left_at=Window(Lag("at"), partition_by=F("deal_id"), order_by=latest_first),
            # This moment and every later one (the default frame runs from the first
            # row to this one's last peer: transitions at the same instant included).
            furthest=Window(
                Max(Case(When(~Q(to_stage__kind=StageKind.LOST), then=F("to_stage__position")))),
                partition_by=F("deal_id"),
                order_by=[F("at").desc()],
            ),
        )
        .order_by()
        .values("deal_ref", "stage", "kind", "position", "left_at", "furthest", "at")
    )
    history_sql, history_params = history.query.sql_with_params()
    sql = STAGE_FLOW.format(history=history_sql, seconds=SECONDS_BETWEEN[connection.vendor])
    bounds = [connection.ops.adapt_datetimefield_value(b) for b in (start, end)]
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [*bounds, StageKind.LOST, StageKind.OPEN, *bounds, *history_params],
        )
        rows = cursor.fetchall()
    flow = {}
    for stage, entered, advanced, stays, spent in rows:  # SUMs: numeric on PostgreSQL
        stays = int(stays)
        flow[stage] = {
            "entered": int(entered),
            "advanced": int(advanced),
            "stays": stays,
            "avg": timedelta(seconds=float(spent) / stays) if stays else None,
        }
    return flow


def funnel(owners, pipeline: Pipeline, period: Period, *, tzinfo=None) -> list[StageRow]:
    """One row per funnel stage: entered, advanced, conversion, average days."""
    tzinfo = tzinfo or CompanySettings.load().tzinfo
    flow = stage_flow(owners, pipeline, period, tzinfo=tzinfo)
    rows = []
    for stage in funnel_stages(pipeline):
        row = StageRow(stage)
        if stage.pk in flow:
            figures = flow[stage.pk]
            row.entered, row.advanced = figures["entered"], figures["advanced"]
            if stage.is_open and figures["stays"]:
                row.stays, row.avg_days = figures["stays"], days(figures["avg"])
        rows.append(row)
    return rows


# --- Outcomes: hit rate, deal size, cycle ---------------------------------------------------


@dataclass
class Outcomes:
    won: int
    lost: int
    won_amount: Decimal
    avg_deal_size: Decimal | None
    avg_cycle_days: Decimal | None

    @property
    def hit_rate(self) -> Decimal | None:
        return percent_of(self.won, self.won + self.lost)


def outcomes(owners, period: Period, *, pipeline: Pipeline | None = None, tzinfo=None) -> Outcomes:
    """Deals closed in the period: won, lost, hit rate, deal size, cycle. One query."""
    tzinfo = tzinfo or CompanySettings.load().tzinfo
    deals = Deal.objects.filter(owner__in=owners, closed_on__range=(period.start, period.end))
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    won = Q(stage__kind=StageKind.WON)
    cycle = ExpressionWrapper(
        F("closed_on") - TruncDate("created_at", tzinfo=tzinfo), output_field=DurationField()
    )
    figures = deals.aggregate(
        won=Count("pk", filter=won),
        lost=Count("pk", filter=Q(stage__kind=StageKind.LOST)),
        won_amount=Sum("amount", filter=won),
        avg_deal_size=Avg("amount", filter=won),
        avg_cycle=Avg(cycle, filter=won),
    )
    return Outcomes(
        won=figures["won"],
        lost=figures["lost"],
        won_amount=money(figures["won_amount"]),
        avg_deal_size=money(figures["avg_deal_size"]) if figures["won"] else None,
        avg_cycle_days=days(figures["avg_cycle"]),
    )


# --- Forecast ---------------------------------------------------------------------------------


@dataclass
class Forecast:
    period: Period
    open_deals: int
    weighted: Decimal
    best_case: Decimal
    commit: Decimal
    won_to_date: Decimal


def forecast(
    owners,
    *,
    today: date,
    pipeline: Pipeline | None = None,
    company: CompanySettings | None = None,
) -> list[Forecast]:
    """This month's and this quarter's forecast, both in one query."""
    company = company or CompanySettings.load()
    periods = [month_of(today), quarter_of(today, company.fiscal_year_start_month)]
    deals = Deal.objects.filter(owner__in=owners)
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    is_open = Q(stage__kind=StageKind.OPEN)
    threshold = company.commit_probability
    committed = Q(probability__gte=threshold) | Q(
        probability__isnull=True, stage__probability__gte=threshold
    )
    figures = {}
    for p in periods:
        closing = is_open & Q(expected_close__range=(p.start, p.end))
        won = Q(stage__kind=StageKind.WON, closed_on__range=(p.start, today))
        figures |= {
            f"{p.key}_open": Count("pk", filter=closing),
            f"{p.key}_weighted": Sum(weighted_amount(), filter=closing),
            f"{p.key}_best": Sum("amount", filter=closing),
            f"{p.key}_commit": Sum("amount", filter=closing & committed),
            f"{p.key}_won": Sum("amount", filter=won),
        }
    totals = deals.aggregate(**figures)
    return [
        Forecast(
            period=p,
            open_deals=totals[f"{p.key}_open"],
            weighted=money(totals[f"{p.key}_weighted"]),
            best_case=money(totals[f"{p.key}_best"]),
            commit=money(totals[f"{p.key}_commit"]),
            won_to_date=money(totals[f"{p.key}_won"]),
        )
        for p in periods
    ]
