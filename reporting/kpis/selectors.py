"""KPIs: the admin's indicators, evaluated for groups of reps by the database.

Over 500 lines because every KPI kind's query family lives beside the one evaluator
that batches them (one grouped query per family), and who may compare what
(``kpi_subjects``) is defined here once for the page, the API and the alerts.

``evaluate_kpis(kpis, groups=..., start=..., end=..., as_of=...)`` measures every
KPI for every group in [start, end] as known on ``as_of`` (default: today in the
company timezone). A *group* is any key (a rep id, a team id, "company", ...)
mapped to rep ids (or, for a single group, a queryset of reps). Each figure family
is one grouped query per rep (``values("rep").annotate(...)``); a group's value adds
its reps' numerators and denominators up, so the number of queries does not depend
on the number of groups, reps or KPIs (at most one per family plus one for the
holidays). A single group (a company, a division, one rep) is summed by the database
instead: the same figures without a row per rep, and a queryset of reps goes in as a
subquery rather than thousands of ids (the company's monthly report: 2,000 reps).

"Up to date" below means [start, min(end, as_of)]. Definitions (the tests pin each
one on a hand-built fixture):

- **metric_total**: the metric's quantity logged up to date, summed per rep and
  averaged over the group's reps (reps who logged nothing count as 0). The target
  is per rep per ``kpi.period``. Over a span longer than that period (a weekly KPI
  over a month) value and target read *per period*: the average per rep per week
  (the total over the weeks' worth of working days over, five a week) against the
  weekly target itself, so "Calls per rep per week" reads per week on every page.
  Over its own period, or a shorter span, the value is the span's total and the
  target is scaled by working days to the span (a monthly target over a week of a
  20-working-day month is /4) and, while the span runs, pro-rated by the working
  days over (``salesmgmt.calendar.elapsed``: Monday to Friday less holidays; the
  day under way is not due yet).
- **ratio**: total of ``metric`` / total of ``denominator`` up to date over the
  group, x 100 (appointments held / set; hit rate = sales closed / appointments
  held). None when the denominator is 0.
- **stage_conversion**: of the deals owned by the group's reps that entered
  ``kpi.stage`` up to date, the share that afterwards (up to the end of ``as_of``)
  reached a later stage that is not a Lost stage; a deal counts once however often
  it entered (the funnel's definition, ``reporting.funnel.selectors``, per owner).
- **avg_deal_size**: mean amount of the group's deals won (``closed_on``) up to date.
- **plan_submission_rate**: of the rep-weeks whose week starts in [start,
  min(end, as_of)], the share with a plan that was submitted (``submitted_at`` set,
  or status submitted/approved: a returned plan was submitted too).
- **plan_attainment**: over the targets of those submitted plans on count metrics,
  total actual / total planned x 100. Actual is what the rep logged in the plan's
  week up to ``as_of`` (a whole week read from the week rollup); the planned number
  of the week that holds ``as_of`` is pro-rated by its working days elapsed, so a
  week under way is judged by its pace.
- **task_on_time_rate**: of the group's tasks due up to date, the share done by their
  due time. A task still open that is not due yet (later today) is left out.

Percent KPIs are in percent with one decimal (30 = 30%); metric totals and deal
sizes have two decimals.

**Status**: direction higher -> red if value < red threshold, amber if value <
amber threshold, else green; direction lower -> red if value > red, amber if value
> amber. No value, no status (""). Amber or red read "too early to tell" ("early")
while less than a fifth of the span's working days are over, as for goals and alerts.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityMonth,
    ActivityWeek,
    Deal,
    MetricUnit,
    StageKind,
    StageTransition,
    Task,
)
from activities.tasks.selectors import midnight
from plans.goals.selectors import judged
from plans.models import PlanStatus, PlanTarget, WeeklyPlan
from reporting.models import Kpi, KpiDirection, KpiKind, KpiPeriod, Status
from salesmgmt.calendar import (
    Elapsed,
    elapsed,
    holidays_between,
    period_bounds,
    week_starts,
    whole_months,
    working_days,
)
from salesmgmt.models import CompanySettings, Division, Team, User
from salesmgmt.money import CENT, TENTH, ZERO, format_money, quantize

PERCENT_KINDS = frozenset(
    {
        KpiKind.RATIO,
        KpiKind.STAGE_CONVERSION,
        KpiKind.PLAN_SUBMISSION_RATE,
        KpiKind.PLAN_ATTAINMENT,
        KpiKind.TASK_ON_TIME_RATE,
    }
)

# What each kind measures, in plain words (page tooltips and the API).
# A metric total's words depend on its period (one sentence each: languages decline
# "week" and "month" differently after "per").
TOTAL_DEFINITIONS = {
    KpiPeriod.WEEK: _(
        "{metric} logged per rep per week (average over the reps; over a longer span, the "
        "average week); the target is per rep per week, pro-rated while the week runs."
    ),
    KpiPeriod.MONTH: _(
        "{metric} logged per rep per month (average over the reps; over a longer span, the "
        "average month); the target is per rep per month, pro-rated while the month runs."
    ),
    KpiPeriod.QUARTER: _(
        "{metric} logged per rep per quarter (average over the reps; over a longer span, the "
        "average quarter); the target is per rep per quarter, pro-rated while the quarter runs."
    ),
}
KIND_DEFINITIONS = {
    KpiKind.RATIO: _("{metric} / {denominator} logged in the period, in percent."),
    KpiKind.STAGE_CONVERSION: _(
        "Of the deals that entered {stage} in the period, the share "
        "that moved on to a later stage (not lost)."
    ),
    KpiKind.AVG_DEAL_SIZE: _("Mean amount of the deals won in the period."),
    KpiKind.PLAN_SUBMISSION_RATE: _(
        "Of the weeks started in the period, the share for which each rep submitted a weekly plan."
    ),
    KpiKind.PLAN_ATTAINMENT: _(
        "Logged / planned over the submitted weekly plans' count "
        "metrics (the week under way is judged by its pace)."
    ),
    KpiKind.TASK_ON_TIME_RATE: _(
        "Of the tasks due in the period, the share done by their due time."
    ),
}
PER_PERIOD = {
    KpiPeriod.WEEK: _("per week"),
    KpiPeriod.MONTH: _("per month"),
    KpiPeriod.QUARTER: _("per quarter"),
}


@dataclass
class KpiValue:
    kpi: Kpi
    value: Decimal | None  # None = nothing to measure (e.g. a ratio with a zero denominator)
    target: Decimal  # for this period; pro-rated to as_of for metric_total
    amber: Decimal  # thresholds as applied (pro-rated for metric_total)
    red: Decimal
    status: str  # Status.GREEN / AMBER / RED ("" when value is None)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    # Own periods over in the span when value and target read per period, on average (a
    # weekly KPI over a month: calls per week, not the month's calls); None: span total.
    periods: Decimal | None = None

    @property
    def per_period(self) -> str:
        """'per week' when value and target read per period, else ''."""
        return str(PER_PERIOD[self.kpi.period]) if self.periods is not None else ""

    @property
    def per(self) -> str:
        """What the value is, in words: 'per week, on average over 3.2 weeks' or ''."""
        if self.periods is None:
            return ""
        periods = quantize(self.periods, TENTH).normalize()
        count = 1 if periods == 1 else 2  # 3.2 weeks reads as a plural
        text = {
            KpiPeriod.WEEK: ngettext(
                "per week, on average over %(count)s week",
                "per week, on average over %(count)s weeks",
                count,
            ),
            KpiPeriod.MONTH: ngettext(
                "per month, on average over %(count)s month",
                "per month, on average over %(count)s months",
                count,
            ),
            KpiPeriod.QUARTER: ngettext(
                "per quarter, on average over %(count)s quarter",
                "per quarter, on average over %(count)s quarters",
                count,
            ),
        }[self.kpi.period]
        return text % {"count": formats.number_format(periods)}


def describe(kpi: Kpi) -> str:
    """The KPI's definition in plain words (its own description, else the kind's)."""
    if kpi.description:
        return kpi.description
    if kpi.kind == KpiKind.METRIC_TOTAL:
        definition = TOTAL_DEFINITIONS[kpi.period]
    else:
        definition = KIND_DEFINITIONS[kpi.kind]
    return str(definition).format(
        metric=kpi.metric or gettext("The metric"),
        denominator=kpi.denominator or gettext("the denominator"),
        stage=kpi.stage or gettext("the stage"),
    )


def kpi_period(kpi: Kpi, as_of: date, company: CompanySettings | None = None) -> tuple[date, date]:
    """(first, last) day of the KPI's own period (week, month, quarter) holding ``as_of``."""
    return period_bounds(kpi.period, as_of, company)


