"""Commission statements: what a rep earns on their credited sales in a month.

Definitions (tests/reporting/commissions/test_selectors.py pins each on hand-built data):

- **Credited sales**: ``ActivityQuerySet.credited_sales`` (activities): the rep's rows of
  the sales-value metric dated in the month: won deals (written on the win day at the
  deal amount, for the deal owner) and walk-in sales logged by hand, by API or imported.
  Commission, attainment and bonuses all count these rows, so they cannot disagree.
- **Base commission**: plan rate x credited value, rounded half-up to cents once (one
  line a rep checks with a calculator); each credited sale is listed above it.
- **Quota**: the rep's monthly goal (scope rep, period month, starting the 1st) on the
  plan's ``quota_metric``; none without such a goal.
- **Attainment**: the month's actual / quota, in percent, rounded half up to 0.1 like every
  percentage on every page (``salesmgmt.money.percent_of``). Tiers and bonuses are paid
  on the exact share: 99.96% reads 100.0% but pays no 100% bonus, and the bonus line
  says "not reached at 99.96%". With the
  sales-value quota metric the actual *is* the credited value; with another metric
  (e.g. a sales count) it is that goal's actual.
- **Accelerators** (marginal): each tier pays (tier rate - plan rate)% extra on the slice of
  credited value between its threshold and the next tier's. With the sales-value quota
  metric the slice is exactly the credited value between ``attainment_from``% and the next
  threshold of quota; for any other metric the credited value is shared out in
  proportion to the actual.
- **Cap**: if commission + accelerators exceed the plan's cap, a negative "cap" line brings
  them down to it (a zero line says when it is not reached). Bonuses are not capped.
- **Bonus**: every bonus rule whose ``attainment_at_least`` is reached pays its amount
  (a zero line names each one not reached).
- Without a quota there are no accelerators and no bonuses (the statement says so).
- **Adjustments**: every ``CommissionAdjustment`` of the rep's month is a line with its
  reason and author, read from its own table on every computation (so recomputing keeps
  them), and counts in the total.
- Commission, bonus, adjustment and total are sums of the lines' amounts.

``compute_statement`` upserts one statement per (rep, month) and replaces its lines in
one transaction; running it twice gives the same figures. ``month_to_date`` computes the
same for the running month without storing anything. ``compute_commission_statements``
is the monthly job.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from activities.log.selectors import NONE, CreditedSales, credited_sales_of
from activities.models import SALES_VALUE, Activity, ActivitySource
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.models import (
    BonusRule,
    CommissionAdjustment,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    StatementLine,
)
from salesmgmt.calendar import month_of
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, User
from salesmgmt.money import HUNDRED, ZERO, format_amount, percent_of, quantize

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

    Two active plans would pay the same sale twice: a configuration error that the
    admin form prevents, refused here too rather than guessed around.
    """
    plans = list(plans_with_terms().filter(active=True, reps=rep)[:2])
    if len(plans) > 1:
        raise RuleViolation(
            _(
                "%(rep)s is on more than one active commission plan (%(plan)s, %(other)s); "
                "leave them on one."
            )
            % {"rep": rep, "plan": plans[0], "other": plans[1]}
        )
    return plans[0] if plans else None


def credited_sales(rep: User, start: date, end: date):
    """The rep's credited sales in [start, end], as statement lines list them."""
    return (
        Activity.objects.credited_sales(start=start, end=end)
        .filter(rep=rep)
        .select_related("deal")
        .order_by("day", "pk")
    )


def adjustments(rep: User, month: date):
    """The managers' adjustments of ``rep``'s ``month``, oldest first."""
    return CommissionAdjustment.objects.filter(rep=rep, month=month).select_related("by")


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
    credited: CreditedSales
    quota: Decimal | None
    attainment: Decimal | None
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def credited_value(self) -> Decimal:
        return self.credited.value

    def _sum(self, *kinds) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind in kinds), ZERO)

    @property
    def commission(self) -> Decimal:
        """Base commission plus accelerators, after the cap."""
        return self._sum(Kind.COMMISSION, Kind.ACCELERATOR, Kind.CAP)

    @property
    def bonus(self) -> Decimal:
        return self._sum(Kind.BONUS)

    @property
    def adjustment(self) -> Decimal:
        return self._sum(Kind.ADJUSTMENT)

    @property
    def total(self) -> Decimal:
        return self.commission + self.bonus + self.adjustment


