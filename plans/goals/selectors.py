"""Goal pace, attainment and projection, computed by the database.

Definitions (the tests pin each on a hand-built fixture):

- **Actual to date**: the sum of the goal's metric logged in [start, min(end, as_of)]
  by the goal's people: the rep; the team's current reps; the division's; everyone
  (company). Won deals count through the activity rows they write. A goal limited to
  a product and/or channels (``Goal.label``) counts only the rows of that product and
  of any of those channels; the month rollup keeps no product or channel, so such a
  goal is read from the rows, whatever its period.
- **Expected to date**: target x working days elapsed / working days in the period
  (``salesmgmt.calendar``; a day counts once it has begun; holidays excluded).
- **Attainment**: actual / target, in percent (to date; the final figure once the
  period is over).
- **Pace**: actual / expected, in percent; 100 = exactly on track.
- **Projection**: actual / working days elapsed x working days in the period: where
  the period ends if the rest goes as it went so far. None before the first
  working day.
- **Status**: green when pace >= ``CompanySettings.goal_amber_below``, amber when
  pace >= ``goal_red_below``, red below; green while nothing is expected yet; "too
  early to tell" instead of amber or red while less than a fifth of the period's
  working days are over (``salesmgmt.calendar.JUDGE_FROM``, as the alerts).

- **Roll-up**: a team goal next to the sum of its current reps' goals (same metric,
  period, start, product and channels); a division's next to its teams'; the
  company's next to its divisions'. The gap is that sum minus the target: below zero under-allocated,
  above zero over-allocated.

``goal_progress`` runs two queries, whatever the number of goals; ``rollup`` one
per level.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityMonth
from plans.models import Goal, GoalPeriod, GoalScope, Status, load_channels
from salesmgmt.calendar import Elapsed, elapsed, holidays_between, working_days
from salesmgmt.models import CompanySettings
from salesmgmt.money import MONEY, ZERO, percent_of, quantize

ONE = Decimal("1")


def attainments_by(progress, owner_of) -> dict[int, list[Decimal]]:
    """{owner id: [unrounded attainment, ...]} of the goals in ``progress`` that have a
    target: what ``mean_percent`` averages, so a mean is rounded once."""
    result: dict[int, list[Decimal]] = {}
    for p in progress:
        if p.exact_attainment is not None:
            result.setdefault(owner_of(p.goal), []).append(p.exact_attainment)
    return result


def mean_percent(values) -> Decimal | None:
    """The mean of (unrounded) percentages, rounded once, half up, to a tenth; None for
    none. Every mean attainment (leaderboards, team and division tables, report packs)
    is this: 75% and 66.67% give 70.8, not the 70.9 of averaging 75.0 and 66.7."""
    values = [v for v in values if v is not None]
    return quantize(sum(values) / len(values), Decimal("0.1")) if values else None


def judged(status: str, too_early: bool) -> str:
    """``status``, or "too early to tell" in place of amber or red while the period is
    young (``salesmgmt.calendar.JUDGE_FROM``): goals, KPIs and alerts wait as long."""
    if too_early and status in (Status.AMBER, Status.RED):
        return Status.EARLY
    return status


def status_for(pace: Decimal | None, company: CompanySettings, span: Elapsed | None = None) -> str:
    """green / amber / red for a pace in percent (None: nothing expected yet -> green);
    "early" instead of amber or red while ``span`` is too young to judge."""
    if pace is None or pace >= company.goal_amber_below:
        return Status.GREEN
    status = Status.AMBER if pace >= company.goal_red_below else Status.RED
    return judged(status, span is not None and span.too_early)


# Goals of these periods start on a month's first day and end on a month's last (they
# are made from salesmgmt.calendar.period_bounds): their whole months can be read from
# the activity month rollup. A week goal is read from the rows.
ROLLED_UP = (GoalPeriod.MONTH, GoalPeriod.QUARTER, GoalPeriod.YEAR)


def _total(qs: QuerySet, field: str) -> Subquery:
    return Subquery(
        qs.order_by().values("metric").annotate(total=Sum(field)).values("total"),
        output_field=MONEY,
    )


def _rows(people: Q, *, as_of: date) -> QuerySet:
    """The activity rows of the goal's metric, people and dates up to as_of."""
    return Activity.objects.filter(
        people, metric=OuterRef("metric"), day__gte=OuterRef("start"), day__lte=OuterRef("end")
    ).filter(day__lte=as_of)


