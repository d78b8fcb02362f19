"""Commission statements: what a rep earns on the deals they won in a month.

Definitions (tests/reporting/commissions/test_selectors.py pins each on hand-built data):

- **Won deals**: deals the rep owns, in a won stage, closed in the month.
- **Commission**: one line per won deal, amount x plan rate, rounded half-up to cents.
- **Quota**: the rep's monthly goal (scope rep, period month, starting the 1st) on the
  plan's ``quota_metric``; none without such a goal.
- **Attainment**: the goal's actual at month end / quota, in percent, rounded *down* to
  0.1 so a statement never shows 100.0% for 99.96% and then withholds the 100% bonus.
- **Accelerators** (marginal): each tier pays (tier rate - plan rate)% extra on the slice of
  won value between its threshold and the next tier's. With a money quota metric whose
  actual is the won value, the slice is exactly the won value between
  ``attainment_from``% and the next threshold of quota; for any other metric the won value
  is shared out in proportion to the actual (e.g. a sales-count quota).
- **Cap**: if commission + accelerators exceed the plan's cap, a negative "cap" line brings
  them down to it. Bonuses are not capped.
- **Bonus**: every bonus rule whose ``attainment_at_least`` is reached pays its amount.
- Without a quota there are no accelerators and no bonuses (the statement says so).

``compute_statement`` upserts one statement per (rep, month) and replaces its lines in
one transaction; running it twice gives the same figures. ``month_to_date`` computes the
same for the running month without storing anything. ``compute_commission_statements``
is the monthly job.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch, Sum

from activities.models import Deal
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.models import (
    BonusRule,
    CommissionPlan,
    CommissionTier,
    StatementLine,
)
from salesmgmt.calendar import month_of
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import HUNDRED, TENTH, ZERO, quantize

log = logging.getLogger(__name__)

Kind = StatementLine.Kind


def plans_with_terms():
    """Commission plans with their tiers and bonus rules, in threshold order (3 queries)."""
    return CommissionPlan.objects.select_related("quota_metric").prefetch_related(
        Prefetch("tiers", queryset=CommissionTier.objects.order_by("attainment_from")),
        Prefetch("bonuses", queryset=BonusRule.objects.order_by("attainment_at_least", "pk")),
    )


def active_plan_for(rep: User) -> CommissionPlan | None:
    """The rep's one active plan; None if they are on none.

    Two active plans would pay the same deal twice: a configuration error that the
    admin form prevents, refused here too rather than guessed around.
    """
    plans = list(plans_with_terms().filter(active=True, reps=rep)[:2])
    if len(plans) > 1:
        raise RuleViolation(
            f"{rep} is on more than one active commission plan ({plans[0]}, {plans[1]}); "
            "leave them on one."
        )
    return plans[0] if plans else None


def won_deals(rep: User, start: date, end: date):
    return (
        Deal.objects.won()
        .filter(owner=rep, closed_on__range=(start, end))
        .order_by("closed_on", "pk")
    )


def quota_goal(rep: User, plan: CommissionPlan, month: date):
    """The rep's monthly goal on the plan's quota metric (its whole total, not a goal
    limited to a product or channels), as a QuerySet (0 or 1 row)."""
    if plan.quota_metric_id is None:
        return Goal.objects.none()
    return Goal.objects.unlimited().filter(
        scope=GoalScope.REP,
        rep=rep,
        period=GoalPeriod.MONTH,
        start=month,
        metric_id=plan.quota_metric_id,
    )


@dataclass
class Computation:
    """A statement's figures and lines, before (or without) being stored."""

    rep: User
    plan: CommissionPlan
    month: date
    as_of: date
    won_value: Decimal
    quota: Decimal | None
    attainment: Decimal | None
    lines: list[StatementLine] = field(default_factory=list)

    def _sum(self, *kinds) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind in kinds), ZERO)

    @property
    def commission(self) -> Decimal:
        """Deal commission plus accelerators, after the cap."""
        return self._sum(Kind.COMMISSION, Kind.ACCELERATOR, Kind.CAP)

    @property
    def bonus(self) -> Decimal:
        return self._sum(Kind.BONUS)

    @property
    def total(self) -> Decimal:
        return self.commission + self.bonus

    @property
    def deal_count(self) -> int:
        return sum(1 for line in self.lines if line.kind == Kind.COMMISSION)