def status_of(value: Decimal | None, *, amber: Decimal, red: Decimal, direction: str) -> str:
    if value is None:
        return ""
    if direction == KpiDirection.LOWER:
        if value > red:
            return Status.RED
        return Status.AMBER if value > amber else Status.GREEN
    if value < red:
        return Status.RED
    return Status.AMBER if value < amber else Status.GREEN


# --- One grouped query per family: {rep_id: (numerator, denominator)} per KPI -----------------

Parts = dict[Hashable, tuple[Decimal, Decimal]]
WHOLE = "whole"  # the key of a single group's parts when the database sums the group


class _Context:
    """What every family needs: the reps, the span and the company.

    ``reps`` is a list of rep ids, or (``whole``: one group, summed by the database) the
    ids or a queryset of the group's reps; ``rep_count`` is how many there are.
    """

    def __init__(
        self, reps, start, end, as_of, company, *, whole=False, rep_count=None, today=None
    ):
        self.reps, self.start, self.end, self.as_of, self.company = reps, start, end, as_of, company
        self.today = today or company.today()
        self.whole = whole
        self.rep_count = len(reps) if rep_count is None else rep_count
        self.upto = min(end, as_of)
        self.holidays: frozenset[date] = frozenset()

    @property
    def rep_filter(self):
        """The right-hand side of a ``rep__in`` lookup."""
        return self.reps.values("pk") if isinstance(self.reps, QuerySet) else self.reps

    def grouped(self, rows: QuerySet, rep: str, *keys: str, **figures) -> list[dict]:
        """``rows`` grouped by ``rep`` and ``keys`` with ``figures``; for a whole group, by
        ``keys`` only, each row's ``rep`` being ``WHOLE``."""
        if not self.whole:
            return list(rows.order_by().values(rep, *keys).annotate(**figures))
        if not keys:
            return [rows.aggregate(**figures) | {rep: WHOLE}]
        return [r | {rep: WHOLE} for r in rows.order_by().values(*keys).annotate(**figures)]

    @property
    def window(self):
        """[first instant, first instant after] of the span up to date, company time."""
        return midnight(self.start, self.company), midnight(
            self.upto + timedelta(days=1), self.company
        )


