"""Monthly reviews: a rep's month, computed; then the manager's notes and the rep's reply.

``build_monthly_review`` computes every figure with grouped queries (a fixed
number per review, whatever the history) and stores them in
``MonthlyReview.figures`` as JSON (Decimals as strings). Regenerating replaces
the figures and keeps everything people wrote: notes, coaching remarks,
recognition, the rep's comment, root causes, action items and the status.

Definitions (tests/reporting/test_reviews.py pins each one):

- **Plans**: the company weeks whose first day falls in the month. A plan is
  *submitted* once it has ever been submitted; *on time* when its first
  submission came before the end of the week's first day (company timezone):
  reps plan the week before it starts or on its first morning. *Missing*:
  weeks without a submitted plan.
- **Plan vs actual**: per metric, the planned numbers summed over those weeks'
  submitted plans (a draft never submitted is not a plan yet) against what the
  rep logged in those weeks (a week that starts on the 30th counts whole).
- **Goals**: the rep's own goals overlapping the month, month goals first,
  measured as of the month's last day (``reporting.goals.goal_progress``).
- **Pipeline movement**: deals created in the month; deals *advanced* (at least
  one transition in the month into a later open stage or a won stage); won and
  lost (``closed_on`` in the month) with their value, lost by reason.
- **Missed opportunities**: *stalled* deals, open at the month's end whose last
  stage change (or creation) was ``CompanySettings.stale_deal_days`` or more
  before it; *overdue next steps*, deals open at the month's end whose next step
  date fell in the month; *overdue tasks*, tasks due in the month not done by
  their due time; *leads not worked*, the rep's prospects (existing at the
  month's end) with no activity logged against them, no deal created and no
  stage change in the month.
- **Tasks**: tasks due in the month, done on time (by their due time), done late,
  still open.
- **Biggest gaps**: up to 3 shortfalls by percent short, among goals (final
  attainment for a goal that ended in the month, pace at the month's end for a
  longer one) and planned metrics below 100%. Each becomes a ``ReviewMiss``
  keyed "goal:<id>" / "metric:<key>", so a manager's root cause survives
  regeneration; a gap that vanished is kept as *stale*.
- **Biggest wins**: up to 3, taken in turn from goals at or over 100%, the
  largest deals won and planned metrics beaten (each list best first).
"""

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Activity,
    Customer,
    CustomerStatus,
    Deal,
    StageKind,
    StageTransition,
    Task,
)
from plans.models import (
    Goal,
    GoalPeriod,
    GoalScope,
    PlanEvent,
    PlanStatus,
    PlanTarget,
    WeeklyPlan,
)
from reporting.funnel import month_of
from reporting.goals import goal_progress, percent_of, quantize
from reporting.models import (
    MonthlyReview,
    ReviewActionItem,
    ReviewMiss,
    ReviewStatus,
    RootCause,
)
from reporting.periods import previous_month, week_starts
from reporting.task_history import midnight
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, NotificationKind, Team, User
from salesmgmt.versioning import check_version, lock_row
from salesmgmt.web import LATEST

ZERO = Decimal("0")
MONEY = DecimalField(max_digits=18, decimal_places=2)
LISTED = 10  # deals, tasks and leads listed by name under each missed opportunity
GAPS = WINS = 3
ACTION_DUE_HOUR = 17  # an action item is due at the end of its day, company time


# --- Months and moments -------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    period = month_of(month)
    return period.start, period.end


def _money(value) -> str:
    return str(quantize(Decimal(value or 0)))


def _text(value) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Month:
    """The month reviewed: its dates, its instants (company time) and its plan weeks."""

    start: date
    end: date
    begins: datetime
    ends: datetime  # first instant after the month
    weeks: tuple[date, ...]

    @classmethod
    def of(cls, month: date, company: CompanySettings) -> "Month":
        start, end = month_bounds(month)
        weeks = week_starts(start, end, company)
        return cls(
            start,
            end,
            midnight(start, company),
            midnight(end + timedelta(days=1), company),
            tuple(weeks),
        )


# --- Figures: one function per family, each a fixed number of grouped queries -----------------


