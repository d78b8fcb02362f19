"""Monthly reviews: the figures of a rep's month, and the team and division summaries.

Over 500 lines because a review's figure families (plan vs actual, goals, KPIs, tasks,
deals, misses) are built together in one fixed set of queries, and the team and
division summaries read the same stored JSON.

``build_monthly_reviews`` computes every figure of a piece of reps with grouped
queries (about 20 for any number of reps, whatever the history) and stores them in
``MonthlyReview.figures`` as JSON (Decimals as strings). Regenerating replaces
the figures and keeps everything people wrote: notes, coaching remarks,
the rep's comment, root causes, action items and the status.

Definitions (tests/reporting/reviews/test_reviews.py pins each one):

- **Plans**: the company weeks whose first day falls in the month. A plan is
  *submitted* once it has ever been submitted; *on time* when its first
  submission came before the end of the week's first day (company timezone):
  reps plan the week before it starts or on its first morning. *Missing*:
  weeks without a submitted plan.
- **Plan vs actual**: per metric, the planned numbers summed over those weeks'
  submitted plans (a draft never submitted is not a plan yet) against what the
  rep logged in those weeks (a week that starts on the 30th counts whole).
- **Goals**: the rep's own goals overlapping the month, month goals first,
  measured as of the month's last day (``plans.goals.selectors.goal_progress``).
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
- **Deviation alerts**: the rep's own alerts open at any time in the month, with what
  managers did about each (``reporting.alerts.selectors.month_alerts``); reviews built
  before alerts had actions have no "alerts" key and show no section.
- **Sales credited**: the rep's credited sales of the month
  (``ActivityQuerySet.credited_sales``: won deals and walk-ins, as commission and
  quota attainment count them): how many, their value, and the split.
- **Biggest wins**: up to 3, taken in turn from goals at or over 100%, the
  largest deals won and planned metrics beaten (each list best first).
"""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
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
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.log.selectors import NONE as NO_SALES
from activities.log.selectors import CreditedSales, credited_sales_by_rep
from activities.models import (
    Activity,
    Customer,
    CustomerStatus,
    Deal,
    StageKind,
    StageTransition,
    Task,
)
from activities.tasks.selectors import midnight
from plans.goals.selectors import goal_progress
from plans.models import (
    Goal,
    GoalPeriod,
    GoalScope,
    PlanEvent,
    PlanStatus,
    PlanTarget,
    WeeklyPlan,
)
from reporting.alerts.selectors import month_alerts
from reporting.kpis.selectors import evaluate_kpis
from reporting.models import (
    Kpi,
    MonthlyReview,
    ReviewMiss,
    ReviewStatus,
)
from salesmgmt.calendar import month_of, week_starts
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import MONEY, ZERO, percent_of, quantize

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


# --- Figures: one function per family, each a fixed number of grouped queries for any
# number of reps (the monthly job computes a piece of hundreds of reps at once) ------------