def _slices(plan, value: Decimal, quota: Decimal, actual: Decimal):
    """(tier, next threshold or None, base) for every tier the month reached: the
    credited value earned between its threshold and the next tier's."""
    tiers = list(plan.tiers.all())
    for i, tier in enumerate(tiers):
        low = quota * tier.attainment_from / HUNDRED
        if actual <= low:
            break
        high = quota * tiers[i + 1].attainment_from / HUNDRED if i + 1 < len(tiers) else None
        top = actual if high is None else min(actual, high)
        base = quantize(value * (top - low) / actual)
        if base:
            yield tier, (tiers[i + 1].attainment_from if high is not None else None), base


# A line's text is written in the language active when it is computed: the rep's for a
# stored statement (services.compute_statement), the reader's for the month so far.
def _pct(value: Decimal) -> str:
    return f"{_number(value)}%"


def _number(value: Decimal) -> str:
    """A share as the reader writes it: "116.5" / "116,5"; no trailing zeros."""
    return number_format(value.normalize())


def _amount(value: Decimal) -> str:
    return format_amount(value, CompanySettings.load().currency)


def _sale_text(row: Activity) -> str:
    day = date_format(row.day, "DATE_MEDIUM")
    if row.source == ActivitySource.DEAL and row.deal_id:
        return _("%(deal)s — won deal, %(day)s") % {"deal": row.deal.title, "day": day}
    if row.note:
        return _("Walk-in sale, %(day)s, %(note)s") % {"day": day, "note": row.note}
    return _("Walk-in sale, %(day)s") % {"day": day}


def _attainment(rep, plan, month, until, credited) -> tuple[Decimal | None, Decimal | None]:
    """(quota, actual) of the month; the actual of a sales-value quota is the credited value."""
    goal = quota_goal(rep, plan, month)
    if plan.quota_metric is not None and plan.quota_metric.key == SALES_VALUE:
        quota = goal.values_list("target", flat=True).first()
        return quota, (credited.value if quota else None)
    progress = goal_progress(goal, as_of=until)
    return (progress[0].goal.target, progress[0].actual) if progress else (None, None)


def _accelerator_text(*, exact: bool, between: bool) -> str:
    """An accelerator line's sentence: on the exact credited value (a sales-value quota) or
    on its share (another metric's quota), above one threshold or between two."""
    if exact and between:
        return _(
            "Accelerator: %(rate)s instead of %(plan_rate)s, so %(extra)s more on the %(base)s "
            "between %(low)s and %(high)s of quota (attainment %(attainment)s%%) = %(amount)s"
        )
    if exact:
        return _(
            "Accelerator: %(rate)s instead of %(plan_rate)s, so %(extra)s more on the %(base)s "
            "above %(low)s of quota (attainment %(attainment)s%%) = %(amount)s"
        )
    if between:
        return _(
            "Accelerator: %(rate)s instead of %(plan_rate)s, so %(extra)s more on %(base)s, "
            "the share between %(low)s and %(high)s of quota (attainment %(attainment)s%%) "
            "= %(amount)s"
        )
    return _(
        "Accelerator: %(rate)s instead of %(plan_rate)s, so %(extra)s more on %(base)s, "
        "the share above %(low)s of quota (attainment %(attainment)s%%) = %(amount)s"
    )