def plan_figures(rep: User, month: Month, company: CompanySettings) -> dict:
    """Weeks, submitted, approved, on time and missing plans (2 queries)."""
    first_submission = Subquery(
        PlanEvent.objects.filter(plan=OuterRef("pk"), kind=PlanEvent.Kind.SUBMITTED)
        .order_by("at")
        .values("at")[:1]
    )
    plans = (
        WeeklyPlan.objects.filter(rep=rep, week_start__in=month.weeks)
        .annotate(first_submitted=Coalesce(first_submission, F("submitted_at")))
        .order_by("week_start")
    )
    deadlines = {week: midnight(week + timedelta(days=1), company) for week in month.weeks}
    on_time = Q(pk__in=[])
    for week, deadline in deadlines.items():
        on_time |= Q(week_start=week, first_submitted__lt=deadline)
    counts = plans.aggregate(
        submitted=Count("pk", filter=Q(first_submitted__isnull=False)),
        approved=Count("pk", filter=Q(status=PlanStatus.APPROVED)),
        on_time=Count("pk", filter=on_time),
    )
    by_week = {
        row["week_start"]: row
        for row in plans.values("pk", "week_start", "status", "first_submitted")
    }
    weeks = []
    for week in month.weeks:
        row = by_week.get(week) or {"pk": None, "status": None, "first_submitted": None}
        submitted = row["first_submitted"]
        weeks.append(
            {
                "week_start": week.isoformat(),
                "plan_id": row["pk"],
                "status": row["status"],
                "submitted_at": submitted.isoformat() if submitted else None,
                "on_time": submitted is not None and submitted < deadlines[week],
            }
        )
    return {
        "weeks": len(month.weeks),
        **counts,
        "missing": len(month.weeks) - counts["submitted"],
        "rows": weeks,
    }


def metric_figures(rep: User, month: Month) -> list[dict]:
    """Planned (summed over the month's plans) vs actual (logged in those weeks) per metric."""
    if not month.weeks:
        return []
    fields = ("metric__key", "metric__name", "metric__unit", "metric__position")
    planned = {
        row["metric__key"]: row
        for row in PlanTarget.objects.filter(
            plan__rep=rep, plan__week_start__in=month.weeks, plan__submitted_at__isnull=False
        )
        .order_by()
        .values(*fields)
        .annotate(total=Sum("planned"))
    }
    actual = {
        row["metric__key"]: row
        for row in Activity.objects.filter(
            rep=rep, day__range=(month.weeks[0], month.weeks[-1] + timedelta(days=6))
        )
        .order_by()
        .values(*fields)
        .annotate(total=Sum("quantity"))
    }
    rows = []
    for key in sorted(
        planned.keys() | actual.keys(),
        key=lambda k: ((planned.get(k) or actual[k])["metric__position"], k),
    ):
        meta = planned.get(key) or actual[key]
        plan_total = planned[key]["total"] if key in planned else None
        done = actual[key]["total"] if key in actual else ZERO
        rows.append(
            {
                "key": key,
                "name": meta["metric__name"],
                "unit": meta["metric__unit"],
                "planned": _text(quantize(plan_total)),
                "actual": _money(done),
                "attainment": _text(percent_of(done, plan_total)),
            }
        )
    return rows


def goal_figures(rep: User, month: Month) -> list[dict]:
    """The rep's own goals overlapping the month, month goals first, as of its last day."""
    goals = Goal.objects.filter(
        scope=GoalScope.REP, rep=rep, start__lte=month.end, end__gte=month.start
    )
    progress = goal_progress(goals, as_of=month.end)
    progress.sort(key=lambda p: (p.goal.period != GoalPeriod.MONTH, p.goal.start, p.goal.pk))
    rows = []
    for p in progress:
        goal = p.goal
        final = goal.end <= month.end
        # A goal over by the month's end is judged on its target, a longer one on its pace.
        measured = p.attainment if final else p.pace
        rows.append(
            {
                "id": goal.pk,
                "metric": goal.metric.name,
                "metric_key": goal.metric.key,
                "unit": goal.metric.unit,
                "period": goal.period,
                "period_label": goal.period_label,
                "start": goal.start.isoformat(),
                "end": goal.end.isoformat(),
                "target": _money(goal.target),
                "stretch_target": _text(goal.stretch_target),
                "actual": _money(p.actual),
                "expected": _money(p.expected),
                "attainment": _text(p.attainment),
                "pace": _text(p.pace),
                "status": p.status,
                "final": final,
                "measured": _text(measured),
                "reaches_stretch": bool(goal.stretch_target and p.actual >= goal.stretch_target),
            }
        )
    return rows


def kpi_figures(rep: User, month: Month) -> list[dict]:
    """The active KPIs for the rep over the month (reporting.kpis)."""
    try:
        from reporting.kpis import evaluate_kpis
    except ImportError:  # pragma: no cover - the KPI module ships with this issue
        return []
    from reporting.models import Kpi

    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    if not kpis:
        return []
    values = evaluate_kpis(
        kpis, groups={rep.pk: [rep.pk]}, start=month.start, end=month.end, as_of=month.end
    )
    rows = []
    for kpi in kpis:
        value = values.get((kpi.pk, rep.pk))
        if value is None:
            continue
        rows.append(
            {
                "id": kpi.pk,
                "key": kpi.key,
                "name": kpi.name,
                "value": _text(quantize(value.value)),
                "target": _text(quantize(value.target)),
                "status": value.status,
                "is_percent": kpi.is_percent,
                "is_money": kpi.is_money,
                "direction": kpi.direction,
            }
        )
    return rows