def _by_rep(rows, key: str = "rep") -> dict[int, list]:
    """Rows (dicts, in order) grouped into {rep id: [row, ...]}."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _ranked(qs: QuerySet, owner: str, order: list) -> QuerySet:
    """``qs`` numbered 1, 2, ... per ``owner`` in ``order`` (a window function)."""
    return qs.annotate(rank=Window(RowNumber(), partition_by=[F(owner)], order_by=order)).order_by(
        owner, "rank"
    )


def plan_figures(rep_ids: list[int], month: Month, company: CompanySettings) -> dict[int, dict]:
    """Weeks, submitted, approved, on time and missing plans, per rep (2 queries)."""
    first_submission = Subquery(
        PlanEvent.objects.filter(plan=OuterRef("pk"), kind=PlanEvent.Kind.SUBMITTED)
        .order_by("at")
        .values("at")[:1]
    )
    plans = WeeklyPlan.objects.filter(rep__in=rep_ids, week_start__in=month.weeks).annotate(
        first_submitted=Coalesce(first_submission, F("submitted_at"))
    )
    deadlines = {week: midnight(week + timedelta(days=1), company) for week in month.weeks}
    on_time = Q(pk__in=[])
    for week, deadline in deadlines.items():
        on_time |= Q(week_start=week, first_submitted__lt=deadline)
    counts = {
        row["rep"]: row
        for row in plans.order_by()
        .values("rep")
        .annotate(
            submitted=Count("pk", filter=Q(first_submitted__isnull=False)),
            approved=Count("pk", filter=Q(status=PlanStatus.APPROVED)),
            on_time=Count("pk", filter=on_time),
        )
    }
    weeks_of = {
        rep_id: {row["week_start"]: row for row in rows}
        for rep_id, rows in _by_rep(
            plans.order_by("rep", "week_start").values(
                "rep", "pk", "week_start", "status", "first_submitted"
            )
        ).items()
    }
    result = {}
    empty = {"pk": None, "status": None, "first_submitted": None}
    for rep_id in rep_ids:
        by_week = weeks_of.get(rep_id, {})
        weeks = []
        for week in month.weeks:
            row = by_week.get(week) or empty
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
        count = counts.get(rep_id, {"submitted": 0, "approved": 0, "on_time": 0})
        result[rep_id] = {
            "weeks": len(month.weeks),
            "submitted": count["submitted"],
            "approved": count["approved"],
            "on_time": count["on_time"],
            "missing": len(month.weeks) - count["submitted"],
            "rows": weeks,
        }
    return result


def metric_figures(rep_ids: list[int], month: Month) -> dict[int, list[dict]]:
    """Per rep, planned (summed over the month's plans) vs actual (logged in those weeks)
    per metric (2 queries)."""
    if not month.weeks:
        return {rep_id: [] for rep_id in rep_ids}
    fields = ("metric__key", "metric__name", "metric__unit", "metric__position")
    planned = _by_rep(
        PlanTarget.objects.filter(
            plan__rep__in=rep_ids,
            plan__week_start__in=month.weeks,
            plan__submitted_at__isnull=False,
        )
        .order_by()
        .values("plan__rep", *fields)
        .annotate(total=Sum("planned")),
        key="plan__rep",
    )
    actual = _by_rep(
        Activity.objects.filter(
            rep__in=rep_ids, day__range=(month.weeks[0], month.weeks[-1] + timedelta(days=6))
        )
        .order_by()
        .values("rep", *fields)
        .annotate(total=Sum("quantity"))
    )
    result = {}
    for rep_id in rep_ids:
        plan = {row["metric__key"]: row for row in planned.get(rep_id, [])}
        done = {row["metric__key"]: row for row in actual.get(rep_id, [])}
        rows = []
        for key in sorted(
            plan.keys() | done.keys(),
            key=lambda k: ((plan.get(k) or done[k])["metric__position"], k),
        ):
            meta = plan.get(key) or done[key]
            plan_total = plan[key]["total"] if key in plan else None
            total = done[key]["total"] if key in done else ZERO
            rows.append(
                {
                    "key": key,
                    "name": meta["metric__name"],
                    "unit": meta["metric__unit"],
                    "planned": _text(quantize(plan_total)),
                    "actual": _money(total),
                    "attainment": _text(percent_of(total, plan_total)),
                }
            )
        result[rep_id] = rows
    return result


def goal_figures(rep_ids: list[int], month: Month) -> dict[int, list[dict]]:
    """Each rep's own goals overlapping the month, month goals first, as of its last day."""
    goals = Goal.objects.filter(
        scope=GoalScope.REP, rep__in=rep_ids, start__lte=month.end, end__gte=month.start
    )
    progress = goal_progress(goals, as_of=month.end)
    # The month goal a summary shows is the one on a metric's whole total, if there is one.
    progress.sort(
        key=lambda p: (
            p.goal.period != GoalPeriod.MONTH,
            p.goal.is_limited,
            p.goal.start,
            p.goal.pk,
        )
    )
    result = {rep_id: [] for rep_id in rep_ids}
    for p in progress:
        goal = p.goal
        final = goal.end <= month.end
        # A goal over by the month's end is judged on its target, a longer one on its pace.
        measured = p.attainment if final else p.pace
        result[goal.rep_id].append(
            {
                "id": goal.pk,
                "metric": goal.metric.name,
                "label": goal.label,
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
    return result


def kpi_figures(rep_ids: list[int], month: Month) -> dict[int, list[dict]]:
    """The active KPIs for each rep over the month (reporting.kpis.selectors)."""
    kpis = list(Kpi.objects.active().select_related("metric", "denominator", "stage"))
    result = {rep_id: [] for rep_id in rep_ids}
    if not kpis or not rep_ids:
        return result
    values = evaluate_kpis(
        kpis,
        groups={rep_id: [rep_id] for rep_id in rep_ids},
        start=month.start,
        end=month.end,
        as_of=month.end,
    )
    for rep_id in rep_ids:
        for kpi in kpis:
            value = values.get((kpi.pk, rep_id))
            if value is None:
                continue
            result[rep_id].append(
                {
                    "id": kpi.pk,
                    "key": kpi.key,
                    "name": kpi.name,
                    "value": _text(quantize(value.value)),
                    "target": _text(quantize(value.target)),
                    "status": value.status,
                    "per": value.per,  # "per week, on average over 4.2 weeks" or ""
                    "per_period": value.per_period,  # "per week" or ""
                    "is_percent": kpi.is_percent,
                    "is_money": kpi.is_money,
                    "direction": kpi.direction,
                }
            )
    return result


def _open_at_month_end(month: Month) -> Q:
    """Deals that existed and were still open when the month ended."""
    return Q(created_at__lt=month.ends) & (
        Q(closed_on__isnull=True, stage__kind=StageKind.OPEN) | Q(closed_on__gt=month.end)
    )


def pipeline_figures(rep_ids: list[int], month: Month) -> dict[int, tuple[dict, list[dict]]]:
    """Per rep: new, advanced, won and lost deals of the month, and the largest wins
    (3 queries)."""
    deals = Deal.objects.filter(owner__in=rep_ids)
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
    created = Q(created_at__gte=month.begins, created_at__lt=month.ends)
    totals = {
        row["owner"]: row
        for row in deals.filter(created | in_month | Exists(forward))
        .order_by()
        .values("owner")
        .annotate(
            new=Count("pk", filter=created),
            new_value=Sum("amount", filter=created),
            advanced=Count("pk", filter=Exists(forward)),
            won=Count("pk", filter=won),
            won_value=Sum("amount", filter=won),
            lost=Count("pk", filter=lost),
            lost_value=Sum("amount", filter=lost),
        )
    }
    by_reason = _by_rep(
        deals.filter(lost)
        .order_by()
        .values("owner", "lost_reason__name")
        .annotate(count=Count("pk"), value=Sum("amount"))
        .order_by("owner", "-count", "-value", "lost_reason__name"),
        key="owner",
    )
    largest = _by_rep(
        _ranked(deals.filter(won), "owner", [F("amount").desc(), F("pk").asc()])
        .filter(rank__lte=WINS)
        .values("owner", "pk", "title", "amount", "customer__name"),
        key="owner",
    )
    nothing = {"new": 0, "advanced": 0, "won": 0, "lost": 0}
    result = {}
    for rep_id in rep_ids:
        total = totals.get(rep_id, nothing)
        figures = {
            **{k: total[k] for k in ("new", "advanced", "won", "lost")},
            **{k: _money(total.get(k)) for k in ("new_value", "won_value", "lost_value")},
            "lost_by_reason": [
                {
                    "reason": row["lost_reason__name"] or "No reason given",
                    "count": row["count"],
                    "value": _money(row["value"]),
                }
                for row in by_reason.get(rep_id, [])
            ],
        }
        wins = [
            {
                "id": row["pk"],
                "title": row["title"],
                "customer": row["customer__name"],
                "amount": _money(row["amount"]),
            }
            for row in largest.get(rep_id, [])
        ]
        result[rep_id] = (figures, wins)
    return result


def _listed(qs: QuerySet, owner: str, order: list, fields, build, rep_ids) -> dict[int, dict]:
    """{rep id: {count, items}}: the counts in one grouped query, each rep's first LISTED
    rows (in ``order``) in another."""
    counts = dict(qs.order_by().values_list(owner).annotate(n=Count("pk")))
    items = _by_rep(
        _ranked(qs, owner, order).filter(rank__lte=LISTED).values(owner, *fields), key=owner
    )
    return {
        rep_id: {
            "count": counts.get(rep_id, 0),
            "items": [build(row) for row in items.get(rep_id, [])],
        }
        for rep_id in rep_ids
    }


def missed_figures(rep_ids: list[int], month: Month, company: CompanySettings) -> dict[int, dict]:
    """Per rep: stalled deals, overdue next steps, overdue tasks and leads not worked
    (8 queries)."""
    open_deals = Deal.objects.filter(owner__in=rep_ids).filter(_open_at_month_end(month))
    last_change = Subquery(
        StageTransition.objects.filter(deal=OuterRef("pk"), at__lt=month.ends)
        .order_by()
        .values("deal")
        .annotate(last=Max("at"))
        .values("last")
    )
    stale_before = month.ends - timedelta(days=company.stale_deal_days)
    stalled = open_deals.annotate(last_change=Coalesce(last_change, F("created_at"))).filter(
        last_change__lt=stale_before
    )
    next_steps = open_deals.filter(next_step_date__range=(month.start, month.end))
    tasks = Task.objects.filter(
        assignee__in=rep_ids, due_at__gte=month.begins, due_at__lt=month.ends
    ).filter(Q(done_at__isnull=True) | Q(done_at__gt=F("due_at")))
    worked = (
        Q(activities__day__range=(month.start, month.end))
        | Q(deals__created_at__gte=month.begins, deals__created_at__lt=month.ends)
        | Q(deals__transitions__at__gte=month.begins, deals__transitions__at__lt=month.ends)
    )
    worked_ids = Customer.objects.filter(owner__in=rep_ids).filter(worked).values("pk")
    leads = Customer.objects.filter(
        owner__in=rep_ids, status=CustomerStatus.PROSPECT, created_at__lt=month.ends
    ).exclude(pk__in=worked_ids)
    ends = month.ends
    parts = {
        "stalled": _listed(
            stalled,
            "owner",
            [F("last_change").asc(), F("pk").asc()],
            ("pk", "title", "amount", "last_change"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "amount": _money(r["amount"]),
                "days": (ends - r["last_change"]).days,
            },
            rep_ids,
        ),
        "overdue_next_steps": _listed(
            next_steps,
            "owner",
            [F("next_step_date").asc(), F("pk").asc()],
            ("pk", "title", "next_step", "next_step_date"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "next_step": r["next_step"],
                "date": r["next_step_date"].isoformat(),
            },
            rep_ids,
        ),
        "overdue_tasks": _listed(
            tasks,
            "assignee",
            [F("due_at").asc(), F("pk").asc()],
            ("pk", "title", "due_at", "done_at"),
            lambda r: {
                "id": r["pk"],
                "title": r["title"],
                "due": timezone.localtime(r["due_at"], company.tzinfo).date().isoformat(),
                "done": r["done_at"] is not None,
            },
            rep_ids,
        ),
        "leads_not_worked": _listed(
            leads,
            "owner",
            [F("name").asc(), F("pk").asc()],
            ("pk", "name"),
            lambda r: {"id": r["pk"], "name": r["name"]},
            rep_ids,
        ),
    }
    return {rep_id: {name: part[rep_id] for name, part in parts.items()} for rep_id in rep_ids}


def task_figures(rep_ids: list[int], month: Month) -> dict[int, dict]:
    """Per rep, tasks due in the month: done on time, done late, still open (1 query)."""
    rows = {
        row["assignee"]: row
        for row in Task.objects.filter(
            assignee__in=rep_ids, due_at__gte=month.begins, due_at__lt=month.ends
        )
        .order_by()
        .values("assignee")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(done_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(done_at__gt=F("due_at"))),
            open=Count("pk", filter=Q(done_at__isnull=True)),
        )
    }
    result = {}
    for rep_id in rep_ids:
        row = rows.get(rep_id, {})
        counts = {k: row.get(k, 0) for k in ("due", "on_time", "late", "open")}
        counts["on_time_rate"] = _text(percent_of(counts["on_time"], counts["due"]))
        result[rep_id] = counts
    return result


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
            label = f"{g.get('label') or g['metric']} goal, {g['period_label']}"
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


# --- Stored figures in the reader's language ----------------------------------------------------
# The figures keep English labels (the API and old reviews read them); pages rebuild the
# words from the stored keys, names and dates, in the language active when they render.


def period_text(goal: dict) -> str:
    """A stored goal's period as the reader writes it ("March 2026", "Μάρτιος 2026")."""
    try:
        start, end = date.fromisoformat(goal["start"]), date.fromisoformat(goal["end"])
    except (KeyError, TypeError, ValueError):
        return goal.get("period_label", "")
    period = goal.get("period")
    if period == GoalPeriod.WEEK:
        return _("week of %(day)s") % {"day": formats.date_format(start, "DATE_MEDIUM")}
    if period == GoalPeriod.MONTH:
        return formats.date_format(start, "MONTH_YEAR")
    if period == GoalPeriod.QUARTER:
        return f"{formats.date_format(start, 'M')} – {formats.date_format(end, 'SHORT_MONTH_YEAR')}"
    return (
        f"{formats.date_format(start, 'SHORT_MONTH_YEAR')} – "
        f"{formats.date_format(end, 'SHORT_MONTH_YEAR')}"
    )


def goal_name(goal: dict) -> str:
    return translated_name(goal.get("label") or goal.get("metric") or "")


def gap_labels(figures: dict) -> dict[str, str]:
    """{miss key: its label in the reader's language}, for the gaps these figures name."""
    goals = {f"goal:{g['id']}": g for g in figures.get("goals", [])}
    metrics = {f"metric:{m['key']}": m for m in figures.get("metrics", [])}
    labels = {}
    for key, g in goals.items():
        words = {"goal": goal_name(g), "period": period_text(g)}
        labels[key] = (
            _("%(goal)s goal, %(period)s") % words
            if g.get("final", True)
            else _("%(goal)s goal, %(period)s (pace at month end)") % words
        )
    for key, m in metrics.items():
        labels[key] = _("%(metric)s: planned vs done") % {"metric": translated_name(m["name"])}
    return labels


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
            "label": f"{g.get('label') or g['metric']} goal, {g['period_label']}",
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


def _sales(credited: CreditedSales) -> dict:
    return {
        "count": str(credited.count),
        "value": _money(credited.value),
        "won_deals": str(credited.won_deals),
        "won_value": _money(credited.won_value),
        "walk_ins": str(credited.walk_ins),
        "walk_in_value": _money(credited.walk_in_value),
    }


def compute_figures_for(rep_ids, month_start: date) -> dict[int, dict]:
    """{rep id: everything the review shows about the rep's month, JSON-ready}, for any
    number of reps in a fixed number of grouped queries (about 20)."""
    rep_ids = list(rep_ids)
    company = CompanySettings.load()
    month = Month.of(month_start, company)
    goals = goal_figures(rep_ids, month)
    metrics = metric_figures(rep_ids, month)
    pipelines = pipeline_figures(rep_ids, month)
    sales = credited_sales_by_rep(rep_ids, start=month.start, end=month.end)
    plans = plan_figures(rep_ids, month, company)
    tasks = task_figures(rep_ids, month)
    kpis = kpi_figures(rep_ids, month)
    missed = missed_figures(rep_ids, month, company)
    alerts = month_alerts(rep_ids, month.start, month.end)
    result = {}
    for rep_id in rep_ids:
        pipeline, largest_won = pipelines[rep_id]
        gaps = gap_candidates(goals[rep_id], metrics[rep_id])
        month_goal = next((g for g in goals[rep_id] if g["period"] == GoalPeriod.MONTH), None)
        result[rep_id] = {
            "month": f"{month.start:%Y-%m}",
            "start": month.start.isoformat(),
            "end": month.end.isoformat(),
            "currency": company.currency,
            "plans": plans[rep_id],
            "metrics": metrics[rep_id],
            "goals": goals[rep_id],
            "kpis": kpis[rep_id],
            "pipeline": pipeline,
            "sales": _sales(sales.get(rep_id, NO_SALES)),
            "missed": missed[rep_id],
            "tasks": tasks[rep_id],
            "gaps": gaps,
            "wins": win_candidates(goals[rep_id], largest_won, metrics[rep_id]),
            "alerts": alerts[rep_id],
            # The few numbers lists and summaries show (and sum in SQL).
            "summary": {
                "goal_attainment": month_goal["attainment"] if month_goal else None,
                "goal_metric": month_goal["label"] if month_goal else None,
                "plans_submitted": plans[rep_id]["submitted"],
                "weeks": plans[rep_id]["weeks"],
                "won": pipeline["won"],
                "won_value": pipeline["won_value"],
                "task_on_time_rate": tasks[rep_id]["on_time_rate"],
                "gaps": len(gaps),
            },
        }
    return result


def compute_figures(rep: User, month_start: date) -> dict:
    """Everything the review shows about ``rep``'s month, JSON-ready."""
    return compute_figures_for([rep.pk], month_start)[rep.pk]


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


def api_reviews(user):
    """Monthly reviews ``user`` sees, read as the API reads them."""
    return (
        MonthlyReview.objects.visible_to(user)
        .select_related("rep")
        .prefetch_related("misses", "actions")
        .order_by("-month", "rep_id")
    )