def _slices(plan, won_value: Decimal, quota: Decimal, actual: Decimal):
    """(tier, base) for every tier the month reached: the won value earned in its band."""
    tiers = list(plan.tiers.all())
    for i, tier in enumerate(tiers):
        low = quota * tier.attainment_from / HUNDRED
        if actual <= low:
            break
        high = quota * tiers[i + 1].attainment_from / HUNDRED if i + 1 < len(tiers) else None
        top = actual if high is None else min(actual, high)
        base = quantize(won_value * (top - low) / actual)
        if base:
            yield tier, base


def compute(*, rep: User, plan: CommissionPlan, month: date, as_of: date) -> Computation:
    """The figures and lines of ``rep``'s month on ``plan``, counting up to ``as_of``."""
    until = min(month_of(month).end, as_of)
    deals = list(won_deals(rep, month, until))
    won_value = won_deals(rep, month, until).aggregate(v=Sum("amount"))["v"] or ZERO
    progress = goal_progress(quota_goal(rep, plan, month), as_of=until)
    quota = progress[0].goal.target if progress else None
    actual = progress[0].actual if progress else None
    attainment = (actual * HUNDRED / quota).quantize(TENTH, rounding=ROUND_DOWN) if quota else None
    result = Computation(
        rep=rep,
        plan=plan,
        month=month,
        as_of=as_of,
        won_value=won_value,
        quota=quota,
        attainment=attainment,
    )
    lines = result.lines

    def add(kind, amount, description, *, deal=None, base=None, rate=None):
        lines.append(
            StatementLine(
                kind=kind,
                deal=deal,
                base=base,
                rate=rate,
                amount=amount,
                description=description[:200],
                position=len(lines) + 1,
            )
        )

    for deal in deals:
        add(
            Kind.COMMISSION,
            quantize(deal.amount * plan.rate / HUNDRED),
            f"{deal.title} — won {deal.closed_on.day} {deal.closed_on:%b %Y}",
            deal=deal,
            base=deal.amount,
            rate=plan.rate,
        )
    if quota and actual:
        for tier, base in _slices(plan, won_value, quota, actual):
            extra = tier.rate - plan.rate
            if not extra:
                continue  # a tier at the base rate adds nothing
            add(
                Kind.ACCELERATOR,
                quantize(base * extra / HUNDRED),
                f"Accelerator: {tier.rate.normalize():f}% from {tier.attainment_from.normalize():f}% "
                f"of quota (+{extra.normalize():f}%)",
                base=base,
                rate=extra,
            )
    earned = result.commission
    if plan.cap is not None and earned > plan.cap:
        add(Kind.CAP, plan.cap - earned, f"Cap: commission is at most {plan.cap:,.2f} a month")
    if attainment is not None:
        for rule in plan.bonuses.all():
            if attainment >= rule.attainment_at_least:
                add(
                    Kind.BONUS,
                    rule.amount,
                    f"{rule.name} (attainment ≥ {rule.attainment_at_least.normalize():f}%)",
                )
    return result


def month_to_date(*, rep: User, today: date | None = None) -> Computation | None:
    """The running month's statement as it stands today, not stored; None without a plan."""
    today = today or CompanySettings.load().today()
    try:
        plan = active_plan_for(rep)
    except RuleViolation:
        return None
    if plan is None:
        return None
    return compute(rep=rep, plan=plan, month=today.replace(day=1), as_of=today)
