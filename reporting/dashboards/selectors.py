"""Figures of the rep and team dashboards (pages, API and CSV exports).

One module of ~800 lines on purpose: both dashboards are assembled from the same
figure functions (week, goals, leaderboard, trend, totals), and splitting them apart
would put the two assemblers a file away from what they share.

``rep_dashboard`` and ``team_dashboard`` assemble each dashboard once: an object
holding every figure, each computed on first use. The pages add only presentation
(charts, links), the API serializes the same object and the CSV exports read it.

Each function runs a fixed number of grouped queries, whatever the number of
reps, weeks or months of history:

- **My week**: plan vs actual for one company week, coloured by pace
  (``plans.weekly.selectors.week_grid``); the metrics are the team's focus metrics
  plus any other metric the rep's plan for that week has a number for.
- **Weekly trend**: totals per metric per *company week* (the week starts on
  ``CompanySettings.week_start``), the last 12 weeks up to the current one, next
  to the numbers planned for those weeks. Bucketed by the database with one
  ``Case/When`` per week.
- **Open pipeline**: open deals by stage: count, amount and weighted amount, from
  ``activities.deals.selectors.pipeline_by_stage`` (as on the pipeline board and
  the company report).
- **Leaderboard**: reps ranked by their *mean attainment* (to date, to a tenth of
  a percent, as shown) over their own monthly goals for the month. Reps with the
  same attainment share a rank (1, 2, 2, 4) and are listed by sales value, then by
  name. The top ``min(3, ranked // 2)`` places are "top", as many at the bottom
  "laggard", and tied reps always carry the same label: a tie cut by a boundary
  takes the label most of it holds (none when as many would be top as laggard).
  Reps without a monthly goal are listed after the ranked ones, unranked. A rep's
  *lagging metric* is their current goal (any period, running on the day the
  figures are measured) with the lowest pace, or failing goals, the metric of the
  plan for the week holding that day furthest behind the pace the plan expects: the
  same on the page, whichever week it browses, and on the API, whatever range it
  asks for.
- **Plan status by week**: per company week, how many reps have a plan in each
  status and how many have none.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import groupby

from django.db.models import Case, Count, DateField, Q, Sum, Value, When
from django.utils import formats
from django.utils.translation import get_language, gettext

from activities.deals import selectors as deals_selectors
from activities.log.selectors import CreditedSales, credited_sales_by_rep, credited_sales_of
from activities.models import Activity, Deal, Metric, Pipeline
from plans.goals.reverse_funnel import reverse_funnel as reverse_funnel_of
from plans.goals.selectors import GoalProgress, goal_progress, mean_percent
from plans.models import (
    Goal,
    GoalPeriod,
    GoalScope,
    PlanStatus,
    PlanTarget,
    WeeklyPlan,
    load_channels,
)
from plans.weekly.selectors import Cell, week_grid, week_progress
from reporting.dashboards.consistency import Consistency, consistency_windows
from reporting.funnel import selectors as funnel_selectors
from reporting.kpis.services import episode_figure
from reporting.models import DeviationEpisode
from salesmgmt import calendar, money
from salesmgmt.calendar import Period
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.money import percent_of

ZERO = Decimal("0")
TREND_WEEKS = 12
# The palette of static/js/charts.js, so a metric keeps its colour across charts.
PALETTE = ["#1f6feb", "#2da44e", "#d4a72c", "#cf222e", "#8250df", "#0a8a8a", "#bc4c00", "#57606a"]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def as_float(value) -> float | None:
    return None if value is None else float(value)


# --- My week ------------------------------------------------------------------------------------


@dataclass
class WeekRow:
    metric: Metric
    cell: Cell

    @property
    def planned(self):
        return self.cell.planned

    @property
    def actual(self):
        return self.cell.actual

    @property
    def expected(self):
        return self.cell.expected

    @property
    def attainment(self):
        return self.cell.attainment

    @property
    def pace(self):
        return self.cell.pace


@dataclass
class RepWeek:
    week: date
    plan: WeeklyPlan | None
    rows: list[WeekRow]
    progress: Decimal

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)


def rep_week(rep: User, week: date, metrics: list[Metric], *, today: date) -> RepWeek:
    """The rep's plan for ``week`` and plan vs actual per metric: four queries."""
    plan = WeeklyPlan.objects.filter(rep=rep, week_start=week).first()
    metrics = list(metrics)
    if plan is not None:
        seen = {m.pk for m in metrics}
        metrics += [
            t.metric
            for t in PlanTarget.objects.filter(plan=plan).select_related("metric")
            if t.metric_id not in seen
        ]
    grid = week_grid([rep.pk], week, [m.pk for m in metrics], today=today)[rep.pk]
    return RepWeek(
        week=week,
        plan=plan,
        rows=[WeekRow(m, grid[m.pk]) for m in metrics],
        progress=week_progress(week, today),
    )


