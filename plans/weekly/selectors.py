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
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from activities.models import Activity
from plans.models import PlanStatus, PlanTarget, WeeklyPlan
from salesmgmt.calendar import elapsed, holidays_between
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