def compute(*, rep: User, plan: CommissionPlan, month: date, as_of: date) -> Computation:
    """The figures and lines of ``rep``'s month on ``plan``, counting up to ``as_of``."""
    until = min(month_of(month).end, as_of)
    credited = credited_sales_of([rep.pk], start=month, end=until) if until >= month else NONE
    quota, actual = _attainment(rep, plan, month, until, credited)
    # Shown to a tenth, half up, as on every page (116.45% reads 116.5% here too); paid on
    # the exact share, so 99.96% reads 100.0% but does not reach a 100% bonus.
    share = actual * HUNDRED / quota if quota else None
    attainment = percent_of(actual, quota) if quota else None
    result = Computation(
        rep=rep,
        plan=plan,
        month=month,
        as_of=as_of,
        credited=credited,
        quota=quota,
        attainment=attainment,
    )
    lines = result.lines

    def add(kind, amount, description, *, deal_id=None, base=None, rate=None):
        lines.append(
            StatementLine(
                kind=kind,
                deal_id=deal_id,
                base=base,
                rate=rate,
                amount=amount,
                description=description[:200],
                position=len(lines) + 1,
            )
        )

    for row in credited_sales(rep, month, until):
        add(Kind.SALE, ZERO, _sale_text(row), deal_id=row.deal_id, base=row.quantity)
    value = credited.value
    base_amount = quantize(value * plan.rate / HUNDRED)
    add(
        Kind.COMMISSION,
        base_amount,
        _("Base commission: %(rate)s of %(value)s = %(amount)s")
        % {"rate": _pct(plan.rate), "value": _amount(value), "amount": _amount(base_amount)},
        base=value,
        rate=plan.rate,
    )
    if quota and actual:
        exact = plan.quota_metric.key == SALES_VALUE
        for tier, upto, base in _slices(plan, value, quota, actual):
            extra = tier.rate - plan.rate
            if not extra:
                continue  # a tier at the base rate adds nothing
            amount = quantize(base * extra / HUNDRED)
            add(
                Kind.ACCELERATOR,
                amount,
                _accelerator_text(exact=exact, between=upto is not None)
                % {
                    "rate": _pct(tier.rate),
                    "plan_rate": _pct(plan.rate),
                    "extra": _pct(extra),
                    "base": _amount(base),
                    "low": _pct(tier.attainment_from),
                    "high": _pct(upto) if upto is not None else "",
                    "attainment": number_format(attainment),
                    "amount": _amount(amount),
                },
                base=base,
                rate=extra,
            )
    earned = result.commission
    if plan.cap is not None:
        if earned > plan.cap:
            add(
                Kind.CAP,
                plan.cap - earned,
                _(
                    "Cap: commission %(earned)s is above the %(cap)s monthly cap, "
                    "so %(over)s is taken off"
                )
                % {
                    "earned": _amount(earned),
                    "cap": _amount(plan.cap),
                    "over": _amount(earned - plan.cap),
                },
            )
        else:
            add(
                Kind.CAP,
                ZERO,
                _("Cap %(cap)s not reached (commission %(earned)s)")
                % {"cap": _amount(plan.cap), "earned": _amount(earned)},
            )
    if attainment is not None:
        for rule in plan.bonuses.all():
            needs = {"name": rule.name, "threshold": _pct(rule.attainment_at_least)}
            if share >= rule.attainment_at_least:
                add(
                    Kind.BONUS,
                    rule.amount,
                    _("Bonus '%(name)s' (attainment at least %(threshold)s): %(amount)s")
                    % {**needs, "amount": _amount(rule.amount)},
                )
            else:
                short = attainment
                if short >= rule.attainment_at_least:  # rounded up to it, yet below it
                    short = share.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
                add(
                    Kind.BONUS,
                    ZERO,
                    _(
                        "Bonus '%(name)s' (attainment at least %(threshold)s): "
                        "not reached at %(attainment)s%%"
                    )
                    % {**needs, "attainment": number_format(short)},
                )
    for adj in adjustments(rep, month):
        at = timezone.localtime(adj.at)
        add(
            Kind.ADJUSTMENT,
            adj.amount,
            _("Adjustment by %(person)s on %(day)s: %(reason)s")
            % {"person": adj.by, "day": date_format(at, "DATE_MEDIUM"), "reason": adj.reason},
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


def api_statements(user):
    """Commission statements ``user`` sees, read as the API reads them (lines, and the
    rep's adjustments for the statement's month)."""
    return CommissionStatement.objects.visible_to(user).prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.order_by("position", "pk")),
        Prefetch(
            "rep__commission_adjustments",
            queryset=CommissionAdjustment.objects.select_related("by"),
            to_attr="all_adjustments",
        ),
    )