def _sum_for(people: Q, *, as_of: date, months: bool = False):
    """The goal's metric summed over ``people`` within the goal's dates up to as_of.

    ``months``: for a goal of whole months, the months that ended by as_of come from the
    rollup (``ActivityMonth``, exact: the database keeps it) and only the days of as_of's
    month up to as_of from the rows, none when as_of is its month's last day (a past
    month's report): a year goal at 2,000 reps reads ~22,000 rollup rows, not 340,000.
    """
    rows = _rows(people, as_of=as_of)
    if not months:
        return _total(rows, "quantity")
    first_open = (as_of + timedelta(days=1)).replace(day=1)  # the first month not yet over
    ended = ActivityMonth.objects.filter(
        people,
        metric=OuterRef("metric"),
        month__gte=OuterRef("start"),
        month__lte=OuterRef("end"),
        month__lt=first_open,
    )
    total = Coalesce(_total(ended, "quantity"), Value(ZERO), output_field=MONEY)
    if first_open > as_of:
        return total
    return total + Coalesce(
        _total(rows.filter(day__gte=first_open), "quantity"), Value(ZERO), output_field=MONEY
    )


# A limited goal's rows: of its product, of any of its channels, or both. Which of the
# three a goal is decides its branch of the CASE in ``with_actuals`` (on the goal's own
# columns), so each branch's subquery filters on what the goal names and nothing else.
_GOAL_CHANNELS = Goal.channels.through.objects.filter(goal=OuterRef(OuterRef("pk"))).values(
    "channel"
)
_HAS_PRODUCT, _HAS_CHANNELS = Q(product__isnull=False), ~Q(channel_key="")
_LIMITS = [
    (_HAS_PRODUCT & ~_HAS_CHANNELS, Q(product=OuterRef("product"))),
    (~_HAS_PRODUCT & _HAS_CHANNELS, Q(channel__in=_GOAL_CHANNELS)),
    (_HAS_PRODUCT & _HAS_CHANNELS, Q(product=OuterRef("product"), channel__in=_GOAL_CHANNELS)),
]


def with_actuals(goals: QuerySet, *, as_of: date) -> QuerySet:
    """``goals`` annotated with ``actual`` (to date, in the metric's unit), in one query.

    Goals on a metric's whole total of whole months read the month rollup; limited
    goals (a product, channels) read the activity rows (index rep, metric, day)."""
    reps = Q(rep__role="rep")
    by_scope = {
        GoalScope.REP: Q(rep=OuterRef("rep")),
        GoalScope.TEAM: reps & Q(rep__team=OuterRef("team")),
        GoalScope.DIVISION: reps & Q(rep__team__division=OuterRef("division")),
        GoalScope.COMPANY: reps,
    }
    whole_months = Q(period__in=ROLLED_UP, start__day=1)
    actual = Case(
        *(
            When(
                Q(scope=scope) & kind,
                then=_total(_rows(people, as_of=as_of).filter(limits), "quantity"),
            )
            for scope, people in by_scope.items()
            for kind, limits in _LIMITS
        ),
        *(
            When(Q(scope=scope) & whole_months, then=_sum_for(people, as_of=as_of, months=True))
            for scope, people in by_scope.items()
        ),
        *(
            When(scope=scope, then=_sum_for(people, as_of=as_of))
            for scope, people in by_scope.items()
        ),
        output_field=MONEY,
    )
    return goals.annotate(actual=Coalesce(actual, Value(ZERO), output_field=MONEY))


@dataclass
class GoalProgress:
    goal: Goal
    actual: Decimal
    expected: Decimal
    elapsed: Elapsed
    attainment: Decimal | None
    pace: Decimal | None
    projection: Decimal | None
    status: str

    @property
    def remaining(self) -> Decimal:
        """What is still to do to reach the target (never negative)."""
        return max(self.goal.target - self.actual, ZERO)

    @property
    def exact_attainment(self) -> Decimal | None:
        """actual / target in percent, unrounded (``attainment`` is it to a tenth)."""
        return self.actual * 100 / self.goal.target if self.goal.target else None

    @property
    def projected_attainment(self) -> Decimal | None:
        return (
            percent_of(self.projection, self.goal.target) if self.projection is not None else None
        )

    @property
    def reaches_stretch(self) -> bool:
        stretch = self.goal.stretch_target
        return bool(stretch and self.projection is not None and self.projection >= stretch)

    @property
    def expected_share(self) -> Decimal | None:
        """Expected to date as a percent of the target (where the pace bar's mark sits)."""
        return percent_of(self.expected, self.goal.target)


