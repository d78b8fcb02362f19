"""Director and admin figures: a division's or the whole company's numbers over time.

Just over 500 lines: the dashboard, the monthly report and the report packs read one
scope object and one set of definitions, kept together below.

Every figure is one grouped query, whatever the number of teams, reps or months
of history; Python only regroups the few rows each query returns. Definitions:

- **Scope**: the company (admins), or one division (its director; admins may
  drill into any). People counted are sales reps (role rep), as in goal actuals;
  activities are read through ``Activity.objects.visible_to`` so the one scoping
  rule applies.
- **Totals**: per metric, the sum over [start, end], next to the *previous range*:
  as many days on the same weekdays, moved back by the fewest whole weeks that end
  it before ``start`` (``previous_range``), so working days compare with working days.
- **Breakdowns** (for one metric, default sales value): by division (company
  scope) or team (division scope), by product and by channel (rows without one
  show as "No product" / "No channel").
- **Series** for the chosen metric, anchored at ``end``: day by day (the 31 days
  up to ``end``), week over week (the 12 company weeks up to the one holding
  ``end``), month over month (the 12 months up to ``end``'s), year over year (each
  month of the fiscal year to ``end`` next to the same dates a year before). The
  last bucket stops at ``end``.
- **Team ranking**: per team, sales value over the range, reps (active, role
  rep), value per rep, and the mean attainment of the team's monthly goals for the
  month holding ``end`` (as of ``end`` or today, whichever is earlier).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy

from activities.models import SALES_VALUE, Activity, ActivityMonth, Deal, Metric
from plans.goals.selectors import attainments_by, goal_progress, mean_percent
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.calendar import Period, month_of, period_bounds, previous_month, whole_months
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings, Division, Role, Team, User
from salesmgmt.money import MONEY, percent_of, quantize

ZERO = Decimal("0")
NONE_LOGGED = Decimal("0.00")
DAYS_BACK = 31
WEEKS_BACK = 12
MONTHS_BACK = 12
RANK_SIZE = 3


# --- Scope --------------------------------------------------------------------------------------


@dataclass
class CompanyScope:
    """The company or one division, as seen by ``user`` (None: the system, for jobs)."""

    key: str
    label: str
    division: Division | None = None
    user: User | None = field(default=None, repr=False)

    @property
    def is_company(self) -> bool:
        return self.division is None

    def activities(self) -> QuerySet:
        return self._reps_rows(Activity)

    def activity_months(self) -> QuerySet:
        """The activity month rollup of the same people as ``activities``."""
        return self._reps_rows(ActivityMonth)

    def _reps_rows(self, model) -> QuerySet:
        qs = model.objects.visible_to(self.user) if self.user else model.objects.all()
        qs = qs.filter(rep__role=Role.REP)
        if self.division is not None:
            qs = qs.filter(rep__team__division=self.division)
        return qs.order_by()

    def reps(self) -> QuerySet:
        """Sales reps in scope, including those who left (their history counts)."""
        qs = User.objects.visible_to(self.user) if self.user else User.objects.all()
        qs = qs.sales_reps()
        if self.division is not None:
            qs = qs.filter(team__division=self.division)
        return qs

    def deals(self) -> QuerySet:
        qs = Deal.objects.visible_to(self.user) if self.user else Deal.objects.all()
        qs = qs.filter(owner__role=Role.REP)
        if self.division is not None:
            qs = qs.filter(owner__team__division=self.division)
        return qs.order_by()

    def teams(self) -> QuerySet:
        qs = Team.objects.visible_to(self.user) if self.user else Team.objects.all()
        if self.division is not None:
            qs = qs.filter(division=self.division)
        return qs

    def goals(self) -> QuerySet:
        """The company's goals and those of the divisions in scope."""
        qs = Goal.objects.visible_to(self.user) if self.user else Goal.objects.all()
        divisions = Q(scope=GoalScope.DIVISION)
        if self.division is not None:
            divisions &= Q(division=self.division)
        return qs.filter(Q(scope=GoalScope.COMPANY) | divisions)


def company_scope() -> CompanyScope:
    """The whole company, for jobs (report packs): what an admin sees."""
    return CompanyScope("company", CompanySettings.load().name)