def _open_at_month_end(month: Month) -> Q:
    """Deals that existed and were still open when the month ended."""
    return Q(created_at__lt=month.ends) & (
        Q(closed_on__isnull=True, stage__kind=StageKind.OPEN) | Q(closed_on__gt=month.end)
    )


def pipeline_figures(rep: User, month: Month) -> tuple[dict, list[dict]]:
    """New, advanced, won and lost deals of the month (3 queries); also the largest wins."""
    deals = Deal.objects.filter(owner=rep)
    in_month = Q(closed_on__range=(month.start, month.end))
    won, lost = in_month & Q(stage__kind=StageKind.WON), in_month & Q(stage__kind=StageKind.LOST)
    forward = StageTransition.objects.filter(
        deal=OuterRef("pk"),
        at__gte=month.begins,
        at__lt=month.ends,
        from_stage__isnull=False,
        to_stage__pipeline=F("from_stage__pipeline"),
    ).filter(
        Q(to_stage__kind=StageKind.WON)
        | Q(to_stage__kind=StageKind.OPEN, to_stage__position__gt=F("from_stage__position"))
    )
    totals = deals.aggregate(
        new=Count("pk", filter=Q(created_at__gte=month.begins, created_at__lt=month.ends)),
        new_value=Sum("amount", filter=Q(created_at__gte=month.begins, created_at__lt=month.ends)),
        advanced=Count("pk", filter=Exists(forward)),
        won=Count("pk", filter=won),
        won_value=Sum("amount", filter=won),
        lost=Count("pk", filter=lost),
        lost_value=Sum("amount", filter=lost),
    )
    by_reason = (
        deals.filter(lost)
        .order_by()
        .values("lost_reason__name")
        .annotate(count=Count("pk"), value=Sum("amount"))
        .order_by("-count", "-value", "lost_reason__name")
    )
    largest = (
        deals.filter(won)
        .order_by("-amount", "pk")
        .values("pk", "title", "amount", "customer__name")[:WINS]
    )
    figures = {
        **{k: totals[k] for k in ("new", "advanced", "won", "lost")},
        **{k: _money(totals[k]) for k in ("new_value", "won_value", "lost_value")},
        "lost_by_reason": [
            {
                "reason": row["lost_reason__name"] or "No reason given",
                "count": row["count"],
                "value": _money(row["value"]),
            }
            for row in by_reason
        ],
    }
    wins = [
        {
            "id": row["pk"],
            "title": row["title"],
            "customer": row["customer__name"],
            "amount": _money(row["amount"]),
        }
        for row in largest
    ]
    return figures, wins


def _listed(qs: QuerySet, fields, build) -> dict:
    """{count, items}: the count in one query, the first LISTED rows in another."""
    return {"count": qs.count(), "items": [build(row) for row in qs.values(*fields)[:LISTED]]}


def missed_figures(rep: User, month: Month, company: CompanySettings) -> dict:
    """Stalled deals, overdue next steps, overdue tasks and leads not worked (8 queries)."""
    open_deals = Deal.objects.filter(owner=rep).filter(_open_at_month_end(month))
    last_change = Subquery(
        StageTransition.objects.filter(deal=OuterRef("pk"), at__lt=month.ends)
        .order_by()
        .values("deal")
        .annotate(last=Max("at"))
        .values("last")
    )
    stale_before = month.ends - timedelta(days=company.stale_deal_days)
    stalled = (
        open_deals.annotate(last_change=Coalesce(last_change, F("created_at")))
        .filter(last_change__lt=stale_before)
        .order_by("last_change", "pk")
    )
    next_steps = open_deals.filter(next_step_date__range=(month.start, month.end)).order_by(
        "next_step_date", "pk"
    )
    tasks = Task.objects.filter(
        assignee=rep, due_at__gte=month.begins, due_at__lt=month.ends
    ).filter(Q(done_at__isnull=True) | Q(done_at__gt=F("due_at")))
    worked = (
        Q(activities__day__range=(month.start, month.end))
        | Q(deals__created_at__gte=month.begins, deals__created_at__lt=month.ends)
        | Q(deals__transitions__at__gte=month.begins, deals__transitions__at__lt=month.ends)
    )
    worked_ids = Customer.objects.filter(owner=rep).filter(worked).values("pk")
    leads = (
        Customer.objects.filter(
            owner=rep, status=CustomerStatus.PROSPECT, created_at__lt=month.ends
        )
        .exclude(pk__in=worked_ids)
        .order_by("name", "pk")
    )
    ends = month.ends
    return {
        "stalled": _listed(
            stalled,
            ("pk", "title", "amount", "last_change"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "amount": _money(r["amount"]),
                "days": (ends - r["last_change"]).days,
            },
        ),
        "overdue_next_steps": _listed(
            next_steps,
            ("pk", "title", "next_step", "next_step_date"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "next_step": r["next_step"],
                "date": r["next_step_date"].isoformat(),
            },
        ),
        "overdue_tasks": _listed(
            tasks.order_by("due_at", "pk"),
            ("pk", "title", "due_at", "done_at"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "due": timezone.localtime(r["due_at"], company.tzinfo).date().isoformat(),
                "done": r["done_at"] is not None,
            },
        ),
        "leads_not_worked": _listed(
            leads, ("pk", "name"), lambda r: {"id": r["pk"], "name": r["name"]}
        ),
    }


