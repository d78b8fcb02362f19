"""Task figures: the team board's counts and the task history of a period.

Every figure is computed by the database, one grouped query per family
(counts per rep; history per rep; history per team), whatever the number of
reps or tasks.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast

from salesmgmt.models import CompanySettings, Team, User


def midnight(day: date, company: CompanySettings) -> datetime:
    """The moment a company date begins (business days follow the company timezone)."""
    return datetime.combine(day, time.min, tzinfo=company.tzinfo)


# --- The team board ---------------------------------------------------------------------------


def task_counts_by_rep(reps: QuerySet, *, now: datetime, company: CompanySettings) -> QuerySet:
    """``reps`` annotated with open, overdue, due_today and done_this_week.

    Each open task counts in one of overdue (its time has passed) and due_today (later
    today), never both: a task due at 9:00 is overdue at 10:00, not also due today."""
    today = company.today()
    today_start, tomorrow_start = midnight(today, company), midnight(today + timedelta(1), company)
    week_start = midnight(company.week_of(today), company)
    is_open = Q(tasks__done_at__isnull=True)
    return reps.annotate(
        open_tasks=Count("tasks", filter=is_open),
        overdue_tasks=Count("tasks", filter=is_open & Q(tasks__due_at__lt=now)),
        due_today=Count(
            "tasks",
            filter=is_open
            & Q(tasks__due_at__gte=max(today_start, now), tasks__due_at__lt=tomorrow_start),
        ),
        done_this_week=Count("tasks", filter=Q(tasks__done_at__gte=week_start)),
    )


# --- Task history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """Tasks completed in a period by one rep or one team."""

    subject: User | Team
    completed: int
    on_time: int
    late: int
    on_time_rate: float | None  # percent of completed tasks done by their due time
    avg_lateness: timedelta | None  # among late ones: done_at - due_at

    @property
    def avg_lateness_hours(self) -> float | None:
        if self.avg_lateness is None:
            return None
        return round(self.avg_lateness.total_seconds() / 3600, 1)


def _history(queryset: QuerySet, tasks: str, *, start: date, end: date) -> QuerySet:
    """Annotate ``queryset`` with the history of its tasks (reached through ``tasks``)
    completed between ``start`` and ``end`` (company dates, inclusive)."""
    company = CompanySettings.load()
    done_at, due_at = F(f"{tasks}__done_at"), F(f"{tasks}__due_at")
    in_period = Q(
        **{
            f"{tasks}__done_at__gte": midnight(start, company),
            f"{tasks}__done_at__lt": midnight(end + timedelta(1), company),
        }
    )
    late = in_period & Q(**{f"{tasks}__done_at__gt": due_at})
    return queryset.annotate(
        completed=Count(tasks, filter=in_period),
        late=Count(tasks, filter=late),
        avg_lateness=Avg(
            ExpressionWrapper(done_at - due_at, output_field=DurationField()), filter=late
        ),
    ).annotate(
        on_time=F("completed") - F("late"),
        on_time_rate=Case(
            When(
                completed__gt=0,
                then=Cast(F("completed") - F("late"), FloatField())
                * 100.0
                / Cast("completed", FloatField()),
            ),
            default=None,
            output_field=FloatField(),
        ),
    )


def _rows(queryset) -> list[HistoryRow]:
    return [
        HistoryRow(
            subject=obj,
            completed=obj.completed,
            on_time=obj.on_time,
            late=obj.late,
            on_time_rate=None if obj.on_time_rate is None else round(obj.on_time_rate, 1),
            avg_lateness=obj.avg_lateness,
        )
        for obj in queryset
    ]


def task_history_by_rep(reps: QuerySet, *, start: date, end: date) -> list[HistoryRow]:
    """One row per rep at work, and per departed rep who completed something in the period."""
    annotated = _history(reps, "tasks", start=start, end=end)
    return _rows(
        annotated.filter(Q(is_active=True) | Q(completed__gt=0))
        .select_related("team")
        .order_by("team__name", "first_name", "last_name", "pk")
    )


def task_history_by_team(teams: QuerySet, *, start: date, end: date) -> list[HistoryRow]:
    """One row per team; a task counts for the team its assignee is in now."""
    annotated = _history(teams, "members__tasks", start=start, end=end)
    return _rows(annotated.order_by("name", "pk"))