# --- Goals --------------------------------------------------------------------------------------


def _overlapping(goals, start: date, end: date):
    return goals.filter(start__lte=end, end__gte=start)


def rep_goals(
    viewer: User, rep: User, *, as_of: date, start: date | None = None, end: date | None = None
) -> list[GoalProgress]:
    """Pace (as of ``as_of``) of the rep's goals and their team's that run at some point
    in [start, end] (default: those running on ``as_of``), as ``viewer`` may see them."""
    owners = Q(scope=GoalScope.REP, rep=rep)
    if rep.team_id:
        owners |= Q(scope=GoalScope.TEAM, team=rep.team_id)
    goals = _overlapping(
        Goal.objects.visible_to(viewer).filter(owners), start or as_of, end or as_of
    )
    return goal_progress(goals.order_by("scope", "metric__position", "start", "pk"), as_of=as_of)


def team_and_rep_goals(
    viewer: User,
    *,
    team=None,
    reps=(),
    as_of: date,
    start: date | None = None,
    end: date | None = None,
) -> tuple[list[GoalProgress], dict[int, list[GoalProgress]]]:
    """Progress of ``team``'s own goals, and {rep_id: progress of their own goals}, of
    those running in [start, end] (default: on ``as_of``) that ``viewer`` sees: two
    queries for the team and any number of reps together."""
    reps = list(reps)
    owners = Q(scope=GoalScope.REP, rep__in=[r.pk for r in reps])
    if team is not None:
        owners |= Q(scope=GoalScope.TEAM, team=team)
    goals = _overlapping(
        Goal.objects.visible_to(viewer).filter(owners), start or as_of, end or as_of
    )
    team_progress: list[GoalProgress] = []
    by_rep: dict[int, list[GoalProgress]] = {r.pk: [] for r in reps}
    for p in goal_progress(goals.order_by("metric__position", "start", "pk"), as_of=as_of):
        if p.goal.scope == GoalScope.TEAM:
            team_progress.append(p)
        else:
            by_rep[p.goal.rep_id].append(p)
    return team_progress, by_rep


def reps_goals(
    viewer: User, reps, *, as_of: date, start: date | None = None, end: date | None = None
) -> dict[int, list[GoalProgress]]:
    """{rep_id: [progress of their own goals running in [start, end]]}: two queries for
    any number of reps."""
    return team_and_rep_goals(viewer, reps=reps, as_of=as_of, start=start, end=end)[1]


def cells_by_metric(grid: dict, metrics) -> dict[int, dict]:
    """week_grid's {rep: {metric_id: Cell}} keyed by Metric objects instead."""
    return {rep: {m: cells[m.pk] for m in metrics} for rep, cells in grid.items()}


# --- Weekly trend -------------------------------------------------------------------------------


