"""Reverse funnel: from what is left of a rep's outcome goal back to the activity needed.

The chain is calls -> contacts -> appointments set -> appointments held -> sales
closed (a metric missing from the catalogue is skipped). For the rep's current
goal on sales closed (or on sales value, turned into sales by the rep's average
won deal over the same 90 days):

- **Remaining**: target - actual to date, in sales, rounded up (never below 0).
- **Rate of a step**: total of the next step / total of the step, over the rep's
  last 90 days (as_of and the 89 days before). A step the rep has no history for
  (nothing logged on the step or on the next) borrows the team's 90-day rate, and
  says so; with no team history either it is "not enough history", and so is every
  step above it.
- **Needed**: needed(next) / rate, rounded UP to whole units; **per week**: needed /
  the company weeks left in the goal's period (``periods.remaining_weeks``), rounded up.
- **Did per week**: the rep's 90-day total / (90 / 7), to compare with.

All the 90-day totals (own and team, every metric of the chain and sales value)
come from ONE grouped query.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Case, Q, Sum, When

from activities.models import Activity, Metric
from plans.goals.selectors import GoalProgress, goal_progress
from plans.models import Goal, GoalScope
from salesmgmt.calendar import holidays_between, remaining_weeks
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import MONEY, ZERO, quantize

CHAIN = ("calls", "contacts", "appointments-set", "appointments-held", "sales-closed")
SALES, SALES_VALUE = "sales-closed", "sales-value"
HISTORY_DAYS = 90


def ceil(value: Decimal) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_CEILING))


@dataclass
class FunnelStep:
    metric: Metric
    rate: Decimal | None  # this step -> the next one; None on the last step or without history
    rate_source: str  # "own", "team", "none" ("" on the last step)
    needed: int | None  # None: not enough history to say
    per_week: int | None
    did_total: Decimal  # the rep's own 90-day total
    did_per_week: Decimal

    @property
    def rate_percent(self) -> Decimal | None:
        return None if self.rate is None else quantize(self.rate * 100, Decimal("0.1"))

    @property
    def enough_history(self) -> bool:
        return self.needed is not None

    @property
    def is_last(self) -> bool:
        return self.rate_source == ""


@dataclass
class ReverseFunnel:
    rep: User
    progress: GoalProgress
    as_of: date
    weeks_left: int
    sales_needed: int | None
    from_value: bool  # the goal is on sales value, converted with the average deal
    average_deal: Decimal | None
    average_deal_source: str  # "own", "team", "none" ("" when not from value)
    steps: list[FunnelStep]

    @property
    def goal(self) -> Goal:
        return self.progress.goal

    @property
    def per_week(self) -> dict[str, int]:
        """{metric key: needed per week} for the steps that have a figure."""
        return {s.metric.key: s.per_week for s in self.steps if s.per_week is not None}


def current_outcome_goal(rep: User, as_of: date) -> Goal | None:
    """The rep's current goal on sales closed (else sales value); the soonest to end."""
    goals = (
        Goal.objects.filter(scope=GoalScope.REP, rep=rep, metric__key__in=(SALES, SALES_VALUE))
        .unlimited()  # a product's or a channel's goal is not what the whole funnel feeds
        .current(as_of)
        .select_related("metric")
    )
    ranked = sorted(goals, key=lambda g: (g.metric.key != SALES, g.end, g.pk))
    return ranked[0] if ranked else None


def history(rep: User, as_of: date, keys) -> dict[str, tuple[Decimal, Decimal]]:
    """{metric key: (rep's total, team's total)} over the 90 days up to as_of: one query."""
    people = Q(pk=rep.pk)
    if rep.team_id:
        people |= Q(team=rep.team_id, role="rep")
    rows = (
        Activity.objects.filter(
            # rep IN (the people), not an OR across the join: keeps the (rep, day) index.
            rep__in=User.objects.filter(people).values("pk"),
            metric__key__in=keys,
            day__range=(as_of - timedelta(days=HISTORY_DAYS - 1), as_of),
        )
        .order_by()
        .values("metric__key")
        .annotate(
            own=Sum(Case(When(rep=rep, then="quantity"), default=ZERO, output_field=MONEY)),
            team=Sum("quantity"),
        )
    )
    return {r["metric__key"]: (r["own"] or ZERO, r["team"] or ZERO) for r in rows}


