"""Reads of coaching sessions: the coaching overview (who needs coaching most), the
upcoming sessions and open action items people see on their home pages, and a
session's effect (the rep's figures in the four weeks before and after it).

Every read starts from ``visible_to``; each function runs a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Activity, Metric
from activities.tasks.selectors import midnight
from coaching.models import CoachingSession, CoachingSettings, SessionActionItem, SessionStatus
from reporting.kpis.selectors import evaluate_current, evaluate_kpis, format_figure, format_kpi
from reporting.models import DeviationEpisode, Kpi, KpiDirection, KpiKind, Status
from salesmgmt.calendar import month_of
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import CENT, quantize

EFFECT_DAYS = 28  # four weeks before, four weeks after


def sessions_for(user):
    """The sessions ``user`` sees, with what their list and pages show."""
    return (
        CoachingSession.objects.visible_to(user)
        .select_related("rep__team", "coach")
        .prefetch_related("focus_areas")
    )


def open_items(user):
    """Open action items (task not done) of sessions ``user`` sees, not of cancelled ones."""
    return (
        SessionActionItem.objects.visible_to(user)
        .filter(task__done_at__isnull=True)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("owner", "task", "session__rep")
    )


def is_overdue(item: SessionActionItem, now: datetime) -> bool:
    return item.task is not None and item.task.is_overdue(now)


def gap_start(now: datetime | None = None) -> datetime:
    """A rep whose last held session is before this moment is 'not coached'."""
    return (now or timezone.now()) - timedelta(days=CoachingSettings.load().coaching_gap_days)


# --- Who needs coaching -------------------------------------------------------------------------


def _month_window(today: date, company: CompanySettings) -> tuple[datetime, datetime]:
    month = month_of(today)
    return midnight(month.start, company), midnight(month.end + timedelta(days=1), company)


def coaching_rows(reps, *, today: date | None = None):
    """The reps, each annotated with ``last_session`` (the last held), ``month_sessions``
    (held or planned this month) and ``open_items`` (open action items): one query."""
    company = CompanySettings.load()
    today = today or company.today()
    start, end = _month_window(today, company)
    sessions = CoachingSession.objects.filter(rep=OuterRef("pk")).order_by()
    items = SessionActionItem.objects.filter(
        session__rep=OuterRef("pk"), task__done_at__isnull=True
    ).exclude(session__status=SessionStatus.CANCELLED)

    def counted(qs):
        return Coalesce(
            Subquery(
                qs.values("session__rep" if qs.model is SessionActionItem else "rep")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    return reps.annotate(
        last_session=Subquery(
            sessions.filter(status=SessionStatus.HELD)
            .values("rep")
            .annotate(last=Max("starts_at"))
            .values("last")[:1]
        ),
        month_sessions=counted(
            sessions.exclude(status=SessionStatus.CANCELLED).filter(
                starts_at__gte=start, starts_at__lt=end
            )
        ),
        open_items=counted(items),
        red_alerts=Exists(
            DeviationEpisode.objects.awake(today).filter(rep=OuterRef("pk"), severity=Status.RED)
        ),
        amber_alerts=Exists(
            DeviationEpisode.objects.awake(today).filter(rep=OuterRef("pk"), severity=Status.AMBER)
        ),
    )


@dataclass
class NeedRow:
    rep: User
    last_session: datetime | None
    days_since: int | None
    month_sessions: int
    open_items: int
    need: str  # Status.RED / AMBER / "" (lagging KPIs or open alerts first)
    not_coached: bool
    red_kpis: list[str]


def overview(user, *, now: datetime | None = None) -> list[NeedRow]:
    """The reps ``user`` manages, most in need of coaching first: red (a red open alert
    or a red KPI) before amber, then the longest since their last session."""
    company = CompanySettings.load()
    now = now or timezone.now()
    today = timezone.localdate(now, company.tzinfo)
    reps = list(
        coaching_rows(User.objects.visible_to(user).reps().select_related("team"), today=today)
    )
    kpis = list(Kpi.objects.active())
    values = (
        evaluate_current(kpis, groups={r.pk: [r.pk] for r in reps}, as_of=today)
        if reps and kpis
        else {}
    )
    red_kpis: dict[int, list[str]] = {}
    for (_kpi_pk, rep_pk), value in values.items():
        if value.status == Status.RED:
            red_kpis.setdefault(rep_pk, []).append(translated_name(value.kpi.name))
    since = gap_start(now)
    rows = []
    for rep in reps:
        red = rep.red_alerts or rep.pk in red_kpis
        rows.append(
            NeedRow(
                rep=rep,
                last_session=rep.last_session,
                days_since=(now - rep.last_session).days if rep.last_session else None,
                month_sessions=rep.month_sessions,
                open_items=rep.open_items,
                need=Status.RED if red else (Status.AMBER if rep.amber_alerts else ""),
                not_coached=rep.last_session is None or rep.last_session < since,
                red_kpis=sorted(red_kpis.get(rep.pk, [])),
            )
        )
    rank = {Status.RED: 0, Status.AMBER: 1, "": 2}
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (rank[r.need], r.last_session or epoch, str(r.rep)))
    return rows


def not_coached(reps, *, now: datetime | None = None):
    """Those of ``reps`` (a queryset) with no held session in the last N days."""
    since = gap_start(now)
    recent = CoachingSession.objects.filter(
        rep=OuterRef("pk"), status=SessionStatus.HELD, starts_at__gte=since
    )
    return reps.exclude(Exists(recent))


def team_coverage(user, team, *, today: date, now: datetime | None = None) -> dict:
    """The team dashboard's coaching coverage: who was not coached in N days, sessions
    this month and open action items (three queries)."""
    company = CompanySettings.load()
    reps = User.objects.visible_to(user).reps().filter(team=team)
    start, end = _month_window(today, company)
    sessions = CoachingSession.objects.visible_to(user).filter(rep__team=team)
    counts = sessions.aggregate(
        held=Count(
            "pk", filter=Q(status=SessionStatus.HELD, starts_at__gte=start, starts_at__lt=end)
        ),
        planned=Count(
            "pk", filter=Q(status=SessionStatus.PLANNED, starts_at__gte=start, starts_at__lt=end)
        ),
    )
    now = now or timezone.now()
    items = (
        open_items(user)
        .filter(session__rep__team=team)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(task__due_at__lt=now)))
    )
    return {
        "not_coached": list(not_coached(reps, now=now).order_by("first_name", "last_name")),
        "gap_days": CoachingSettings.load().coaching_gap_days,
        "held": counts["held"],
        "planned": counts["planned"],
        "open_items": items["open"],
        "overdue_items": items["overdue"],
    }


# --- A session's effect -------------------------------------------------------------------------


@dataclass
class EffectRow:
    name: str
    before: str
    after: str
    change: str
    improved: bool | None  # None: no change, or nothing to compare
    before_total: str = ""  # metrics: the span's total beside the weekly average
    after_total: str = ""


@dataclass
class Effect:
    before: tuple[date, date]
    after: tuple[date, date]
    after_days: int  # the after span may still be running
    metrics: list[EffectRow]
    kpis: list[EffectRow]


def _change(before: Decimal | None, after: Decimal | None, *, higher: bool, text) -> tuple:
    if before is None or after is None:
        return "—", None
    delta = after - before
    if not delta:
        return "±0", None
    sign = "+" if delta > 0 else "−"
    return f"{sign}{text(abs(delta))}", (delta > 0) == higher


def effect_spans(session: CoachingSession, today: date) -> tuple[tuple, tuple] | None:
    """(before, after) day spans of a held session, or None (not held, or not begun)."""
    if session.status != SessionStatus.HELD:
        return None
    company = CompanySettings.load()
    start = timezone.localtime(session.starts_at, company.tzinfo).date()
    if start > today:
        return None
    before = (start - timedelta(days=EFFECT_DAYS), start - timedelta(days=1))
    after = (start, min(start + timedelta(days=EFFECT_DAYS - 1), today))
    return before, after


def session_effect(session: CoachingSession, *, today: date | None = None) -> Effect | None:
    """The rep's figures in the 28 days before the session and the 28 days from it (up to
    today): their team's focus metrics (one grouped query) and the KPIs the session is
    linked to (its prompt KPI, and every active ratio KPI such as the hit rate), each
    span evaluated by the KPI layer (a fixed number of queries)."""
    today = today or CompanySettings.load().today()
    spans = effect_spans(session, today)
    if spans is None:
        return None
    (b0, b1), (a0, a1) = spans
    rep = session.rep
    metrics = Metric.objects.focus_of(rep.team)
    totals = {
        row["metric_id"]: row
        for row in Activity.objects.filter(
            rep=rep.pk, metric__in=[m.pk for m in metrics], day__range=(b0, a1)
        )
        .order_by()
        .values("metric_id")
        .annotate(
            before=Sum("quantity", filter=Q(day__lte=b1)),
            after=Sum("quantity", filter=Q(day__gte=a0)),
        )
    }
    # The after span may still run: metrics read per week on average over each span, so
    # four weeks before compare with however many days after there are so far.
    days_after = (a1 - a0).days + 1
    metric_rows = []
    for metric in metrics:
        row = totals.get(metric.pk, {})
        before, after = row.get("before") or Decimal(0), row.get("after") or Decimal(0)

        def text(value, money=metric.is_money):
            return format_figure(value, money=money)

        weekly_before = quantize(before * 7 / EFFECT_DAYS, CENT)
        weekly_after = quantize(after * 7 / days_after, CENT)
        change, improved = _change(weekly_before, weekly_after, higher=True, text=text)
        metric_rows.append(
            EffectRow(
                metric.label,
                text(weekly_before),
                text(weekly_after),
                change,
                improved,
                before_total=text(before),
                after_total=text(after),
            )
        )

    kpis = list(
        Kpi.objects.active()
        .filter(Q(kind=KpiKind.RATIO) | Q(pk=session.prompt_kpi_id or 0))
        .order_by("name")
    )
    kpi_rows = []
    if kpis:
        group = {"rep": [rep.pk]}
        was = evaluate_kpis(kpis, groups=group, start=b0, end=b1, as_of=b1, today=today)
        now = evaluate_kpis(kpis, groups=group, start=a0, end=a1, as_of=a1, today=today)
        for kpi in kpis:
            before, after = was[(kpi.pk, "rep")].value, now[(kpi.pk, "rep")].value
            change, improved = _change(
                before,
                after,
                higher=kpi.direction != KpiDirection.LOWER,
                text=lambda d, kpi=kpi: format_kpi(kpi, d),
            )
            kpi_rows.append(
                EffectRow(
                    (
                        gettext("%(kpi)s (prompted the session)")
                        % {"kpi": translated_name(kpi.name)}
                        if kpi.pk == session.prompt_kpi_id
                        else translated_name(kpi.name)
                    ),
                    format_kpi(kpi, before),
                    format_kpi(kpi, after),
                    change,
                    improved,
                )
            )
    return Effect((b0, b1), (a0, a1), days_after, metric_rows, kpi_rows)


# --- Home pages ---------------------------------------------------------------------------------


def upcoming_for(user, *, now: datetime, until: datetime | None = None, limit: int = 5):
    """Planned sessions from ``now`` (to ``until``) that ``user`` sees, soonest first."""
    qs = sessions_for(user).upcoming(now).order_by("starts_at", "pk")
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return list(qs[:limit])


def api_sessions(user):
    """Coaching sessions ``user`` sees, read as the API reads them."""
    return (
        CoachingSession.objects.visible_to(user)
        .select_related("rep", "coach")
        .prefetch_related("focus_areas", "action_items__task")
        .order_by("-starts_at", "-pk")
    )