def resolve_company_scope(user: User, division_id: int | None = None) -> CompanyScope | None:
    """The scope ``user`` asks for, or None when they may not look at it (-> 404).

    Admins: the company, or any division. Directors: their division only.
    Managers and reps: nothing (their dashboards are elsewhere).
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_admin:
        if division_id is None:
            return CompanyScope("company", CompanySettings.load().name, user=user)
        division = Division.objects.filter(pk=division_id).first()
    elif user.is_director and user.division_id:
        if division_id not in (None, user.division_id):
            return None
        division = Division.objects.filter(pk=user.division_id).first()
    else:
        return None
    if division is None:
        return None
    return CompanyScope(
        f"division:{division.pk}", gettext("Division %(name)s") % {"name": division}, division, user
    )


# --- Ranges -------------------------------------------------------------------------------------


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The range compared with [start, end]: as long, on the same weekdays, and over
    before it begins, i.e. moved back by the fewest whole weeks (Tuesday to Thursday
    compares with the Tuesday to Thursday before, not with Saturday to Monday)."""
    days = (end - start).days + 1
    back = timedelta(days=-(-days // 7) * 7)
    return start - back, end - back


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def change_percent(current, previous) -> Decimal | None:
    """(current - previous) / previous in percent, 1 decimal; None without a base."""
    if not previous:
        return None
    return quantize(
        (Decimal(current or 0) - Decimal(previous)) * 100 / Decimal(previous), Decimal("0.1")
    )


# --- Totals ---------------------------------------------------------------------------------------


@dataclass
class MetricTotal:
    metric: Metric
    current: Decimal
    previous: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.previous

    @property
    def change(self) -> Decimal | None:
        return change_percent(self.current, self.previous)


def metric_totals(
    scope: CompanyScope, metrics: list[Metric], start: date, end: date
) -> list[MetricTotal]:
    """Each metric's total over [start, end] and over the previous range (as many days on
    the same weekdays, ``previous_range``): one query."""
    prev_start, prev_end = previous_range(start, end)
    rows = (
        scope.activities()
        .filter(day__range=(prev_start, end))
        .values("metric")
        .annotate(
            current=Sum("quantity", filter=Q(day__gte=start)),
            previous=Sum("quantity", filter=Q(day__lte=prev_end)),
        )
    )
    by_metric = {r["metric"]: r for r in rows}
    return [
        MetricTotal(
            m,
            quantize(by_metric.get(m.pk, {}).get("current") or ZERO),
            quantize(by_metric.get(m.pk, {}).get("previous") or ZERO),
        )
        for m in metrics
    ]


# --- Breakdowns -----------------------------------------------------------------------------------


@dataclass
class Share:
    key: str
    label: str
    total: Decimal
    share: Decimal | None = None


def _with_shares(rows: list[Share]) -> list[Share]:
    whole = sum((r.total for r in rows), ZERO)
    for r in rows:
        r.share = percent_of(r.total, whole)
    return sorted(rows, key=lambda r: (-r.total, r.label))


def _logged_by(group: str, metric: Metric, start: date, end: date) -> Subquery:
    """What the reps of the outer row's team or division (``group``: "rep__team" or
    "rep__team__division") logged of ``metric`` in [start, end], those who left included.

    A correlated sum per row: it reads only that group's reps' rows for the range, by the
    (rep, day) index. Summing over a join of teams, members and all their activity with
    the range in a FILTER aggregated every row in the table (4.4 s at 2,000 reps). A range
    of whole months is read from the activity month rollup."""
    if whole_months(start, end):
        rows = ActivityMonth.objects.filter(month__range=(start, end))
    else:
        rows = Activity.objects.filter(day__range=(start, end))
    return Subquery(
        rows.filter(**{group: OuterRef("pk")}, rep__role=Role.REP, metric=metric)
        .order_by()
        .values(group)
        .annotate(total=Sum("quantity"))
        .values("total"),
        output_field=MONEY,
    )


def by_division(scope: CompanyScope, metric: Metric, start: date, end: date) -> list[Share]:
    """Every division (company scope), with zeros: one query."""
    divisions = Division.objects.all()
    if scope.division is not None:
        divisions = divisions.filter(pk=scope.division.pk)
    rows = divisions.annotate(total=_logged_by("rep__team__division", metric, start, end))
    return _with_shares(
        [Share(f"division:{d.pk}", d.name, quantize(d.total or ZERO)) for d in rows]
    )


def by_group(
    scope: CompanyScope, metric: Metric, start: date, end: date, field_name: str
) -> list[Share]:
    """By product or channel (``field_name``): one query."""
    rows = (
        scope.activities()
        .filter(metric=metric, day__range=(start, end))
        .values(field_name, f"{field_name}__name")
        .annotate(total=Sum("quantity"))
    )
    return _with_shares(
        [
            Share(
                f"{field_name}:{r[field_name] or 'none'}",
                translated_name(r[f"{field_name}__name"]) or NOT_GIVEN[field_name](),
                quantize(r["total"] or ZERO),
            )
            for r in rows
        ]
    )


@dataclass
class TeamFigures:
    team: Team
    total: Decimal
    reps: int
    share: Decimal | None = None
    goals: int = 0
    mean_attainment: Decimal | None = None

    @property
    def per_rep(self) -> Decimal | None:
        return quantize(self.total / self.reps) if self.reps else None


def team_figures(scope: CompanyScope, metric: Metric, start: date, end: date) -> list[TeamFigures]:
    """Every team in scope with its metric total and active reps: one query."""
    rows = (
        scope.teams()
        .select_related("division")
        .annotate(
            total=_logged_by("rep__team", metric, start, end),
            rep_count=Count(
                "members",
                filter=Q(members__role=Role.REP, members__is_active=True),
                distinct=True,
            ),
        )
    )
    teams = [TeamFigures(t, quantize(t.total or ZERO), t.rep_count) for t in rows]
    whole = sum((t.total for t in teams), ZERO)
    for t in teams:
        t.share = percent_of(t.total, whole)
    return sorted(teams, key=lambda t: (-t.total, t.team.name))


# --- Series ---------------------------------------------------------------------------------------


@dataclass
class Bucket:
    label: str
    start: date
    end: date
    total: Decimal = NONE_LOGGED
    previous: Decimal | None = None  # the bucket compared with (previous, or a year before)
    note: str = ""  # why there is nothing to compare with, when there is not

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else change_percent(self.total, self.previous)


def _fill(scope: CompanyScope, metric: Metric, buckets: list[Bucket]) -> list[Bucket]:
    """Sum the metric into each (disjoint) bucket: whole calendar months from the activity
    month rollup (one grouped query), the other buckets from the rows (one query with a
    CASE per bucket). A year of months at 2,000 reps: 250 -> 15 ms."""
    if not buckets:
        return buckets
    whole = {
        b.start: i
        for i, b in enumerate(buckets)
        if b.start.day == 1 and b.end == month_of(b.start).end
    }
    if whole:
        rows = (
            scope.activity_months()
            .filter(metric=metric, month__in=list(whole))
            .values("month")
            .annotate(total=Sum("quantity"))
        )
        for r in rows:
            buckets[whole[r["month"]]].total = quantize(r["total"] or ZERO)
    parts = [(i, b) for i, b in enumerate(buckets) if i not in whole.values()]
    if not parts:
        return buckets
    which = Case(
        *(When(day__range=(b.start, b.end), then=Value(i)) for i, b in parts),
        default=Value(-1),
        output_field=IntegerField(),
    )
    # Only the buckets' days (not a year of rows between two of them), and the range
    # around them, which the day index can serve (12 weeks of one metric: 200 -> 90 ms).
    spans = Q(day__range=(min(b.start for _, b in parts), max(b.end for _, b in parts)))
    within = Q()
    for _, b in parts:
        within |= Q(day__range=(b.start, b.end))
    spans &= within
    rows = (
        scope.activities()
        .filter(spans, metric=metric)
        .annotate(bucket=which)
        .values("bucket")
        .annotate(total=Sum("quantity"))
    )
    for r in rows:
        if r["bucket"] >= 0:
            buckets[r["bucket"]].total = quantize(r["total"] or ZERO)
    return buckets


def _chain(buckets: list[Bucket]) -> list[Bucket]:
    for before, after in zip(buckets, buckets[1:], strict=False):
        after.previous = before.total
    return buckets


# What a share logged without a product or channel is called.
NOT_GIVEN = {
    "product": lambda: gettext("No product"),
    "channel": lambda: gettext("No channel"),
}


def day_by_day(scope: CompanyScope, metric: Metric, end: date) -> list[Bucket]:
    """The 31 days up to ``end``: one grouped query."""
    first = end - timedelta(days=DAYS_BACK - 1)
    days = [first + timedelta(days=n) for n in range(DAYS_BACK)]
    rows = (
        scope.activities()
        .filter(metric=metric, day__range=(first, end))
        .values("day")
        .annotate(total=Sum("quantity"))
    )
    totals = {r["day"]: quantize(r["total"] or ZERO) for r in rows}
    return _chain(
        [
            Bucket(formats.date_format(d, "WEEKDAY_DAY_MONTH"), d, d, totals.get(d, NONE_LOGGED))
            for d in days
        ]
    )


def week_label(week: date) -> str:
    return gettext("Wk %(day)s") % {"day": formats.date_format(week, "DAY_MONTH")}


def week_over_week(
    scope: CompanyScope, metric: Metric, end: date, company: CompanySettings
) -> list[Bucket]:
    last = company.week_of(end)
    buckets = []
    for n in range(WEEKS_BACK - 1, -1, -1):
        week = last - timedelta(weeks=n)
        buckets.append(Bucket(week_label(week), week, min(week + timedelta(days=6), end)))
    return _chain(_fill(scope, metric, buckets))


def _months_back(end: date, n: int) -> list[Period]:
    months, cursor = [], end.replace(day=1)
    for _ in range(n):
        months.append(month_of(cursor))
        cursor = previous_month(cursor)
    return months[::-1]


def month_over_month(scope: CompanyScope, metric: Metric, end: date) -> list[Bucket]:
    buckets = [
        Bucket(formats.date_format(m.start, "SHORT_MONTH_YEAR"), m.start, min(m.end, end))
        for m in _months_back(end, MONTHS_BACK)
    ]
    return _chain(_fill(scope, metric, buckets))


NO_DATA = gettext_lazy("nothing was logged a year before")
MONTHLY_TOTAL = gettext_lazy("a year before holds one total for the whole month")


def year_over_year(
    scope: CompanyScope, metric: Metric, end: date, company: CompanySettings
) -> list[Bucket]:
    """Each month of the fiscal year to ``end`` next to the same dates a year before, where
    the data a year before covers them.

    A month a year before in which nobody logged anything (of any metric) has no data to
    compare with, not a zero. And a month under way (1-3 December) compares with the same
    days a year before only when those were logged day by day: history imported as one
    total per month (before ``CompanySettings.daily_figures_from``) covers the whole month
    and would set three days against thirty. Either way ``previous`` stays None and
    ``note`` says why. One more query: the months a year before that hold rows (from the
    month rollup).
    """
    year_start, _ = period_bounds("year", end, company)
    this_year, cursor = [], year_start
    while cursor <= end:
        m = month_of(cursor)
        this_year.append(Bucket(formats.date_format(m.start, "M"), m.start, min(m.end, end)))
        cursor = m.end + timedelta(days=1)
    last_year = [Bucket(b.label, year_before(b.start), year_before(b.end)) for b in this_year]
    _fill(scope, metric, this_year + last_year)
    months_before = [month_of(b.start).start for b in last_year]
    held = set(
        scope.activity_months()
        .filter(month__in=months_before)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    daily_from = company.daily_figures_from
    for now, then, month in zip(this_year, last_year, months_before, strict=True):
        if month not in held:
            now.note = NO_DATA
        elif daily_from and then.start < daily_from and now.end < month_of(now.start).end:
            now.note = MONTHLY_TOTAL  # part of a month that holds one total
        else:
            now.previous = then.total
    return this_year


# --- Goals and ranking ----------------------------------------------------------------------------


def _as_of(end: date, company: CompanySettings) -> date:
    return min(end, company.today())


def rank_teams(
    scope: CompanyScope, sales_value: Metric, start: date, end: date, company: CompanySettings
) -> list[TeamFigures]:
    """Teams with sales value over the range and the mean attainment of their monthly
    goals for the month holding ``end``: three queries."""
    teams = team_figures(scope, sales_value, start, end)
    month = month_of(end)
    goals = Goal.objects.filter(
        scope=GoalScope.TEAM,
        period=GoalPeriod.MONTH,
        team__in=[t.team.pk for t in teams],
        start__lte=month.end,
        end__gte=month.start,
    )
    attainments = attainments_by(
        goal_progress(goals, as_of=_as_of(end, company)), lambda goal: goal.team_id
    )
    for t in teams:
        values = attainments.get(t.team.pk, [])
        t.goals = len(values)
        t.mean_attainment = mean_percent(values)
    return teams


def top_and_bottom(rows: list, key) -> tuple[list, list]:
    """The best and the worst few by ``key`` (rows where it is None are left out);
    with few rows the two halves never overlap."""
    ranked = sorted((r for r in rows if key(r) is not None), key=key, reverse=True)
    size = min(RANK_SIZE, len(ranked) // 2) if len(ranked) > 1 else len(ranked)
    return ranked[:size], ranked[::-1][:size] if len(ranked) > 1 else []


def scope_goal_pace(scope: CompanyScope, as_of: date):
    """Company and division goals running on ``as_of``: two queries."""
    return goal_progress(
        scope.goals()
        .current(as_of)
        .order_by("scope", "division__name", "metric__position", "start"),
        as_of=as_of,
    )


# --- The dashboard --------------------------------------------------------------------------------


@dataclass
class CompanyDashboard:
    scope: CompanyScope
    start: date
    end: date
    previous: tuple[date, date]
    metric: Metric
    metrics: list[Metric]
    totals: list[MetricTotal]
    breakdown_label: str
    breakdown: list  # Share (divisions) or TeamFigures (teams)
    products: list[Share]
    channels: list[Share]
    days: list[Bucket]
    weeks: list[Bucket]
    months: list[Bucket]
    years: list[Bucket]
    teams: list[TeamFigures]
    top_by_attainment: list[TeamFigures]
    bottom_by_attainment: list[TeamFigures]
    top_by_value: list[TeamFigures]
    bottom_by_value: list[TeamFigures]
    goals: list
    as_of: date


def pick_metric(metrics: list[Metric], key: str | None) -> Metric | None:
    chosen = next((m for m in metrics if m.key == key), None) if key else None
    return (
        chosen
        or next((m for m in metrics if m.key == SALES_VALUE), None)
        or (metrics[0] if metrics else None)
    )


def company_dashboard(
    scope: CompanyScope, *, start: date, end: date, metric_key: str | None = None
) -> CompanyDashboard | None:
    """Everything on the director/admin dashboard; a fixed number of queries."""
    company = CompanySettings.load()
    metrics = list(Metric.objects.active())
    metric = pick_metric(metrics, metric_key)
    if metric is None:
        return None
    sales_value = next((m for m in metrics if m.key == SALES_VALUE), metric)
    teams = rank_teams(scope, sales_value, start, end, company)
    if scope.is_company:
        label, breakdown = "Division", by_division(scope, metric, start, end)
    else:
        label, breakdown = "Team", team_figures(scope, metric, start, end)
    top_att, bottom_att = top_and_bottom(teams, lambda t: t.mean_attainment)
    top_val, bottom_val = top_and_bottom(teams, lambda t: t.per_rep)
    as_of = _as_of(end, company)
    return CompanyDashboard(
        scope=scope,
        start=start,
        end=end,
        previous=previous_range(start, end),
        metric=metric,
        metrics=metrics,
        totals=metric_totals(scope, metrics, start, end),
        breakdown_label=label,
        breakdown=breakdown,
        products=by_group(scope, metric, start, end, "product"),
        channels=by_group(scope, metric, start, end, "channel"),
        days=day_by_day(scope, metric, end),
        weeks=week_over_week(scope, metric, end, company),
        months=month_over_month(scope, metric, end),
        years=year_over_year(scope, metric, end, company),
        teams=teams,
        top_by_attainment=top_att,
        bottom_by_attainment=bottom_att,
        top_by_value=top_val,
        bottom_by_value=bottom_val,
        goals=scope_goal_pace(scope, as_of),
        as_of=as_of,
    )