def _ratio(totals, numerator: str, denominator: str) -> tuple[Decimal, Decimal, str]:
    """(numerator total, denominator total, whose): the rep's own when they have history
    on both, else the team's, else (0, 0, "none"). Kept as a fraction so that working
    back divides exactly (9 sales at 9/30 is 30 held, not 30.000...1)."""
    own_num, team_num = totals.get(numerator, (ZERO, ZERO))
    own_den, team_den = totals.get(denominator, (ZERO, ZERO))
    if own_num > 0 and own_den > 0:
        return own_num, own_den, "own"
    if team_num > 0 and team_den > 0:
        return team_num, team_den, "team"
    return ZERO, ZERO, "none"


def reverse_funnel(
    rep: User, *, as_of: date | None = None, goal: Goal | None = None
) -> ReverseFunnel | None:
    """The activity the rep needs per remaining week to reach their outcome goal;
    None when the rep has no current goal on sales closed or sales value (or the
    catalogue has no sales-closed metric)."""
    company = CompanySettings.load()
    as_of = as_of or company.today()
    goal = goal or current_outcome_goal(rep, as_of)
    if goal is None or goal.metric.key not in (SALES, SALES_VALUE):
        return None
    metrics = {m.key: m for m in Metric.objects.active().filter(key__in=CHAIN)}
    chain = [metrics[key] for key in CHAIN if key in metrics]
    if not chain or chain[-1].key != SALES:
        return None
    (progress,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=as_of)
    totals = history(rep, as_of, [m.key for m in chain] + [SALES_VALUE])
    weeks = remaining_weeks(as_of, goal.end, holidays_between(as_of, goal.end))

    from_value = goal.metric.key == SALES_VALUE
    average, average_source = None, ""
    if not from_value:
        sales_needed = ceil(progress.remaining)
    else:
        value, sales, average_source = _ratio(totals, SALES_VALUE, SALES)
        average = value / sales if sales else None
        if not progress.remaining:
            sales_needed = 0
        else:
            sales_needed = ceil(progress.remaining * sales / value) if sales else None

    steps: list[FunnelStep] = []
    needed = sales_needed
    for i in range(len(chain) - 1, -1, -1):
        metric = chain[i]
        rate, source = None, ""
        if i < len(chain) - 1:
            nxt, here, source = _ratio(totals, chain[i + 1].key, metric.key)
            rate = nxt / here if here else None
            if needed:  # 0 stays 0; None (no history further down) stays None
                needed = ceil(needed * here / nxt) if here else None
        own = totals.get(metric.key, (ZERO, ZERO))[0]
        steps.append(
            FunnelStep(
                metric=metric,
                rate=rate,
                rate_source=source,
                needed=needed,
                per_week=-(-needed // weeks) if needed is not None and weeks else None,
                did_total=quantize(own),
                did_per_week=quantize(own * 7 / HISTORY_DAYS, Decimal("0.1")),
            )
        )
    steps.reverse()
    return ReverseFunnel(
        rep=rep,
        progress=progress,
        as_of=as_of,
        weeks_left=weeks,
        sales_needed=sales_needed,
        from_value=from_value,
        average_deal=quantize(average),
        average_deal_source=average_source,
        steps=steps,
    )


def plan_suggestions(rep: User, week_start: date) -> ReverseFunnel | None:
    """The reverse funnel as seen when planning the week of ``week_start``: from today,
    or from the week's first day when planning ahead."""
    today = CompanySettings.load().today()
    return reverse_funnel(rep, as_of=max(today, week_start))