def task_figures(rep: User, month: Month) -> dict:
    """Tasks due in the month: done on time, done late, still open (1 query)."""
    counts = Task.objects.filter(
        assignee=rep, due_at__gte=month.begins, due_at__lt=month.ends
    ).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(done_at__lte=F("due_at"))),
        late=Count("pk", filter=Q(done_at__gt=F("due_at"))),
        open=Count("pk", filter=Q(done_at__isnull=True)),
    )
    counts["on_time_rate"] = _text(percent_of(counts["on_time"], counts["due"]))
    return counts


def _short(actual, expected) -> Decimal | None:
    """Percent short of ``expected`` (None when nothing was expected or nothing is short)."""
    done = percent_of(actual, expected)
    if done is None or done >= 100:
        return None
    return Decimal(100) - done


def gap_candidates(goals: list[dict], metrics: list[dict]) -> list[dict]:
    """The biggest shortfalls, largest first; each names a stable key for its ReviewMiss."""
    gaps = []
    for g in goals:
        expected = Decimal(g["target"] if g["final"] else g["expected"])
        short = _short(Decimal(g["actual"]), expected)
        if short is not None:
            label = f"{g['metric']} goal, {g['period_label']}"
            gaps.append(
                {
                    "key": f"goal:{g['id']}",
                    "label": label if g["final"] else f"{label} (pace at month end)",
                    "expected": _money(expected),
                    "actual": g["actual"],
                    "short": str(short),
                    "unit": g["unit"],
                }
            )
    for m in metrics:
        if m["planned"] is None:
            continue
        short = _short(Decimal(m["actual"]), Decimal(m["planned"]))
        if short is not None:
            gaps.append(
                {
                    "key": f"metric:{m['key']}",
                    "label": f"{m['name']}: planned vs done",
                    "expected": m["planned"],
                    "actual": m["actual"],
                    "short": str(short),
                    "unit": m["unit"],
                }
            )
    gaps.sort(key=lambda gap: (-Decimal(gap["short"]), gap["key"]))
    return gaps[:GAPS]


def win_candidates(goals: list[dict], deals: list[dict], metrics: list[dict]) -> list[dict]:
    """Up to 3 wins, taken in turn from goals met, largest deals won and metrics beaten."""
    met = sorted(
        (g for g in goals if g["attainment"] is not None and Decimal(g["attainment"]) >= 100),
        key=lambda g: (-Decimal(g["attainment"]), g["id"]),
    )
    beaten = sorted(
        (m for m in metrics if m["attainment"] is not None and Decimal(m["attainment"]) >= 100),
        key=lambda m: (-Decimal(m["attainment"]), m["key"]),
    )
    goal_wins = [
        {
            "kind": "goal",
            "key": f"goal:{g['id']}",
            "label": f"{g['metric']} goal, {g['period_label']}",
            "detail": f"{g['attainment']}% of target"
            + (" — stretch reached" if g["reaches_stretch"] else ""),
            "unit": g["unit"],
            "value": g["actual"],
        }
        for g in met
    ]
    deal_wins = [
        {
            "kind": "deal",
            "key": f"deal:{d['id']}",
            "label": f"Won {d['title']}",
            "detail": d["customer"],
            "unit": "money",
            "value": d["amount"],
        }
        for d in deals
    ]
    metric_wins = [
        {
            "kind": "metric",
            "key": f"metric:{m['key']}",
            "label": f"{m['name']}: plan beaten",
            "detail": f"{m['attainment']}% of planned",
            "unit": m["unit"],
            "value": m["actual"],
        }
        for m in beaten
    ]
    turns = itertools.zip_longest(goal_wins, deal_wins, metric_wins)
    return [win for turn in turns for win in turn if win is not None][:WINS]