def progress_of(
    goal: Goal, actual: Decimal, as_of: date, holidays, company, today: date | None = None
) -> GoalProgress:
    """Pace figures of one goal whose actual is known (no query). ``today`` (default: the
    company's) is the day under way, not yet expected (``salesmgmt.calendar.elapsed``)."""
    actual = Decimal(actual or 0)
    span = elapsed(goal.start, goal.end, as_of, holidays, today=today or company.today())
    expected = quantize(goal.target * span.fraction) if span.total else goal.target
    if as_of < goal.start:
        expected = ZERO
    pace = percent_of(actual, expected) if expected else None
    projection = quantize(actual / span.done * span.total) if span.done and span.total else None
    return GoalProgress(
        goal=goal,
        actual=quantize(actual),
        expected=expected,
        elapsed=span,
        attainment=percent_of(actual, goal.target),
        pace=pace,
        projection=projection,
        status=status_for(pace, company, span),
    )


def goal_progress(
    goals: QuerySet, *, as_of: date | None = None, today: date | None = None
) -> list[GoalProgress]:
    """Progress of every goal in ``goals`` (already scoped and filtered), in two queries."""
    company = CompanySettings.load()
    as_of = as_of or company.today()
    rows = list(
        with_actuals(goals.with_limits().select_related("rep", "team", "division"), as_of=as_of)
    )
    return progress_of_rows(rows, as_of=as_of, today=today)


def progress_of_rows(rows, *, as_of: date, today: date | None = None) -> list[GoalProgress]:
    """Progress of goals already annotated by ``with_actuals`` (a page of them, say):
    one query for the holidays, and one for the channels of goals that name some."""
    rows = list(rows)
    if not rows:
        return []
    company = CompanySettings.load()
    load_channels(rows)
    holidays = holidays_between(min(g.start for g in rows), max(g.end for g in rows))
    today = today or company.today()
    return [progress_of(g, g.actual, as_of, holidays, company, today) for g in rows]


# --- Roll-up: a goal next to the sum of the goals one level below -----------------------------


@dataclass(frozen=True)
class Rollup:
    """The goals one level down (a team's reps, a division's teams, the company's
    divisions) for the same metric and period. ``gap`` = children_total - target:
    negative means under-allocated (the parts do not add up to the whole), positive
    over-allocated. No children at all: gap is None (nothing allocated yet)."""

    children_total: Decimal
    children_count: int
    gap: Decimal | None

    @property
    def state(self) -> str:
        if self.gap is None:
            return "unallocated"
        if self.gap < 0:
            return "under"
        return "over" if self.gap > 0 else "matched"

    @property
    def label(self) -> str:
        return {
            "unallocated": _("Not allocated"),
            "under": _("Under-allocated"),
            "over": _("Over-allocated"),
            "matched": _("Allocated"),
        }[self.state]


# For a parent scope: the child scope and the child's path to the parent's owner.
_CHILDREN = {
    GoalScope.TEAM: (GoalScope.REP, "rep__team", "team_id"),
    GoalScope.DIVISION: (GoalScope.TEAM, "team__division", "division_id"),
    GoalScope.COMPANY: (GoalScope.DIVISION, None, None),
}


def children_of(goal: Goal) -> QuerySet:
    """The goals one level below ``goal``, same metric, period, start, product and
    channels (not scoped)."""
    child_scope, path, owner_attr = _CHILDREN[goal.scope]
    qs = Goal.objects.filter(
        scope=child_scope,
        metric=goal.metric_id,
        period=goal.period,
        start=goal.start,
        product=goal.product_id,
        channel_key=goal.channel_key,
    )
    if child_scope == GoalScope.REP:
        qs = qs.filter(rep__is_active=True, rep__role="rep")
    if path:
        qs = qs.filter(**{path: getattr(goal, owner_attr)})
    return qs


def rollup(goals) -> dict[int, Rollup]:
    """{goal id: Rollup} for the team, division and company goals among ``goals``:
    one grouped query per level present. A team counts its current (active) reps' goals
    of the same metric, period, product and channels."""
    goals = list(goals)
    result: dict[int, Rollup] = {}
    for parent_scope, (child_scope, path, owner_attr) in _CHILDREN.items():
        parents = [g for g in goals if g.scope == parent_scope]
        if not parents:
            continue
        children = Goal.objects.filter(
            scope=child_scope,
            metric__in={g.metric_id for g in parents},
            period__in={g.period for g in parents},
            start__in={g.start for g in parents},
            channel_key__in={g.channel_key for g in parents},
        )
        # Only goals with the same limits add up: reps' walk-in goals make a team's
        # walk-in goal, not its goal on every channel.
        group = ["metric", "period", "start", "product", "channel_key"]
        if child_scope == GoalScope.REP:
            children = children.filter(rep__is_active=True, rep__role="rep")
        if path:
            children = children.filter(**{f"{path}__in": {getattr(g, owner_attr) for g in parents}})
            group.insert(0, path)
        totals = {
            tuple(row[k] for k in group): (row["total"], row["n"])
            for row in children.order_by()
            .values(*group)
            .annotate(total=Sum("target"), n=Count("pk"))
        }
        for g in parents:
            key = (g.metric_id, g.period, g.start, g.product_id, g.channel_key)
            if path:
                key = (getattr(g, owner_attr), *key)
            total, count = totals.get(key, (ZERO, 0))
            result[g.pk] = Rollup(
                children_total=quantize(total),
                children_count=count,
                gap=quantize(total - g.target) if count else None,
            )
    return result