def _metric_totals(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    metric_ids = {k.metric_id for k in kpis} | {
        k.denominator_id for k in kpis if k.kind == KpiKind.RATIO
    }
    if whole_months(ctx.start, ctx.upto):  # from the month rollup (a company month: 150 -> 20 ms)
        rows = ActivityMonth.objects.filter(month__range=(ctx.start, ctx.upto))
    else:
        rows = Activity.objects.filter(day__range=(ctx.start, ctx.upto))
    rows = rows.filter(rep__in=ctx.rep_filter, metric__in=metric_ids)
    totals = {
        (r["rep"], r["metric"]): Decimal(r["total"] or 0)
        for r in ctx.grouped(rows, "rep", "metric", total=Sum("quantity"))
    }
    # (total, 1) per rep: the group's sum over its rep count is the average per rep.
    reps = [WHOLE] if ctx.whole else ctx.reps
    each = Decimal(ctx.rep_count if ctx.whole else 1)
    parts = {}
    for kpi in kpis:
        if kpi.kind == KpiKind.METRIC_TOTAL:
            parts[kpi.pk] = {rep: (totals.get((rep, kpi.metric_id), ZERO), each) for rep in reps}
        else:
            parts[kpi.pk] = {
                rep: (
                    totals.get((rep, kpi.metric_id), ZERO),
                    totals.get((rep, kpi.denominator_id), ZERO),
                )
                for rep in reps
            }
    return parts


def _stage_conversion(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    start, end = ctx.window
    known_until = midnight(ctx.as_of + timedelta(days=1), ctx.company)
    reached_beyond = StageTransition.objects.filter(
        deal=OuterRef("deal"),
        at__gte=OuterRef("at"),
        at__lt=known_until,
        to_stage__position__gt=OuterRef("to_stage__position"),
    ).exclude(to_stage__kind=StageKind.LOST)
    rows = StageTransition.objects.filter(
        deal__owner__in=ctx.rep_filter,
        to_stage__in={k.stage_id for k in kpis},
        at__gte=start,
        at__lt=end,
    )
    # A deal has one owner, so its distinct count per owner adds up to the group's.
    rows = ctx.grouped(
        rows,
        "deal__owner",
        "to_stage",
        entered=Count("deal", distinct=True),
        advanced=Count("deal", distinct=True, filter=Q(Exists(reached_beyond))),
    )
    by_stage: dict[int, Parts] = {}
    for r in rows:
        by_stage.setdefault(r["to_stage"], {})[r["deal__owner"]] = (
            Decimal(r["advanced"]),
            Decimal(r["entered"]),
        )
    return {k.pk: by_stage.get(k.stage_id, {}) for k in kpis}


def _avg_deal_size(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    rows = Deal.objects.filter(
        owner__in=ctx.rep_filter,
        stage__kind=StageKind.WON,
        closed_on__range=(ctx.start, ctx.upto),
    )
    rows = ctx.grouped(rows, "owner", won=Count("pk"), amount=Sum("amount"))
    parts = {r["owner"]: (Decimal(r["amount"] or 0), Decimal(r["won"])) for r in rows}
    return {k.pk: parts for k in kpis}


def _submitted(prefix: str = "") -> Q:
    """A plan that was submitted: ``submitted_at`` set, or submitted/approved."""
    return Q(**{f"{prefix}submitted_at__isnull": False}) | Q(
        **{f"{prefix}status__in": [PlanStatus.SUBMITTED, PlanStatus.APPROVED]}
    )


def _plan_submission(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    weeks = week_starts(ctx.start, ctx.upto, ctx.company)
    rows = WeeklyPlan.objects.filter(rep__in=ctx.rep_filter, week_start__in=weeks).filter(
        _submitted()
    )
    submitted = {r["rep"]: r["submitted"] for r in ctx.grouped(rows, "rep", submitted=Count("pk"))}
    if ctx.whole:
        parts = {WHOLE: (Decimal(submitted[WHOLE]), Decimal(len(weeks) * ctx.rep_count))}
    else:
        parts = {rep: (Decimal(submitted.get(rep, 0)), Decimal(len(weeks))) for rep in ctx.reps}
    return {k.pk: parts for k in kpis}


# Each target of the submitted plans beside what its rep logged of its metric in its week:
# a hash join of the targets to the week rollup (whole weeks) and to the days of the week
# under way, each side read once. (A correlated lookup per target took 290 ms for the
# company's November, 60,000 targets; probing the week rollup per target, 275 ms; this
# join, 190 ms, half of it reading the targets.)
PLAN_ATTAINMENT = """
SELECT {rep},
       SUM(CASE WHEN targets.t_week = %s THEN 0 ELSE targets.planned END),
       SUM(CASE WHEN targets.t_week = %s THEN targets.planned ELSE 0 END),
       SUM(logged.l_quantity)
FROM ({targets}) targets
LEFT JOIN ({logged}) logged
    ON logged.l_rep = targets.t_rep AND logged.l_metric = targets.t_metric
   AND logged.l_week = targets.t_week
{group_by}
"""


def _plan_attainment(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    weeks = week_starts(ctx.start, ctx.upto, ctx.company)
    if not weeks:
        return {k.pk: {} for k in kpis}
    # Only the week holding as_of can be under way: its planned numbers are pro-rated,
    # and what was logged in it is read from its days up to as_of.
    current = weeks[-1]
    progress = elapsed(
        current, current + timedelta(days=6), ctx.as_of, ctx.holidays, today=ctx.today
    ).fraction
    whole = [w for w in weeks if w + timedelta(days=6) <= ctx.as_of]
    targets = (
        PlanTarget.objects.filter(
            plan__rep__in=ctx.rep_filter, plan__week_start__in=weeks, metric__unit=MetricUnit.COUNT
        )
        .filter(_submitted("plan__"))
        .order_by()
        .values("planned", t_rep=F("plan__rep"), t_week=F("plan__week_start"), t_metric=F("metric"))
    )
    logged = []
    if whole:
        logged.append(
            ActivityWeek.objects.filter(rep__in=ctx.rep_filter, week__in=whole)
            .order_by()
            .values(
                l_rep=F("rep"), l_metric=F("metric"), l_week=F("week"), l_quantity=F("quantity")
            )
        )
    if current not in whole:
        logged.append(
            Activity.objects.filter(rep__in=ctx.rep_filter, day__range=(current, ctx.as_of))
            .order_by()
            .values(l_rep=F("rep"), l_metric=F("metric"))
            .annotate(l_week=Value(current, DateField()), l_quantity=Sum("quantity"))
        )
    logged = logged[0].union(*logged[1:], all=True)
    targets_sql, targets_params = targets.query.sql_with_params()
    logged_sql, logged_params = logged.query.sql_with_params()
    sql = PLAN_ATTAINMENT.format(
        rep="NULL" if ctx.whole else "targets.t_rep",
        targets=targets_sql,
        logged=logged_sql,
        group_by="" if ctx.whole else "GROUP BY targets.t_rep",
    )
    week = connection.ops.adapt_datefield_value(current)
    with connection.cursor() as cursor:
        cursor.execute(sql, [week, week, *targets_params, *logged_params])
        rows = cursor.fetchall()
    parts = {
        WHOLE if ctx.whole else rep: (
            _sum(actual),
            _sum(planned_done) + _sum(planned_current) * progress,
        )
        for rep, planned_done, planned_current, actual in rows
        if planned_done is not None  # a whole group without targets: no row to judge
    }
    return {k.pk: parts for k in kpis}


def _sum(value) -> Decimal:
    """A SUM of amounts from raw SQL (numeric on PostgreSQL, a float on SQLite), to cents."""
    return ZERO if value is None else quantize(Decimal(str(value)), CENT)


def _task_on_time(kpis: list[Kpi], ctx: _Context) -> dict[int, Parts]:
    start, end = ctx.window
    # An open task that is not due yet is not late yet: judge it once its time has come.
    if ctx.as_of < ctx.company.today():
        now = midnight(ctx.as_of + timedelta(days=1), ctx.company)
    else:
        now = timezone.now()
    rows = Task.objects.filter(
        assignee__in=ctx.rep_filter, due_at__gte=start, due_at__lt=end
    ).filter(Q(done_at__isnull=False) | Q(due_at__lt=now))
    rows = ctx.grouped(
        rows, "assignee", due=Count("pk"), on_time=Count("pk", filter=Q(done_at__lte=F("due_at")))
    )
    parts = {r["assignee"]: (Decimal(r["on_time"]), Decimal(r["due"])) for r in rows}
    return {k.pk: parts for k in kpis}


FAMILIES = {
    KpiKind.METRIC_TOTAL: _metric_totals,
    KpiKind.RATIO: _metric_totals,
    KpiKind.STAGE_CONVERSION: _stage_conversion,
    KpiKind.AVG_DEAL_SIZE: _avg_deal_size,
    KpiKind.PLAN_SUBMISSION_RATE: _plan_submission,
    KpiKind.PLAN_ATTAINMENT: _plan_attainment,
    KpiKind.TASK_ON_TIME_RATE: _task_on_time,
}


def _measurable(kpi: Kpi) -> bool:
    """A KPI missing the fields its kind needs measures nothing (the admin form prevents it)."""
    if kpi.kind in (KpiKind.METRIC_TOTAL, KpiKind.RATIO) and not kpi.metric_id:
        return False
    if kpi.kind == KpiKind.RATIO and not kpi.denominator_id:
        return False
    return not (kpi.kind == KpiKind.STAGE_CONVERSION and not kpi.stage_id)


# --- Targets and values -------------------------------------------------------------------------


def periods_over(kpi: Kpi, start: date, end: date, span: Elapsed) -> Decimal | None:
    """How many of the KPI's own periods are over in [start, end], when the span is longer
    than one of them (a weekly KPI over a month): its value then reads per period, on
    average. None when the span is one period or shorter: the value is the span's total.

    A week is five working days; a month or quarter as many as the one holding ``start``
    has, Monday to Friday (holidays make fewer days over, not shorter periods).
    """
    if not kpi.is_pro_rated:
        return None
    if kpi.period == KpiPeriod.WEEK:
        own_days = 5
    else:
        own_days = working_days(*period_bounds(kpi.period, start))
    if working_days(start, end) <= own_days:
        return None
    return Decimal(span.done) / Decimal(own_days)


def _scaled_targets(
    kpi: Kpi, start: date, end: date, span: Elapsed, holidays, company, periods
) -> tuple[Decimal, Decimal, Decimal]:
    """(target, amber, red) for [start, end] as far as ``span`` is over.

    Read per period (``periods`` given), the KPI's own; else, for the span's total: scaled
    by working days to the span when it is not the KPI's own period, and pro-rated by the
    working days over."""
    if not kpi.is_pro_rated or periods is not None:
        return kpi.target, kpi.amber_threshold, kpi.red_threshold
    own_start, own_end = kpi_period(kpi, start, company)
    factor = Decimal(1)
    if (own_start, own_end) != (start, end):
        own_days = working_days(own_start, own_end, holidays)
        if own_days:
            factor = Decimal(working_days(start, end, holidays)) / Decimal(own_days)
    factor *= span.fraction
    return tuple(
        quantize(n * factor, CENT) for n in (kpi.target, kpi.amber_threshold, kpi.red_threshold)
    )


def _value(
    kpi: Kpi, numerator: Decimal, denominator: Decimal, periods: Decimal | None = None
) -> Decimal | None:
    if periods is not None:  # an average per period: none before a working day is over
        denominator *= periods
    if not denominator:
        return None
    if kpi.kind in PERCENT_KINDS:
        return quantize(numerator * 100 / denominator, TENTH)
    return quantize(numerator / denominator, CENT)


def evaluate_kpis(
    kpis: Iterable[Kpi],
    *,
    groups: dict[Hashable, Iterable[int] | QuerySet],
    start: date,
    end: date,
    as_of: date | None = None,
    today: date | None = None,
) -> dict[tuple[int, Hashable], KpiValue]:
    """{(kpi.pk, group key): KpiValue} for every KPI and group over [start, end].

    A fixed number of queries (one per figure family present, and one for the
    holidays), whatever the number of KPIs, groups or reps. A single group may be a
    queryset of users (one more query: how many they are). ``today`` (default: the
    company's) is the day under way, which nobody is expected to have done yet.
    """
    company = CompanySettings.load()
    today = today or company.today()
    as_of = as_of or today
    kpis = list(kpis)
    if len(groups) == 1:  # summed by the database
        ((only, members),) = groups.items()
        if isinstance(members, QuerySet):
            count = members.count()
        else:
            members = sorted(set(members))
            count = len(members)
        ctx = _Context(
            members, start, end, as_of, company, whole=True, rep_count=count, today=today
        )
        groups = {only: WHOLE}
    else:
        groups = {key: frozenset(ids) for key, ids in groups.items()}
        reps = sorted(set().union(*groups.values())) if groups else []
        ctx = _Context(reps, start, end, as_of, company, today=today)
    kinds = {k.kind for k in kpis if _measurable(k)}

    if kinds:  # pro-rating, plan weeks and whether it is too early to judge count working days
        spans = [(start, end), (company.week_of(as_of), company.week_of(as_of) + timedelta(6))]
        spans += [kpi_period(k, start, company) for k in kpis if k.is_pro_rated]
        ctx.holidays = holidays_between(min(s for s, _ in spans), max(e for _, e in spans))
    span = elapsed(start, end, as_of, ctx.holidays, today=today)

    parts: dict[int, Parts] = {}
    if ctx.rep_count:
        families: dict = {}
        for kpi in kpis:
            if _measurable(kpi):
                families.setdefault(FAMILIES[kpi.kind], []).append(kpi)
        for family, members in families.items():
            parts |= family(members, ctx)

    values = {}
    for kpi in kpis:
        periods = periods_over(kpi, start, end, span)
        target, amber, red = _scaled_targets(kpi, start, end, span, ctx.holidays, company, periods)
        of_kpi = parts.get(kpi.pk, {})
        for key, ids in groups.items():
            numerator = denominator = ZERO
            for rep in [WHOLE] if ids == WHOLE else ids:
                n, d = of_kpi.get(rep, (ZERO, ZERO))
                numerator, denominator = numerator + n, denominator + d
            value = _value(kpi, numerator, denominator, periods) if kpi.pk in parts else None
            values[(kpi.pk, key)] = KpiValue(
                kpi=kpi,
                value=value,
                target=target,
                amber=amber,
                red=red,
                status=judged(
                    status_of(value, amber=amber, red=red, direction=kpi.direction),
                    span.too_early,
                ),
                periods=periods,
                numerator=quantize(numerator, CENT) if value is not None else None,
                denominator=quantize(denominator, CENT) if value is not None else None,
            )
    return values


def evaluate_current(
    kpis: Iterable[Kpi], *, groups: dict[Hashable, Iterable[int]], as_of: date | None = None
) -> dict[tuple[int, Hashable], KpiValue]:
    """Every KPI over its own current period (week, month or quarter) holding ``as_of``.

    One ``evaluate_kpis`` per period kind in use: still a fixed number of queries.
    """
    company = CompanySettings.load()
    as_of = as_of or company.today()
    by_period: dict[str, list[Kpi]] = {}
    for kpi in kpis:
        by_period.setdefault(kpi.period, []).append(kpi)
    values = {}
    for period, members in by_period.items():
        start, end = period_bounds(period, as_of, company)
        values |= evaluate_kpis(members, groups=groups, start=start, end=end, as_of=as_of)
    return values


def format_figure(value: Decimal | None, *, percent: bool = False, money: bool = False) -> str:
    """A figure for people: '62.5%', 'USD 3,100.00', '31' or '31.5' ('—' for none)."""
    if value is None:
        return "—"
    if percent:
        return f"{formats.number_format(quantize(value, TENTH), force_grouping=True)}%"
    if money:
        return format_money(quantize(value, CENT), CompanySettings.load().currency)
    value = quantize(value, CENT)
    if value == value.to_integral_value():
        return formats.number_format(value, decimal_pos=0, force_grouping=True)
    return formats.number_format(value.normalize(), force_grouping=True)


def format_kpi(kpi: Kpi, value: Decimal | None) -> str:
    return format_figure(value, percent=kpi.is_percent, money=kpi.is_money)


# --- Who is compared: the columns of the KPI page and the API's scopes ---------------------------


@dataclass
class Subject:
    """A rep, team, division or the company, with the reps whose figures make it up."""

    key: str  # "rep:3", "team:1", "division:2", "company"
    label: str
    rep_ids: list[int]
    pk: int | None = None
    is_total: bool = False  # a team/division/company average next to its parts

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]


def _reps_by(reps, attribute: str) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for rep in reps:
        grouped.setdefault(getattr(rep, attribute), []).append(rep.pk)
    return grouped


def kpi_subjects(user) -> list[Subject]:
    """What ``user`` compares on the KPI page, in a fixed number of queries:
    rep -> themselves and their team; manager -> each rep of their teams and each team;
    director -> each team of the division and the division; admin -> each division and
    the company. Groups hold the reps at work now."""

    reps = User.objects.reps().select_related("team").order_by("first_name", "last_name", "pk")
    if user.is_admin:
        everyone = list(reps.values_list("pk", "team__division_id"))
        by_division: dict[int, list[int]] = {}
        for pk, division_id in everyone:
            if division_id:
                by_division.setdefault(division_id, []).append(pk)
        subjects = [
            Subject(
                f"division:{d.pk}",
                gettext("Division %(name)s") % {"name": d},
                by_division.get(d.pk, []),
                d.pk,
            )
            for d in Division.objects.order_by("name")
        ]
        return subjects + [
            Subject("company", gettext("Company"), [pk for pk, _ in everyone], is_total=True)
        ]
    if user.is_director:
        if not user.division_id:
            return []
        teams = list(Team.objects.filter(division=user.division_id).order_by("name"))
        by_team = _reps_by(reps.filter(team__in=teams), "team_id")
        subjects = [
            Subject(
                f"team:{t.pk}", gettext("Team %(name)s") % {"name": t}, by_team.get(t.pk, []), t.pk
            )
            for t in teams
        ]
        every = [pk for t in teams for pk in by_team.get(t.pk, [])]
        return subjects + [
            Subject(
                f"division:{user.division_id}",
                gettext("Division %(name)s") % {"name": user.division},
                every,
                user.division_id,
                is_total=True,
            )
        ]
    if user.is_manager:
        teams = list(Team.objects.filter(manager=user).order_by("name"))
        members = list(reps.filter(team__in=teams))
        subjects = []
        for team in teams:
            mine = [r for r in members if r.team_id == team.pk]
            subjects += [Subject(f"rep:{r.pk}", str(r), [r.pk], r.pk) for r in mine]
            subjects.append(
                Subject(
                    f"team:{team.pk}",
                    gettext("Team %(name)s") % {"name": team},
                    [r.pk for r in mine],
                    team.pk,
                    True,
                )
            )
        return subjects
    subjects = [Subject(f"rep:{user.pk}", str(user), [user.pk], user.pk)]
    if user.team_id:
        team_reps = list(reps.filter(team=user.team_id).values_list("pk", flat=True))
        subjects.append(
            Subject(
                f"team:{user.team_id}",
                gettext("Team %(name)s") % {"name": user.team},
                team_reps,
                user.team_id,
                True,
            )
        )
    return subjects


class BadScope(ValueError):
    """A scope key that is not of the form rep:<id>, team:<id>, division:<id> or company."""


def resolve_subject(user, key: str) -> Subject | None:
    """The subject behind a scope key, or None when ``user`` may not look at it.

    A rep may see themselves and their team's average; managers their reps and teams;
    directors their division's reps and teams and the division; admins everything.
    """

    kind, _, raw = (key or "").partition(":")
    if kind == "company" and not raw:
        if not user.is_admin:
            return None
        return Subject(
            "company", gettext("Company"), list(User.objects.reps().values_list("pk", flat=True))
        )
    if kind not in ("rep", "team", "division"):
        raise BadScope(key)
    try:
        pk = int(raw)
    except ValueError:
        raise BadScope(key) from None
    reps = User.objects.reps()
    if kind == "rep":
        rep = User.objects.visible_to(user).sales_reps().filter(pk=pk).first()
        return Subject(key, str(rep), [rep.pk], pk) if rep else None
    if kind == "team":
        team = Team.objects.visible_to(user).filter(pk=pk).first()
        if team is None:
            return None
        ids = list(reps.filter(team=team).values_list("pk", flat=True))
        return Subject(key, gettext("Team %(name)s") % {"name": team}, ids, pk, True)
    if not (user.is_admin or (user.is_director and user.division_id == pk)):
        return None
    division = Division.objects.filter(pk=pk).first()
    if division is None:
        return None
    ids = list(reps.filter(team__division=division).values_list("pk", flat=True))
    return Subject(key, gettext("Division %(name)s") % {"name": division}, ids, pk, True)
