"""Plan vs actual: what a rep planned for a week next to what they logged.

Each function runs a fixed number of grouped queries, whatever the number of
reps, metrics or days.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from activities.models import Activity
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalScope, PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from salesmgmt.calendar import elapsed, holidays_between
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import MONEY, ZERO, percent_of


def week_progress(week_start: date, today: date) -> Decimal:
    """Share of the week's working days (Monday to Friday, less company holidays) over by
    ``today``: the same working days as goal pace (salesmgmt.calendar.elapsed; the day
    under way is not due yet)."""
    end = week_start + timedelta(days=6)
    holidays = holidays_between(week_start, end)
    return elapsed(week_start, end, today, holidays, today=CompanySettings.load().today()).fraction


def pace(actual, planned, progress: Decimal) -> str:
    """good / mid / low: actual against the planned number pro-rated to today."""
    if not planned or not progress:
        return ""
    ratio = Decimal(actual or 0) / (Decimal(planned) * progress)
    if ratio >= 1:
        return "good"
    return "mid" if ratio >= Decimal("0.7") else "low"


def with_pace(rows, progress: Decimal) -> list:
    """Attach ``expected``, ``attainment`` and ``pace`` to each row: its Cell's figures,
    so the plan page and the dashboards' weeks read the same numbers."""
    rows = list(rows)
    for row in rows:
        cell = Cell(row.planned, row.actual, progress)
        row.expected, row.attainment, row.pace = cell.expected, cell.attainment, cell.pace
    return rows


def plan_vs_actual(plan: WeeklyPlan):
    """The plan's targets, each annotated with ``actual`` (``with_pace`` adds the rest)."""
    logged = (
        Activity.objects.filter(
            rep=plan.rep_id,
            metric=OuterRef("metric"),
            day__range=(plan.week_start, plan.week_start + timedelta(days=6)),
        )
        .order_by()
        .values("metric")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        PlanTarget.objects.filter(plan=plan)
        .select_related("metric")
        .annotate(actual=Coalesce(Subquery(logged, output_field=MONEY), ZERO, output_field=MONEY))
    )


@dataclass
class Cell:
    planned: Decimal | None
    actual: Decimal
    progress: Decimal = Decimal("1")

    @property
    def expected(self) -> Decimal | None:
        """The planned number pro-rated to today's share of the week's working days."""
        return None if self.planned is None else self.planned * self.progress

    @property
    def attainment(self) -> Decimal | None:
        """actual / planned in percent, to a tenth (salesmgmt.money.percent_of)."""
        return percent_of(self.actual, self.planned)

    @property
    def pace(self):
        return pace(self.actual, self.planned, self.progress)


def week_grid(rep_ids, week_start: date, metric_ids, *, today: date) -> dict[int, dict[int, Cell]]:
    """{rep_id: {metric_id: Cell}} for one week, in two grouped queries."""
    progress = week_progress(week_start, today)
    week_end = week_start + timedelta(days=6)
    actuals = (
        Activity.objects.filter(
            rep__in=rep_ids, metric__in=metric_ids, day__range=(week_start, week_end)
        )
        .order_by()
        .values("rep", "metric")
        .annotate(total=Sum("quantity"))
    )
    planned = PlanTarget.objects.filter(
        plan__rep__in=rep_ids, plan__week_start=week_start, metric__in=metric_ids
    ).values("plan__rep", "metric", "planned")
    grid: dict[int, dict[int, Cell]] = {
        rep: {m: Cell(None, ZERO, progress) for m in metric_ids} for rep in rep_ids
    }
    for row in actuals:
        grid[row["rep"]][row["metric"]].actual = row["total"] or ZERO
    for row in planned:
        grid[row["plan__rep"]][row["metric"]].planned = row["planned"]
    return grid