def compute_figures(rep: User, month_start: date) -> dict:
    """Everything the review shows about ``rep``'s month, JSON-ready."""
    company = CompanySettings.load()
    month = Month.of(month_start, company)
    goals = goal_figures(rep, month)
    metrics = metric_figures(rep, month)
    pipeline, largest_won = pipeline_figures(rep, month)
    plans = plan_figures(rep, month, company)
    tasks = task_figures(rep, month)
    gaps = gap_candidates(goals, metrics)
    month_goal = next((g for g in goals if g["period"] == GoalPeriod.MONTH), None)
    return {
        "month": f"{month.start:%Y-%m}",
        "start": month.start.isoformat(),
        "end": month.end.isoformat(),
        "currency": company.currency,
        "plans": plans,
        "metrics": metrics,
        "goals": goals,
        "kpis": kpi_figures(rep, month),
        "pipeline": pipeline,
        "missed": missed_figures(rep, month, company),
        "tasks": tasks,
        "gaps": gaps,
        "wins": win_candidates(goals, largest_won, metrics),
        # The few numbers lists and summaries show (and sum in SQL).
        "summary": {
            "goal_attainment": month_goal["attainment"] if month_goal else None,
            "goal_metric": month_goal["metric"] if month_goal else None,
            "plans_submitted": plans["submitted"],
            "weeks": plans["weeks"],
            "won": pipeline["won"],
            "won_value": pipeline["won_value"],
            "task_on_time_rate": tasks["on_time_rate"],
            "gaps": len(gaps),
        },
    }


# --- Building and regenerating ------------------------------------------------------------------


@transaction.atomic
def build_monthly_review(*, rep: User, month: date, now: datetime | None = None) -> MonthlyReview:
    """Create or refresh ``rep``'s review of ``month``; people's text is never touched."""
    month = month.replace(day=1)
    figures = compute_figures(rep, month)
    review, created = MonthlyReview.objects.select_for_update().get_or_create(
        rep=rep, month=month, defaults={"figures": figures, "generated_at": now or timezone.now()}
    )
    if not created:
        review.figures, review.generated_at = figures, now or timezone.now()
        review.save(update_fields=["figures", "generated_at"])
    _sync_misses(review, figures["gaps"])
    return review


def _sync_misses(review: MonthlyReview, gaps: list[dict]) -> None:
    """Upsert one ReviewMiss per gap by key; a gap that vanished is kept, marked stale."""
    existing = {m.key: m for m in review.misses.all()}
    changed, new = [], []
    for position, gap in enumerate(gaps):
        values = {
            "label": gap["label"][:200],
            "expected": Decimal(gap["expected"]),
            "actual": Decimal(gap["actual"]),
            "position": position,
            "stale": False,
        }
        miss = existing.pop(gap["key"], None)
        if miss is None:
            new.append(ReviewMiss(review=review, key=gap["key"], **values))
        else:
            for name, value in values.items():
                setattr(miss, name, value)
            changed.append(miss)
    for miss in existing.values():
        miss.stale = True
        changed.append(miss)
    ReviewMiss.objects.bulk_create(new)
    ReviewMiss.objects.bulk_update(changed, ["label", "expected", "actual", "position", "stale"])


def reps_to_review(month: date):
    """Active reps who had joined by the month's end, and any rep who logged in it."""
    company = CompanySettings.load()
    start, end = month_bounds(month)
    logged = Activity.objects.filter(rep=OuterRef("pk"), day__range=(start, end))
    joined = Q(is_active=True, date_joined__lt=midnight(end + timedelta(days=1), company))
    return User.objects.sales_reps().filter(joined | Exists(logged))


# The monthly job runs in pieces: one team's reps (at most PIECE_SIZE) per piece, each rep
# in its own transaction. A worker killed mid-piece loses one review at most; the piece,
# redelivered, finds the others built. Two runs at once do not both build a rep: each
# review is claimed with a transaction-scoped PostgreSQL advisory lock, and a rep whose
# lock another run holds is left to that run (SQLite runs one writer at a time anyway).
PIECE_SIZE = 25


@dataclass
class ReviewRun:
    """What a run of the monthly job did, honestly counted."""

    built: int = 0
    existing: int = 0  # already there (before the run, or built meanwhile by another run)
    held: int = 0  # being built by another run at this moment: left to it

    def __add__(self, other: "ReviewRun") -> "ReviewRun":
        return ReviewRun(
            self.built + other.built, self.existing + other.existing, self.held + other.held
        )


def review_month(*, now: datetime | None = None, month: date | None = None) -> date:
    """The month a run reviews: ``month``, or the one before ``now`` in company time."""
    company = CompanySettings.load()
    return (
        month or previous_month(timezone.localdate(now or timezone.now(), company.tzinfo))
    ).replace(day=1)


def monthly_review_pieces(*, month: date, regenerate: bool = False) -> tuple[list[list[int]], int]:
    """The pieces of a run (rep ids, one team at a time, at most PIECE_SIZE each) and how
    many reviews of the month exist already (left alone unless ``regenerate``)."""
    reps = reps_to_review(month)
    existing = 0
    if not regenerate:
        existing = reps.filter(monthly_reviews__month=month).count()
        reps = reps.exclude(monthly_reviews__month=month)
    rows = reps.order_by("team_id", "pk").values_list("team_id", "pk")
    pieces = []
    for _team, group in itertools.groupby(rows, key=lambda row: row[0]):
        ids = [pk for _, pk in group]
        pieces += [ids[i : i + PIECE_SIZE] for i in range(0, len(ids), PIECE_SIZE)]
    return pieces, existing