def trend_weeks(today: date, weeks: int = TREND_WEEKS, company=None) -> list[date]:
    """First days of the last ``weeks`` company weeks, oldest first, ending with this week."""
    company = company or CompanySettings.load()
    current = company.week_of(today)
    return [current - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def week_bucket(weeks: list[date], field_name: str = "day"):
    """SQL: the company week (its first day) a date falls in, for the given weeks."""
    return Case(
        *(
            When(**{f"{field_name}__range": (w, w + timedelta(days=6))}, then=Value(w))
            for w in weeks
        ),
        output_field=DateField(),
    )


@dataclass
class TrendSeries:
    metric: Metric
    actual: list[Decimal]
    planned: list[Decimal | None]


@dataclass
class Trend:
    weeks: list[date]
    series: list[TrendSeries]

    def rows(self):
        """(week, [(metric, actual, planned), ...]) per week, for tables and CSV."""
        for i, week in enumerate(self.weeks):
            yield week, [(s.metric, s.actual[i], s.planned[i]) for s in self.series]

    def labels(self) -> list[str]:
        """Week labels; the last week is the current one, still running."""
        labels = [formats.date_format(w, "DAY_MONTH") for w in self.weeks]
        if labels:
            labels[-1] = gettext("%(week)s (so far)") % {"week": labels[-1]}
        return labels

    def chart(self, *, planned: bool = True) -> dict:
        """Chart.js line chart: a line per metric, planned dashed; money on its own axis."""
        datasets = []
        has_money = any(s.metric.is_money for s in self.series)
        for i, s in enumerate(self.series):
            axis = {"yAxisID": "money"} if s.metric.is_money else {}
            datasets.append(
                {
                    "label": s.metric.label,
                    "data": [as_float(v) for v in s.actual],
                    "color": colour(i),
                }
                | axis
            )
            if planned and any(v is not None for v in s.planned):
                datasets.append(
                    {
                        "label": gettext("%(metric)s (planned)") % {"metric": s.metric.label},
                        "data": [as_float(v) for v in s.planned],
                        "color": colour(i),
                        "borderDash": [6, 4],
                        "pointRadius": 0,
                        "fill": False,
                    }
                    | axis
                )
        scales = {"y": {"beginAtZero": True, "title": {"display": True, "text": gettext("count")}}}
        if has_money:
            currency = CompanySettings.load().currency
            scales["money"] = {
                "beginAtZero": True,
                "position": "right",
                "grid": {"drawOnChartArea": False},
                "title": {"display": True, "text": currency},
            }
        return {
            "type": "line",
            "data": {"labels": self.labels(), "datasets": datasets},
            "options": {
                "locale": get_language(),  # Chart.js formats ticks and tooltips with it
                "scales": scales,
                "interaction": {"mode": "index", "intersect": False},
            },
        }


def weekly_trend(rep_ids, metrics: list[Metric], *, today: date, weeks: int = TREND_WEEKS) -> Trend:
    """Weekly totals of ``metrics`` over ``rep_ids`` (ids, or a query of them) and what
    they planned: two queries."""
    starts = trend_weeks(today, weeks)
    metric_ids = [m.pk for m in metrics]
    logged = (
        Activity.objects.filter(
            rep__in=rep_ids,
            metric__in=metric_ids,
            day__range=(starts[0], starts[-1] + timedelta(days=6)),
        )
        .annotate(week=week_bucket(starts))
        .order_by()
        .values("week", "metric")
        .annotate(total=Sum("quantity"))
    )
    actual = {(r["week"], r["metric"]): r["total"] for r in logged}
    planned_rows = (
        PlanTarget.objects.filter(
            plan__rep__in=rep_ids, plan__week_start__in=starts, metric__in=metric_ids
        )
        .order_by()
        .values("plan__week_start", "metric")
        .annotate(total=Sum("planned"))
    )
    planned = {(r["plan__week_start"], r["metric"]): r["total"] for r in planned_rows}
    return Trend(
        weeks=starts,
        series=[
            TrendSeries(
                metric=m,
                actual=[actual.get((w, m.pk)) or ZERO for w in starts],
                planned=[planned.get((w, m.pk)) for w in starts],
            )
            for m in metrics
        ],
    )


# --- Totals, sales value ------------------------------------------------------------------------


def metric_totals(rep_ids, *, start: date, end: date) -> dict[int, Decimal]:
    """{metric_id: total} logged by ``rep_ids`` (ids, or a query of them) in [start, end]:
    one grouped query."""
    rows = (
        Activity.objects.filter(rep__in=rep_ids, day__range=(start, end))
        .order_by()
        .values("metric")
        .annotate(total=Sum("quantity"))
    )
    return {r["metric"]: r["total"] for r in rows}


def sales_value_by_rep(rep_ids, *, start: date, end: date) -> dict[int, Decimal]:
    """{rep_id: value of their credited sales in [start, end]} (won deals and walk-ins,
    ``ActivityQuerySet.credited_sales``): one query."""
    by_rep = credited_sales_by_rep(list(rep_ids), start=start, end=end)
    return {rep_id: sales.value for rep_id, sales in by_rep.items()}


# --- Leaderboard --------------------------------------------------------------------------------


@dataclass
class Lagging:
    metric: Metric
    pace: Decimal | None
    source: str  # "goal" or "plan"
    label: str = ""  # the goal's label (its product and channels), else the metric's name


@dataclass
class Standing:
    rep: User
    rank: int | None
    attainment: Decimal | None
    goals: int
    sales_value: Decimal
    lagging: Lagging | None = None
    standing: str = ""  # "top", "laggard" or ""
    progress: list[GoalProgress] = field(default_factory=list, repr=False)


def lagging_metric(progress: list[GoalProgress], cells: dict | None) -> Lagging | None:
    """The goal with the lowest pace; without goals, the plan metric furthest behind."""
    paced = [p for p in progress if p.pace is not None]
    if paced:
        worst = min(paced, key=lambda p: (p.pace, p.goal.metric.position))
        return Lagging(worst.goal.metric, worst.pace, "goal", worst.goal.label)
    behind = []
    for metric, cell in (cells or {}).items():
        if cell.planned and cell.progress:
            pace = percent_of(cell.actual, cell.planned * cell.progress)
            behind.append((pace, metric.position, metric))
    if behind:
        pace, _, metric = min(behind, key=lambda t: (t[0], t[1]))
        return Lagging(metric, pace, "plan", metric.label)
    return None


def leaderboard(
    reps,
    progress_by_rep: dict[int, list[GoalProgress]],
    sales_value: dict[int, Decimal],
    *,
    month_start: date,
    cells_by_rep: dict | None = None,
) -> list[Standing]:
    """Rank ``reps`` (no query): see the module docstring for the rules."""
    standings = []
    for rep in reps:
        progress = progress_by_rep.get(rep.pk, [])
        month_goals = [
            p for p in progress if p.goal.period == GoalPeriod.MONTH and p.goal.start == month_start
        ]
        standings.append(
            Standing(
                rep=rep,
                rank=None,
                attainment=mean_percent(p.exact_attainment for p in month_goals),
                goals=len(month_goals),
                sales_value=money.money(sales_value.get(rep.pk)),
                lagging=lagging_metric(progress, (cells_by_rep or {}).get(rep.pk)),
                progress=progress,
            )
        )
    ranked = sorted(
        (s for s in standings if s.attainment is not None),
        key=lambda s: (-s.attainment, -s.sales_value, str(s.rep)),
    )
    unranked = sorted((s for s in standings if s.attainment is None), key=lambda s: str(s.rep))
    k = min(3, len(ranked) // 2)
    for i, s in enumerate(ranked):
        s.standing = "top" if i < k else "laggard" if i >= len(ranked) - k else ""
    for _, tied in groupby(enumerate(ranked, start=1), key=lambda pair: pair[1].attainment):
        tied = list(tied)
        labels = Counter(s.standing for _, s in tied)
        if labels["top"] > labels["laggard"]:
            label = "top"
        elif labels["laggard"] > labels["top"]:
            label = "laggard"
        else:
            label = ""
        for _, s in tied:
            s.rank, s.standing = tied[0][0], label
    return ranked + unranked


def team_leaderboard(reps, *, today: date) -> list[Standing]:
    """The leaderboard a rep sees of their own team: rank, name and attainment only.

    Deliberately not scoped to the viewer: DESIGN grants every rep their team's
    leaderboard. Callers show nothing of it but rank, name and attainment.
    """
    reps = list(reps)
    month = calendar.month_of(today)
    goals = Goal.objects.filter(
        scope=GoalScope.REP,
        period=GoalPeriod.MONTH,
        start=month.start,
        rep__in=[r.pk for r in reps],
    )
    by_rep: dict[int, list[GoalProgress]] = {r.pk: [] for r in reps}
    for p in goal_progress(goals, as_of=today):
        by_rep[p.goal.rep_id].append(p)
    return leaderboard(reps, by_rep, {}, month_start=month.start)


# --- Plan status --------------------------------------------------------------------------------


def plan_status_by_week(rep_ids, weeks: list[date]) -> dict[date, dict[str, int]]:
    """{week: {status: reps, ..., "none": reps without a plan}}: one grouped query."""
    rep_ids = list(rep_ids)
    rows = (
        WeeklyPlan.objects.filter(rep__in=rep_ids, week_start__in=weeks)
        .order_by()
        .values("week_start", "status")
        .annotate(n=Count("pk"))
    )
    counts = {w: {s: 0 for s in PlanStatus.values} for w in weeks}
    for r in rows:
        counts[r["week_start"]][r["status"]] = r["n"]
    for c in counts.values():
        c["none"] = len(rep_ids) - sum(c.values())
    return counts


def weeks_between(start: date, end: date, company=None) -> list[date]:
    """First days of the company weeks that overlap [start, end]."""
    company = company or CompanySettings.load()
    week, last, weeks = company.week_of(start), company.week_of(end), []
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


# --- Deviation alerts ---------------------------------------------------------------------------


def alert_subject(episode: DeviationEpisode) -> str:
    """What fell behind, without a query: "Calls, November 2026" or the KPI's name."""
    if episode.goal_id:
        return f"{episode.goal.label}, {episode.goal.period_label}"
    return episode.kpi.label


def open_alerts(viewer: User, *, rep: User | None = None, team=None) -> list[DeviationEpisode]:
    """Open deviation episodes of a rep (or of a team and its reps) that ``viewer`` sees,
    red first, each with its ``subject``; snoozed ones are left out until their day."""
    today = CompanySettings.load().today()
    episodes = DeviationEpisode.objects.visible_to(viewer).awake(today)
    if rep is not None:
        episodes = episodes.filter(rep=rep)
    else:
        episodes = episodes.filter(Q(rep__team=team) | Q(team=team))
    episodes = list(
        episodes.select_related(
            "goal__metric", "goal__product", "kpi__metric", "rep", "team"
        ).order_by("-severity", "opened_on", "pk")
    )
    load_channels([e.goal for e in episodes if e.goal_id])  # for the goals' labels
    for e in episodes:
        e.subject = alert_subject(e)
        # In the subject's unit: "USD 2,350.00", "50.0%", "31" (a bare 50 / 90 says little).
        e.actual_text = episode_figure(e, e.actual)
        e.expected_text = episode_figure(e, e.expected)
    return episodes


# --- The dashboards, assembled once -------------------------------------------------------------

WINDOWS = (6, 12)  # consistency windows, in months


@dataclass
class TeamFunnel:
    """The team's funnel this month, in the first active pipeline (None: none set up)."""

    pipeline: Pipeline | None
    period: Period
    stages: list = field(default_factory=list)
    outcomes: funnel_selectors.Outcomes | None = None


@dataclass(kw_only=True)
class _Dashboard:
    """What both dashboards share: who looks, and when.

    ``as_of``: figures are measured up to this day (today, or the range's end when it
    is earlier). ``start``/``end``: the range the API asks for (goals running in it,
    totals, plan status, sales value); None on the pages, whose goals are those
    running on ``as_of`` and whose sales value is the month to date (totals and plan
    status, which only the API shows, then cover as_of's month). ``week``: the
    company week plan vs actual is shown for (the page's ``?week=``, else the one
    holding as_of). Every figure is computed on first use, once, so a page, its CSV
    exports and the API each pay only for what they read.
    """

    viewer: User
    company: CompanySettings
    today: date
    as_of: date
    week: date
    start: date | None
    end: date | None

    @property
    def month(self) -> Period:
        return calendar.month_of(self.as_of)

    @property
    def span(self) -> tuple[date, date]:
        """[start, end] of the totals and the plan status: the range, or as_of's month."""
        return self.start or self.month.start, self.end or self.month.end

    @property
    def rep_ids(self) -> list[int]:
        """The reps at work shown one by one (rows, plan status, consistency)."""
        raise NotImplementedError

    @property
    def output_of(self):
        """Whose activity the totals and the trend add up: like a goal's actual, everything
        the team's members logged, those who have left included (a rep's own for one rep)."""
        return self.rep_ids

    @cached_property
    def totals(self) -> list[dict]:
        """Per active metric, the total logged in ``span`` (see ``output_of``): two queries."""
        start, end = self.span
        totals = metric_totals(self.output_of, start=start, end=end)
        return [{"metric": m, "total": totals.get(m.pk) or ZERO} for m in Metric.objects.active()]

    @cached_property
    def credited_sales(self) -> CreditedSales:
        """Credited sales of ``output_of`` (won deals and walk-ins, as commission and quota
        attainment count them): over the range, or the month to date. One query."""
        return credited_sales_of(
            self.output_of, start=self.start or self.month.start, end=self.end or self.as_of
        )

    @cached_property
    def plan_status(self) -> list[dict]:
        """Per company week overlapping ``span``: reps with a plan in each status, and none."""
        weeks = weeks_between(*self.span, company=self.company)
        by_week = plan_status_by_week(self.rep_ids, weeks)
        return [{"week_start": w, **by_week[w]} for w in weeks]

    @cached_property
    def trend(self) -> Trend:
        return weekly_trend(self.output_of, self.metrics, today=self.as_of)

    @cached_property
    def _windows(self) -> dict:
        return consistency_windows(self.rep_ids, windows=WINDOWS, as_of=self.as_of)

    def consistency_of(self, rep_id: int) -> list[tuple[int, Consistency]]:
        """[(months, Consistency)] per window, for one of the reps."""
        return [(months, self._windows[months][rep_id]) for months in WINDOWS]


def _when(*, start: date | None, end: date | None, week: date | None, company) -> dict:
    today = company.today()
    as_of = min(end, today) if end else today
    return {
        "company": company,
        "today": today,
        "as_of": as_of,
        "week": company.week_of(week or as_of),
        "start": start,
        "end": end,
    }


@dataclass(kw_only=True)
class RepDashboard(_Dashboard):
    person: User

    @property
    def rep_ids(self) -> list[int]:
        return [self.person.pk]

    @cached_property
    def metrics(self) -> list[Metric]:
        return Metric.objects.focus_of(self.person.team)

    @cached_property
    def my_week(self) -> RepWeek:
        return rep_week(self.person, self.week, self.metrics, today=self.as_of)

    @cached_property
    def goals(self) -> list[GoalProgress]:
        return rep_goals(self.viewer, self.person, as_of=self.as_of, start=self.start, end=self.end)

    @cached_property
    def reverse_funnel(self):
        """What it takes: the activity needed per remaining week to reach the outcome goal."""
        return reverse_funnel_of(self.person, as_of=self.as_of)

    @cached_property
    def pipeline(self) -> deals_selectors.PipelineByStage:
        """The rep's open deals by stage (activities.deals.selectors.pipeline_by_stage)."""
        return deals_selectors.pipeline_by_stage(Deal.objects.filter(owner=self.person).open())

    @cached_property
    def consistency(self) -> list[tuple[int, Consistency]]:
        return self.consistency_of(self.person.pk)

    @cached_property
    def alerts(self) -> list[DeviationEpisode]:
        return open_alerts(self.viewer, rep=self.person)

    @cached_property
    def leaderboard(self) -> list[Standing]:
        """The rep's team, ranked: rank, name and attainment are all anyone shows."""
        if not self.person.team_id:
            return []
        return team_leaderboard(
            User.objects.reps().filter(team=self.person.team_id), today=self.as_of
        )


def rep_dashboard(
    person: User,
    viewer: User,
    *,
    start: date | None = None,
    end: date | None = None,
    week: date | None = None,
) -> RepDashboard:
    """Every figure of ``person``'s dashboard as ``viewer`` sees it (see _Dashboard)."""
    when = _when(start=start, end=end, week=week, company=CompanySettings.load())
    return RepDashboard(viewer=viewer, person=person, **when)


@dataclass(kw_only=True)
class TeamDashboard(_Dashboard):
    team: Team

    @cached_property
    def reps(self) -> list[User]:
        return list(User.objects.reps().filter(team=self.team).order_by("first_name", "last_name"))

    @property
    def rep_ids(self) -> list[int]:
        return [r.pk for r in self.reps]

    @property
    def output_of(self):
        return User.objects.sales_reps().filter(team=self.team).values("pk")

    @cached_property
    def metrics(self) -> list[Metric]:
        return Metric.objects.focus_of(self.team)

    @property
    def week_progress(self) -> Decimal:
        return week_progress(self.week, self.as_of)

    @cached_property
    def counts(self) -> dict[str, int]:
        """Reps with a plan in each status for ``week``, and without one."""
        return plan_status_by_week(self.rep_ids, [self.week])[self.week]

    @cached_property
    def grid(self) -> dict[int, dict[int, Cell]]:
        """{rep_id: {metric_id: Cell}}: plan vs actual for ``week``, as of as_of."""
        return week_grid(self.rep_ids, self.week, [m.pk for m in self.metrics], today=self.as_of)

    @cached_property
    def rows(self) -> list[dict]:
        """The grid as one row per rep: their plan for ``week`` and a cell per focus metric."""
        plans = WeeklyPlan.objects.filter(rep__in=self.rep_ids).for_week(self.week)
        by_rep = {p.rep_id: p for p in plans}
        return [
            {
                "rep": rep,
                "plan": by_rep.get(rep.pk),
                "cells": [(m, self.grid[rep.pk][m.pk]) for m in self.metrics],
            }
            for rep in self.reps
        ]

    @cached_property
    def _goals(self) -> tuple[list[GoalProgress], dict[int, list[GoalProgress]]]:
        return team_and_rep_goals(
            self.viewer,
            team=self.team,
            reps=self.reps,
            as_of=self.as_of,
            start=self.start,
            end=self.end,
        )

    @property
    def team_goals(self) -> list[GoalProgress]:
        """The team's own goals running on as_of (or in the range)."""
        return self._goals[0]

    @property
    def rep_goals(self) -> dict[int, list[GoalProgress]]:
        """{rep_id: progress of their own goals}, running on as_of (or in the range)."""
        return self._goals[1]

    @property
    def goal_rows(self) -> list[tuple[User, list[GoalProgress]]]:
        return [(r, self.rep_goals[r.pk]) for r in self.reps]

    @property
    def goals(self) -> list[GoalProgress]:
        """The team's goals, then its reps'."""
        return self.team_goals + [p for r in self.reps for p in self.rep_goals[r.pk]]

    @cached_property
    def leaderboard(self) -> list[Standing]:
        """The reps ranked on the month holding ``as_of`` (see the module docstring).

        The same inputs on the page and the API: each rep's goals running on ``as_of``
        (a goal of the range that ended before, or starts after, is not "current") and,
        for a rep without a paced one, their plan for the week holding ``as_of``, as of
        ``as_of``. Sales value: over the range, or the month to date.
        """
        month = self.month
        current = {
            rep_id: [p for p in progress if p.goal.start <= self.as_of <= p.goal.end]
            for rep_id, progress in self.rep_goals.items()
        }
        unpaced = [
            rep_id for rep_id, progress in current.items() if all(p.pace is None for p in progress)
        ]
        return leaderboard(
            self.reps,
            current,
            sales_value_by_rep(
                self.rep_ids, start=self.start or month.start, end=self.end or self.as_of
            ),
            month_start=month.start,
            cells_by_rep=self._plan_cells() if unpaced else None,
        )

    def _plan_cells(self) -> dict[int, dict]:
        """{rep_id: {Metric: Cell}} of the plans for the week holding ``as_of``."""
        week = self.company.week_of(self.as_of)
        if week == self.week:  # the grid the page shows (and the API's only one)
            return cells_by_metric(self.grid, self.metrics)
        grid = week_grid(self.rep_ids, week, [m.pk for m in self.metrics], today=self.as_of)
        return cells_by_metric(grid, self.metrics)

    @cached_property
    def funnel(self) -> TeamFunnel:
        """Stage conversion and outcomes of the team's deals this month (as_of's month)."""
        pipeline = deals_selectors.pipeline_from_key(None)
        month = self.month
        if pipeline is None:
            return TeamFunnel(None, month)
        owners = User.objects.visible_to(self.viewer).filter(team=self.team)
        tz = self.company.tzinfo
        return TeamFunnel(
            pipeline,
            month,
            funnel_selectors.funnel(owners, pipeline, month, tzinfo=tz),
            funnel_selectors.outcomes(owners, month, pipeline=pipeline, tzinfo=tz),
        )

    @cached_property
    def alerts(self) -> list[DeviationEpisode]:
        return open_alerts(self.viewer, team=self.team)

    @property
    def consistency_rows(self) -> list[tuple[User, list[tuple[int, Consistency]]]]:
        return [(r, self.consistency_of(r.pk)) for r in self.reps]


def team_dashboard(
    team: Team,
    viewer: User,
    *,
    start: date | None = None,
    end: date | None = None,
    week: date | None = None,
) -> TeamDashboard:
    """Every figure of ``team``'s dashboard as ``viewer`` sees it (see _Dashboard)."""
    when = _when(start=start, end=end, week=week, company=CompanySettings.load())
    return TeamDashboard(viewer=viewer, team=team, **when)
