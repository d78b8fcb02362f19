"""Reads of the training cadence: the team matrix (rep x module), a rep's assignments by
state, and what the panels show. One definition each, for pages, API, CSV and panels."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext, pgettext, pgettext_lazy

from coaching.models import TrainingAssignment, TrainingModule
from salesmgmt.calendar import month_of
from salesmgmt.models import CompanySettings, Team, User

DONE, DUE, OVERDUE, NONE = "done", "due", "overdue", "none"
STATUSES = (
    ("open", pgettext_lazy("training status", "Open")),
    ("overdue", pgettext_lazy("training status", "Overdue")),
    ("done", pgettext_lazy("training status", "Done")),
)


def filter_status(queryset: QuerySet, status: str, today: date) -> QuerySet:
    """Assignments that are open (not done), overdue (open, past due) or done."""
    if status == "overdue":
        return queryset.overdue(today)
    if status == "done":
        return queryset.filter(completed_at__isnull=False)
    if status == "open":
        return queryset.open()
    return queryset


def status_of(assignment: TrainingAssignment, today: date) -> str:
    if assignment.completed_at is not None:
        return DONE
    return OVERDUE if assignment.due < today else DUE


# --- The team matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One rep's standing on one module: an open assignment (due or overdue) comes first;
    else the last completion (done); else nothing (none)."""

    status: str
    module: TrainingModule | None = None
    due: date | None = None
    completed_at: datetime | None = None
    confirmed: bool = False

    @property
    def text(self) -> str:
        if self.status == OVERDUE:
            return gettext("overdue since %(day)s") % {"day": self.due.isoformat()}
        if self.status == DUE:
            return gettext("due %(day)s") % {"day": self.due.isoformat()}
        if self.status == DONE:
            return pgettext("training status", "done")
        return ""


@dataclass
class Matrix:
    team: Team
    today: date
    modules: list[TrainingModule]
    rows: list[tuple[User, list[Cell]]]

    def counts(self) -> dict[str, int]:
        counts = {DONE: 0, DUE: 0, OVERDUE: 0}
        for _, cells in self.rows:
            for cell in cells:
                if cell.status in counts:
                    counts[cell.status] += 1
        return counts


def team_matrix(team: Team, *, today: date) -> Matrix:
    """The team's active reps x the modules anyone of them holds or held (or that are on
    the active catalogue), from one grouped query over their assignments."""
    reps = list(User.objects.reps().filter(team=team).order_by("first_name", "last_name", "pk"))
    grouped = (
        TrainingAssignment.objects.filter(rep__team=team, rep__is_active=True)
        .values("rep_id", "module_id")
        .annotate(
            open_due=Min("due", filter=Q(completed_at__isnull=True)),
            last_done=Max("completed_at"),
            unconfirmed=Count(
                "pk", filter=Q(completed_at__isnull=False, confirmed_at__isnull=True)
            ),
        )
        .order_by()
    )
    by_pair = {(g["rep_id"], g["module_id"]): g for g in grouped}
    held = {module_id for _, module_id in by_pair}
    modules = list(TrainingModule.objects.filter(Q(pk__in=held) | Q(active=True)).order_by("title"))
    rows = []
    for rep in reps:
        cells = []
        for module in modules:
            g = by_pair.get((rep.pk, module.pk))
            if g is None:
                cells.append(Cell(NONE, module))
            elif g["open_due"] is not None:
                status = OVERDUE if g["open_due"] < today else DUE
                cells.append(Cell(status, module, due=g["open_due"], completed_at=g["last_done"]))
            else:
                done, confirmed = g["last_done"], not g["unconfirmed"]
                cells.append(Cell(DONE, module, completed_at=done, confirmed=confirmed))
        rows.append((rep, cells))
    return Matrix(team=team, today=today, modules=modules, rows=rows)


# --- A rep's own --------------------------------------------------------------------------------


def rep_assignments(rep: User, *, today: date, done_limit: int = 50) -> dict:
    """A rep's open assignments (overdue, then due) and their latest completions."""
    base = TrainingAssignment.objects.filter(rep=rep).select_related("module__topic", "rep")
    open_ones = list(base.open().order_by("due", "pk"))
    done = list(base.filter(completed_at__isnull=False).order_by("-completed_at")[:done_limit])
    return {
        "overdue": [a for a in open_ones if a.due < today],
        "due": [a for a in open_ones if a.due >= today],
        "done": done,
    }


# --- Panels ---------------------------------------------------------------------------------


def team_open_through(team: Team, *, end: date) -> list[TrainingAssignment]:
    """The team's active reps' open assignments due by ``end`` (overdue ones included)."""
    return list(
        TrainingAssignment.objects.open()
        .filter(rep__team=team, rep__is_active=True, due__lte=end)
        .select_related("rep", "module")
        .order_by("due", "rep__first_name", "pk")
    )


def month_end(today: date) -> date:
    return month_of(today).end


def completed_in_month(rep: User, month: date) -> list[TrainingAssignment]:
    """What ``rep`` completed in ``month`` (its days in company time)."""
    zone = CompanySettings.load().tzinfo
    period = month_of(month)
    start = datetime.combine(period.start, time.min, zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, zone)
    return list(
        TrainingAssignment.objects.filter(rep=rep, completed_at__gte=start, completed_at__lt=end)
        .select_related("module", "confirmed_by")
        .order_by("completed_at", "pk")
    )


def due_soon_for(rep: User, *, today: date, days: int = 14) -> list[TrainingAssignment]:
    """A rep's open assignments overdue or due within ``days``."""
    return list(
        TrainingAssignment.objects.open()
        .filter(rep=rep, due__lte=today + timedelta(days=days))
        .select_related("module")
        .order_by("due", "pk")
    )