# --- One goal over time ------------------------------------------------------------------------


def limits_of(goal: Goal) -> Q:
    """The activity rows a limited goal counts (on Activity): its product, any of its
    channels; everything for an unlimited goal."""
    limits = Q(product=goal.product_id) if goal.product_id else Q()
    if goal.channel_key:
        limits &= Q(channel__in=[int(pk) for pk in goal.channel_key.split(",")])
    return limits


def people_of(goal: Goal) -> Q:
    """Whose activity counts toward ``goal`` (on Activity), as in ``with_actuals``."""
    reps = Q(rep__role="rep")
    if goal.scope == GoalScope.REP:
        return Q(rep=goal.rep_id)
    if goal.scope == GoalScope.TEAM:
        return reps & Q(rep__team=goal.team_id)
    if goal.scope == GoalScope.DIVISION:
        return reps & Q(rep__team__division=goal.division_id)
    return reps


@dataclass(frozen=True)
class ProgressPoint:
    label: str
    end: date
    actual: Decimal | None  # cumulative; None for points after as_of
    expected: Decimal  # cumulative


def progress_over_time(goal: Goal, *, as_of: date | None = None) -> list[ProgressPoint]:
    """Cumulative actual vs expected at the end of each company week of the goal
    (each day, for a week goal): one grouped query for the daily totals, one for
    the holidays."""
    company = CompanySettings.load()
    as_of = as_of or company.today()
    daily = dict(
        Activity.objects.filter(
            people_of(goal),
            limits_of(goal),
            metric=goal.metric_id,
            day__range=(goal.start, min(goal.end, as_of)),
        )
        .order_by()
        .values("day")
        .annotate(total=Sum("quantity"))
        .values_list("day", "total")
    )
    holidays = holidays_between(goal.start, goal.end)
    total_days = working_days(goal.start, goal.end, holidays)
    if goal.period == GoalPeriod.WEEK:
        ends = [goal.start + timedelta(days=n) for n in range((goal.end - goal.start).days + 1)]
        fmt = "D j"
    else:
        first_end = company.week_of(goal.start) + timedelta(days=6)
        ends = []
        day = first_end
        while day < goal.end:
            ends.append(day)
            day += timedelta(days=7)
        ends.append(goal.end)
        fmt = "DAY_MONTH"
    days = sorted(daily.items())  # regroup the daily totals into the points, in one pass
    points, running, i, last = [], ZERO, 0, goal.start - timedelta(days=1)
    for end in ends:
        while i < len(days) and days[i][0] <= end:
            running += days[i][1]
            i += 1
        done = working_days(goal.start, end, holidays)
        expected = quantize(goal.target * done / total_days) if total_days else goal.target
        shown = quantize(running) if last < as_of else None
        points.append(ProgressPoint(date_format(end, fmt), end, shown, expected))
        last = end
    return points


def with_figures(goals, *, as_of: date) -> list:
    """``goals`` (read ``with_actuals``) with the API's figures: each goal's
    ``progress_info`` and ``rollup_info``."""
    progress = progress_of_rows(goals, as_of=as_of)
    rolls = rollup(p.goal for p in progress)
    for p in progress:
        p.goal.progress_info = p
        p.goal.rollup_info = rolls.get(p.goal.pk)
    return [p.goal for p in progress]


def api_goal(goals, *, pk: int, as_of: date | None = None):
    """One goal of ``goals`` as the API shows it (its figures as of ``as_of``, default
    today), or None. Webhook payloads read it from every goal (the system viewer)."""
    if as_of is None:
        as_of = CompanySettings.load().today()
    found = list(with_actuals(goals.filter(pk=pk), as_of=as_of))
    return with_figures(found, as_of=as_of)[0] if found else None


def api_goals(user):
    """Goals ``user`` sees, read as the API reads them (before the figures)."""
    return Goal.objects.visible_to(user).with_limits().select_related("rep", "team", "division")