def team_week_counts(team, week_start: date) -> dict[str, int]:
    """How many of the team's reps have a plan in each status, and how many have none."""
    by_status = dict(
        WeeklyPlan.objects.filter(rep__in=User.objects.reps().filter(team=team))
        .for_week(week_start)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts = {status: by_status.get(status, 0) for status in PlanStatus.values}
    counts["none"] = User.objects.reps().filter(team=team).count() - sum(counts.values())
    return counts


def team_week_rows(reps, plans_by_rep, week_start: date, metrics) -> list[dict]:
    """One row per rep: their plan and a plan-vs-actual cell per metric."""
    today = CompanySettings.load().today()
    grid = week_grid([r.pk for r in reps], week_start, [m.pk for m in metrics], today=today)
    return [
        {
            "rep": rep,
            "plan": plans_by_rep.get(rep.pk),
            "cells": [(m, grid[rep.pk][m.pk]) for m in metrics],
        }
        for rep in reps
    ]


# --- What changed since a plan was returned ------------------------------------------------

TEXT_FIELDS = ("objectives", "priorities", "risks")  # key accounts are compared name by name


def _targets_of(plan: WeeklyPlan):
    """The plan's targets with their metrics: the prefetched ones (API lists) or one query."""
    if "targets" in getattr(plan, "_prefetched_objects_cache", {}):
        return plan.targets.all()
    return plan.targets.select_related("metric")


def plan_snapshot(plan: WeeklyPlan) -> dict:
    """The plan's content and planned numbers as JSON, kept on a return (``PlanEvent.snapshot``).
    Each number keeps its metric's key, name and unit, so a metric later dropped from the
    plan still reads by name."""
    return {
        **{name: getattr(plan, name) for name in (*TEXT_FIELDS, "key_accounts")},
        "targets": [
            {
                "metric": t.metric.key,
                "name": t.metric.name,
                "money": t.metric.is_money,
                "planned": str(t.planned),
            }
            for t in _targets_of(plan)
        ],
    }


def account_names(text: str) -> list[str]:
    """Key accounts as written: one per line or separated by commas or semicolons."""
    names = []
    for line in text.replace(";", ",").splitlines():
        names += [n.strip() for n in line.split(",") if n.strip()]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class MetricRef:
    """A metric as a snapshot knows it (what the ``figure`` tag needs)."""

    key: str
    name: str
    is_money: bool

    @property
    def label(self) -> str:
        """The name in the reader's language (as ``Metric.label``)."""
        return translated_name(self.name)

    def __str__(self):
        return self.label


@dataclass(frozen=True)
class TargetChange:
    metric: MetricRef
    old: Decimal | None  # None: the metric was added after the return
    new: Decimal | None  # None: the metric was dropped after the return


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class PlanChanges:
    """The plan now against the plan as it was returned, with the return itself."""

    returned: object  # the RETURNED PlanEvent (by, at, comment)
    targets: list[TargetChange]
    accounts_added: list[str]
    accounts_removed: list[str]
    fields: list[FieldChange]

    @property
    def any(self) -> bool:
        return bool(self.targets or self.accounts_added or self.accounts_removed or self.fields)


def returns_prefetch() -> Prefetch:
    """Prefetch each plan's returns (``plan.return_events``): one query for a whole list."""
    return Prefetch(
        "events",
        queryset=PlanEvent.objects.filter(kind=PlanEvent.Kind.RETURNED)
        .select_related("by")
        .order_by("at", "pk"),
        to_attr="return_events",
    )


def last_return(plan: WeeklyPlan) -> PlanEvent | None:
    returns = getattr(plan, "return_events", None)
    if returns is not None:
        return returns[-1] if returns else None
    return (
        plan.events.filter(kind=PlanEvent.Kind.RETURNED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )


def changes_since_return(plan: WeeklyPlan) -> PlanChanges | None:
    """What changed since the plan was last returned; None if it never was (or was returned
    before snapshots were kept). Two queries, none with ``returns_prefetch`` and the
    targets prefetched."""
    event = last_return(plan)
    if event is None or not event.snapshot:
        return None
    before, now = event.snapshot, plan_snapshot(plan)
    old = {t["metric"]: t for t in before.get("targets", [])}
    new = {t["metric"]: t for t in now["targets"]}
    targets = []
    for key in [*new, *(k for k in old if k not in new)]:
        was, is_ = old.get(key), new.get(key)
        ref = is_ or was
        old_value = Decimal(was["planned"]) if was else None
        new_value = Decimal(is_["planned"]) if is_ else None
        if old_value != new_value:
            metric = MetricRef(key=key, name=ref["name"], is_money=ref["money"])
            targets.append(TargetChange(metric, old_value, new_value))
    old_accounts = account_names(before.get("key_accounts", ""))
    new_accounts = account_names(now["key_accounts"])
    fields = [
        FieldChange(
            name,
            str(WeeklyPlan._meta.get_field(name).verbose_name).capitalize(),
            before.get(name, ""),
            now[name],
        )
        for name in TEXT_FIELDS
        if before.get(name, "").strip() != now[name].strip()
    ]
    return PlanChanges(
        returned=event,
        targets=targets,
        accounts_added=[n for n in new_accounts if n not in old_accounts],
        accounts_removed=[n for n in old_accounts if n not in new_accounts],
        fields=fields,
    )


# --- The context a reviewer reads beside a plan --------------------------------------------


@dataclass
class ReviewContext:
    last_week: date
    last_plan: WeeklyPlan | None
    last_rows: list
    last_progress: Decimal
    goals: list  # GoalProgress of the rep's current goals the viewer may see


def review_context(plan: WeeklyPlan, viewer, *, today: date) -> ReviewContext:
    """The rep's previous week (its plan against what they logged, as on My week) and the
    pace of the rep's current goals: a fixed number of queries."""
    last_week = plan.week_start - timedelta(weeks=1)
    last_plan = (
        WeeklyPlan.objects.filter(rep=plan.rep_id, week_start=last_week)
        .only("pk", "rep", "week_start", "status")
        .first()
    )
    progress = week_progress(last_week, today)
    rows = with_pace(plan_vs_actual(last_plan), progress) if last_plan else []
    goals = (
        Goal.objects.visible_to(viewer)
        .filter(scope=GoalScope.REP, rep=plan.rep_id)
        .current(today)
        .order_by("metric__position", "period", "pk")
    )
    return ReviewContext(
        last_week=last_week,
        last_plan=last_plan,
        last_rows=rows,
        last_progress=progress,
        goals=goal_progress(goals, as_of=today),
    )


def api_plans(user):
    """Weekly plans ``user`` sees, read as the API reads them."""
    return (
        WeeklyPlan.objects.visible_to(user)
        .select_related("rep")
        .prefetch_related("targets__metric", returns_prefetch())
        .order_by("-week_start", "rep_id")
    )
