"""Goal pace, attainment and projection, computed by the database.

Definitions (the tests pin each on a hand-built fixture):

- **Actual to date**: the sum of the goal's metric logged in [start, min(end, as_of)]
  by the goal's people: the rep; the team's current reps; the division's; everyone
  (company). Won deals count through the activity rows they write.
- **Expected to date**: target x working days elapsed / working days in the period
  (``reporting.periods``; a day counts once it has begun; holidays excluded).
- **Attainment**: actual / target, in percent (to date; the final figure once the
  period is over).
- **Pace**: actual / expected, in percent; 100 = exactly on track.
- **Projection**: actual / working days elapsed x working days in the period: where
  the period ends if the rest goes as it went so far. None before the first
  working day.
- **Status**: green when pace >= ``CompanySettings.goal_amber_below``, amber when
  pace >= ``goal_red_below``, red below; green while nothing is expected yet.

``goal_progress`` runs two queries, whatever the number of goals.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from activities.models import Activity
from plans.models import Goal, GoalScope
from salesmgmt.models import CompanySettings

from .models import Status
from .periods import Elapsed, elapsed, holidays_between

ZERO = Decimal("0")
CENT = Decimal("0.01")
ONE = Decimal("1")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def quantize(value: Decimal | None, step: Decimal = CENT) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def percent_of(part, whole) -> Decimal | None:
    if not whole:
        return None
    return quantize(Decimal(part or 0) * 100 / Decimal(whole), Decimal("0.1"))


def status_for(pace: Decimal | None, company: CompanySettings) -> str:
    """green / amber / red for a pace in percent (None: nothing expected yet -> green)."""
    if pace is None or pace >= company.goal_amber_below:
        return Status.GREEN
    return Status.AMBER if pace >= company.goal_red_below else Status.RED


def _sum_for(people: Q):
    """Sum of the goal's metric over ``people`` within the goal's dates up to as_of."""
    return Subquery(
        Activity.objects.filter(people, metric=OuterRef("metric"))
        .filter(day__gte=OuterRef("start"), day__lte=OuterRef("end"))
        .order_by()
        .values("metric")
        .annotate(total=Sum("quantity"))
        .values("total"),
        output_field=MONEY,
    )


def with_actuals(goals: QuerySet, *, as_of: date) -> QuerySet:
    """``goals`` annotated with ``actual`` (to date, in the metric's unit), in one query."""
    reps = Q(rep__role="rep")
    by_scope = {
        GoalScope.REP: Q(rep=OuterRef("rep")),
        GoalScope.TEAM: reps & Q(rep__team=OuterRef("team")),
        GoalScope.DIVISION: reps & Q(rep__team__division=OuterRef("division")),
        GoalScope.COMPANY: reps,
    }
    actual = Case(
        *(
            When(scope=scope, then=_sum_for(people & Q(day__lte=as_of)))
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
    def stretch_attainment(self) -> Decimal | None:
        return percent_of(self.actual, self.goal.stretch_target)

    @property
    def projected_attainment(self) -> Decimal | None:
        return percent_of(self.projection, self.goal.target) if self.projection is not None else None

    @property
    def reaches_stretch(self) -> bool:
        stretch = self.goal.stretch_target
        return bool(stretch and self.projection is not None and self.projection >= stretch)

    @property
    def is_over(self) -> bool:
        return self.elapsed.remaining == 0


def progress_of(goal: Goal, actual: Decimal, as_of: date, holidays, company) -> GoalProgress:
    """Pace figures of one goal whose actual is known (no query)."""
    actual = Decimal(actual or 0)
    span = elapsed(goal.start, goal.end, as_of, holidays)
    expected = quantize(goal.target * span.fraction) if span.total else goal.target
    if as_of < goal.start:
        expected = ZERO
    pace = percent_of(actual, expected) if expected else None
    projection = (
        quantize(actual / span.done * span.total) if span.done and span.total else None
    )
    return GoalProgress(
        goal=goal,
        actual=quantize(actual),
        expected=expected,
        elapsed=span,
        attainment=percent_of(actual, goal.target),
        pace=pace,
        projection=projection,
        status=status_for(pace, company),
    )


def goal_progress(goals: QuerySet, *, as_of: date | None = None) -> list[GoalProgress]:
    """Progress of every goal in ``goals`` (already scoped and filtered), in two queries."""
    company = CompanySettings.load()
    as_of = as_of or company.today()
    rows = list(with_actuals(goals.select_related("metric", "rep", "team", "division"), as_of=as_of))
    if not rows:
        return []
    holidays = holidays_between(min(g.start for g in rows), max(g.end for g in rows))
    return [progress_of(g, g.actual, as_of, holidays, company) for g in rows]