def _claim_review(rep_id: int, month: date) -> bool:
    """Hold (rep, month) until the transaction ends; False if another run holds it."""
    if connection.vendor != "postgresql":
        return True
    key = int.from_bytes(
        hashlib.blake2b(f"monthly-review:{rep_id}:{month:%Y-%m}".encode(), digest_size=8).digest(),
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return cursor.fetchone()[0]


def build_monthly_review_piece(
    *, rep_ids: list[int], month: date, regenerate: bool = False, now: datetime | None = None
) -> ReviewRun:
    """Build the reviews of these reps, each in its own transaction; a rep whose review
    exists (unless ``regenerate``) or whom another run holds is counted, not built.
    Running it again builds only what is missing. Then tells the teams whose reviews
    are all there."""
    run = ReviewRun()
    month = month.replace(day=1)
    reps = list(User.objects.filter(pk__in=rep_ids).order_by("pk"))
    for rep in reps:
        with transaction.atomic():
            if not _claim_review(rep.pk, month):
                run.held += 1
            elif not regenerate and MonthlyReview.objects.filter(rep=rep, month=month).exists():
                run.existing += 1
            else:
                build_monthly_review(rep=rep, month=month, now=now)
                run.built += 1
    tell_managers_reviews_ready(month=month, team_ids={rep.team_id for rep in reps})
    return run


def tell_managers_reviews_ready(*, month: date, team_ids=None) -> int:
    """Tell each team's manager, once, when every review of the team's month exists."""
    from activities.reminders import Notice, send_once

    missing = (
        reps_to_review(month).exclude(monthly_reviews__month=month).filter(team=OuterRef("pk"))
    )
    teams = Team.objects.filter(
        Exists(MonthlyReview.objects.filter(rep__team=OuterRef("pk"), month=month)),
        manager__isnull=False,
    ).exclude(Exists(missing))
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    return send_once(
        Notice(
            user=team.manager,
            kind=NotificationKind.REVIEW_READY,
            key=f"reviews-ready:{team.pk}:{month:%Y-%m}",
            title=f"Monthly reviews of {team} for {month:%B %Y} are ready",
            body="Add your notes, a root cause for each miss and action items, "
            "then share each review with the rep.",
            url=f"{reverse('reviews:list')}?team={team.pk}&month={month:%Y-%m}",
        )
        for team in teams.select_related("manager")
    )


def generate_monthly_reviews(
    *, now: datetime | None = None, month: date | None = None, regenerate: bool = False
) -> ReviewRun:
    """Build the missing reviews of the previous month (company time), piece by piece, in
    this process (the Celery job queues the pieces instead). Safe to run every hour and
    beside another run: a review is built once and each manager told once."""
    now = now or timezone.now()
    month = review_month(now=now, month=month)
    pieces, existing = monthly_review_pieces(month=month, regenerate=regenerate)
    run = ReviewRun(existing=existing)
    for rep_ids in pieces:
        run += build_monthly_review_piece(
            rep_ids=rep_ids, month=month, regenerate=regenerate, now=now
        )
    tell_managers_reviews_ready(month=month)  # also those whose last piece was cut short
    return run


# --- Services: people's writes ------------------------------------------------------------------


def _check_annotator(review: MonthlyReview, by: User, *, version: int | None = None) -> None:
    """Managers, directors and admins whose scope holds the rep write the review, while
    the rep has not acknowledged it. A stale ``version`` is a conflict before any rule:
    the writer's page is out of date, whatever else is wrong with the write."""
    _check_scope(review.pk, by)
    if version is not None:
        _check_version(review, version)
    _check_open(review)


def _check_scope(review_id: int, by: User) -> None:
    if (
        not by.reviews_plans
        or not MonthlyReview.objects.visible_to(by).filter(pk=review_id).exists()
    ):
        raise PermissionDenied("Only the rep's manager annotates this review.")


def _check_open(review: MonthlyReview) -> None:
    if review.status == ReviewStatus.ACKNOWLEDGED:
        raise RuleViolation("The rep has acknowledged this review; it is closed for changes.")


REVIEW_CHANGED = "Somebody changed this review since you opened it; reload it."


def _check_version(review: MonthlyReview, version: int) -> None:
    check_version(review, version, message=REVIEW_CHANGED)


def _locked(review: MonthlyReview) -> MonthlyReview:
    return (
        MonthlyReview.objects.select_for_update(of=("self",))
        .select_related("rep__team__manager")
        .get(pk=review.pk)
    )


ANNOTATIONS = ("manager_notes", "coaching_remarks", "recognition")


@transaction.atomic
def annotate_review(
    *,
    review: MonthlyReview,
    by: User,
    version: int,
    manager_notes: str | None = None,
    coaching_remarks: str | None = None,
    recognition: str | None = None,
) -> MonthlyReview:
    """The manager's notes, coaching remarks and recognition (None leaves a field alone)."""
    review = _locked(review)
    _check_annotator(review, by, version=version)
    given = {
        "manager_notes": manager_notes,
        "coaching_remarks": coaching_remarks,
        "recognition": recognition,
    }
    for name, value in given.items():
        if value is not None:
            setattr(review, name, value.strip())
    review.version += 1
    review.save(update_fields=[*ANNOTATIONS, "version"])
    return review


@transaction.atomic
def set_miss_cause(
    *, miss: ReviewMiss, by: User, root_cause: str, note: str = "", version: int | None = None
) -> ReviewMiss:
    """The manager's root cause (blank: not decided yet) and note for one miss.

    The miss is locked by its key and a stale ``version`` (what the writer read) is
    refused before any rule, so two managers setting one cause cannot overwrite each
    other silently."""
    # The review first (as every review write locks it), so the rep's acknowledgement
    # cannot slip in between the open check and the write.
    review = lock_row(MonthlyReview, miss.review_id, gone="This review is gone; reload it.")
    miss = lock_row(
        ReviewMiss, miss.pk, gone="This miss is gone: the review was regenerated. Reload it."
    )
    _check_scope(review.pk, by)
    check_version(
        miss,
        version,
        message="The root cause of this miss was changed by someone else since you opened "
        "it. Nothing was saved; reload to see it.",
    )
    _check_open(review)
    if root_cause and root_cause not in RootCause.values:
        raise RuleViolation({"root_cause": "Choose one of the listed root causes."})
    note = (note or "").strip()
    if len(note) > 300:
        raise RuleViolation({"note": "Keep the note under 300 characters."})
    miss.root_cause, miss.note = root_cause, note
    miss.version += 1
    miss.save(update_fields=["root_cause", "note", "version"])
    return miss


@transaction.atomic
def add_action_item(*, review: MonthlyReview, by: User, text: str, due: date) -> ReviewActionItem:
    """An action item with a due date; the rep gets it as a task, due at the end of that day."""
    from activities.services import create_task

    _check_annotator(review, by)
    company = CompanySettings.load()
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Say what is to be done."
    if due is None or due < company.today():
        errors["due"] = "Pick a due date from today on."
    elif due > LATEST:  # a typo; near date.max the due time overflows
        errors["due"] = f"Pick a due date up to {LATEST:%d %b %Y}."
    if errors:
        raise RuleViolation(errors)
    task = create_task(
        by=by,
        assignee=review.rep,
        title=text[:200],
        notes=f"Action item from your monthly review of {review.month:%B %Y}.",
        due_at=datetime.combine(due, time(ACTION_DUE_HOUR), tzinfo=company.tzinfo),
    )
    return ReviewActionItem.objects.create(
        review=review, text=text[:200], due=due, task=task, created_by=by
    )


@transaction.atomic
def remove_action_item(*, action: ReviewActionItem, by: User) -> None:
    """Drop an action item and its task, unless the rep already did it (the task stays)."""
    _check_annotator(action.review, by)
    task_id = action.task_id
    action.delete()
    Task.objects.filter(pk=task_id, done_at__isnull=True).delete()


@transaction.atomic
def share_review(*, review: MonthlyReview, by: User, version: int) -> MonthlyReview:
    """Draft -> shared: the rep can now read it and is told so."""
    from salesmgmt.notifications import notify

    review = _locked(review)
    _check_annotator(review, by, version=version)
    if review.status != ReviewStatus.DRAFT:
        raise RuleViolation("This review is already shared.")
    review.status, review.shared_at, review.shared_by = ReviewStatus.SHARED, timezone.now(), by
    review.version += 1
    review.save(update_fields=["status", "shared_at", "shared_by", "version"])
    # Told in the same transaction: the notice commits with the share or not at all, and
    # its e-mail goes through the outbox, so a crash after the commit loses nothing.
    notify(
        user=review.rep,
        kind=NotificationKind.REVIEW_SHARED,
        key=f"review-shared:{review.pk}",
        title=f"{by} shared your review of {review.month:%B %Y}",
        body="Read it, then acknowledge it; you may add a comment.",
        url=reverse("reviews:detail", args=[review.pk]),
    )
    return review


@transaction.atomic
def regenerate_review(*, review: MonthlyReview, by: User) -> MonthlyReview:
    """Refresh the figures (after late corrections); the text people wrote stays."""
    if (
        not by.reviews_plans
        or not MonthlyReview.objects.visible_to(by).filter(pk=review.pk).exists()
    ):
        raise PermissionDenied("Only the rep's manager regenerates this review.")
    return build_monthly_review(rep=review.rep, month=review.month)


@transaction.atomic
def acknowledge_review(
    *, review: MonthlyReview, by: User, version: int, comment: str = ""
) -> MonthlyReview:
    """The rep confirms they read their shared review, optionally with a comment."""
    from salesmgmt.notifications import notify

    review = _locked(review)
    if review.rep_id != by.pk:
        raise PermissionDenied("Only the rep acknowledges their own review.")
    _check_version(review, version)
    if review.status != ReviewStatus.SHARED:
        raise RuleViolation("Only a shared review can be acknowledged.")
    review.status, review.acknowledged_at = ReviewStatus.ACKNOWLEDGED, timezone.now()
    review.rep_comment = (comment or "").strip()
    review.version += 1
    review.save(update_fields=["status", "acknowledged_at", "rep_comment", "version"])
    team = review.rep.team
    manager = (team.manager if team else None) or review.shared_by
    if manager is not None:  # told in the same transaction, as in share_review
        notify(
            user=manager,
            kind=NotificationKind.REVIEW_ACKNOWLEDGED,
            key=f"review-acknowledged:{review.pk}",
            title=f"{review.rep} acknowledged their review of {review.month:%B %Y}",
            body=review.rep_comment,
            url=reverse("reviews:detail", args=[review.pk]),
        )
    return review


@transaction.atomic
def comment_on_review(
    *, review: MonthlyReview, by: User, version: int, comment: str
) -> MonthlyReview:
    """After acknowledging, the rep may add or change their comment."""
    review = _locked(review)
    if review.rep_id != by.pk:
        raise PermissionDenied("Only the rep comments on their own review.")
    _check_version(review, version)
    if review.status != ReviewStatus.ACKNOWLEDGED:
        raise RuleViolation("Acknowledge the review first; then you can comment.")
    review.rep_comment = (comment or "").strip()
    review.version += 1
    review.save(update_fields=["rep_comment", "version"])
    return review


# --- Summaries: a team's and a division's month -------------------------------------------------


def _summary_number(name: str, field=None):
    return Cast(KT(f"figures__summary__{name}"), field or MONEY)


def summary_totals(reviews: QuerySet) -> dict:
    """Totals over ``reviews`` from their stored summaries, in one query."""
    totals = reviews.aggregate(
        reviews=Count("pk"),
        won=Coalesce(Sum(_summary_number("won", IntegerField())), Value(0)),
        won_value=Coalesce(Sum(_summary_number("won_value")), Value(ZERO), output_field=MONEY),
        plans_submitted=Coalesce(Sum(_summary_number("plans_submitted", IntegerField())), Value(0)),
        weeks=Coalesce(Sum(_summary_number("weeks", IntegerField())), Value(0)),
        gaps=Coalesce(Sum(_summary_number("gaps", IntegerField())), Value(0)),
        draft=Count("pk", filter=Q(status=ReviewStatus.DRAFT)),
        shared=Count("pk", filter=Q(status=ReviewStatus.SHARED)),
        acknowledged=Count("pk", filter=Q(status=ReviewStatus.ACKNOWLEDGED)),
    )
    totals["won_value"] = quantize(Decimal(totals["won_value"]))
    return totals


def root_cause_counts(reviews: QuerySet, group: str | None = None) -> list[dict]:
    """Current misses by root cause ("" = not decided yet), optionally per ``group`` path."""
    fields = ["root_cause"] if group is None else [f"review__{group}", "root_cause"]
    return list(
        ReviewMiss.objects.filter(review__in=reviews, stale=False)
        .order_by()
        .values(*fields)
        .annotate(count=Count("pk"))
        .order_by(*fields)
    )


def team_rows(reviews: QuerySet) -> list[dict]:
    """Per team: review count, status counts and summed key figures (one grouped query)."""
    rows = list(
        reviews.order_by()
        .values("rep__team", "rep__team__name")
        .annotate(
            reviews=Count("pk"),
            won=Coalesce(Sum(_summary_number("won", IntegerField())), Value(0)),
            won_value=Coalesce(Sum(_summary_number("won_value")), Value(ZERO), output_field=MONEY),
            plans_submitted=Coalesce(
                Sum(_summary_number("plans_submitted", IntegerField())), Value(0)
            ),
            weeks=Coalesce(Sum(_summary_number("weeks", IntegerField())), Value(0)),
            gaps=Coalesce(Sum(_summary_number("gaps", IntegerField())), Value(0)),
            draft=Count("pk", filter=Q(status=ReviewStatus.DRAFT)),
            shared=Count("pk", filter=Q(status=ReviewStatus.SHARED)),
            acknowledged=Count("pk", filter=Q(status=ReviewStatus.ACKNOWLEDGED)),
        )
        .order_by("rep__team__name")
    )
    for row in rows:
        row["won_value"] = quantize(Decimal(row["won_value"]))
    return rows
