"""Commission statements: storing them, and the monthly job.

``compute_statement`` upserts one statement per (rep, month) with the figures of
reporting.commissions.selectors and replaces its lines in one transaction; running it
twice gives the same figures. ``compute_commission_statements`` is the monthly job.
``add_adjustment`` records a manager's manual adjustment and recomputes the statement;
``add_award_adjustment`` pays an award (coaching's cash bonus) through the same lines."""

import logging
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from reporting.commissions.selectors import active_plan_for, api_statements, compute
from reporting.models import (
    CommissionAdjustment,
    CommissionPlan,
    CommissionStatement,
    StatementLine,
)
from salesmgmt.calendar import month_of, previous_month
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of
from salesmgmt.models import CompanySettings, NotificationKind, User, WebhookEventType
from salesmgmt.money import format_amount, format_money
from salesmgmt.notifications.services import notify

log = logging.getLogger(__name__)


@transaction.atomic
def compute_statement(
    *, rep: User, month: date, plan: CommissionPlan | None = None
) -> CommissionStatement | None:
    """Compute and store ``rep``'s statement for ``month``; None if they are on no plan.

    Upsert on (rep, month): recomputing replaces the lines, so running it twice stores
    the same figures. The lines' texts are stored in the rep's language: the statement
    is theirs.
    """
    month = month.replace(day=1)
    plan = plan or active_plan_for(rep)
    if plan is None:
        return None
    with translation.override(language_of(rep)):
        result = compute(rep=rep, plan=plan, month=month, as_of=month_of(month).end)
    statement, _ = CommissionStatement.objects.update_or_create(
        rep=rep,
        month=month,
        defaults={
            "plan": plan,
            "credited_value": result.credited_value,
            "quota": result.quota,
            "attainment": result.attainment,
            "commission": result.commission,
            "bonus": result.bonus,
            "adjustment": result.adjustment,
            "total": result.total,
            "computed_at": timezone.now(),
        },
    )
    statement.lines.all().delete()
    for line in result.lines:
        line.statement = statement
    StatementLine.objects.bulk_create(result.lines)
    return statement


def can_adjust(statement: CommissionStatement, by: User) -> bool:
    """Managers, directors and admins whose scope holds the rep adjust a statement, never
    their own (the rule of annotating a monthly review)."""
    return (
        by.is_authenticated
        and by.reviews_plans
        and by.pk != statement.rep_id
        and CommissionStatement.objects.visible_to(by).filter(pk=statement.pk).exists()
    )


@transaction.atomic
def add_adjustment(
    *, statement: CommissionStatement, by: User, amount: Decimal, reason: str
) -> CommissionAdjustment:
    """Add a manual adjustment (+/-, with a reason) to a statement's month and recompute
    the statement on its own plan, so the new line and total show at once."""
    if not can_adjust(statement, by):
        raise PermissionDenied(_("Only the rep's manager adjusts this statement."))
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why: the reason is shown on the statement.")
    if amount is None or amount == 0:
        errors["amount"] = _("Enter an amount other than 0 (negative to take off).")
    if errors:
        raise RuleViolation(errors)
    adjustment = CommissionAdjustment.objects.create(
        rep_id=statement.rep_id, month=statement.month, amount=amount, reason=reason, by=by
    )
    compute_statement(rep=statement.rep, month=statement.month, plan=statement.plan)
    return adjustment


@transaction.atomic
def add_award_adjustment(
    *, rep: User, month: date, amount: Decimal, reason: str, by: User
) -> CommissionAdjustment:
    """Pay ``amount`` to ``rep`` with their commission statement of ``month`` (a line
    "Award: reason"). Refused (on ``value``) when no statement will pay it: the rep has no
    statement of that month and is on no active plan (the monthly job computes statements
    only for reps on one). An existing statement of the month is recomputed at once on its
    own plan and shows the line; else the monthly job picks it up. The caller checks who
    may award."""
    month = month.replace(day=1)
    statement = CommissionStatement.objects.filter(rep=rep, month=month).first()
    if statement is None and active_plan_for(rep) is None:
        raise RuleViolation(
            {
                "value": _(
                    "%(rep)s is on no active commission plan, so no statement would pay "
                    "a cash bonus; give another kind of award or put them on a plan first."
                )
                % {"rep": rep}
            }
        )
    if amount is None or amount <= 0:
        raise RuleViolation({"value": _("A cash bonus needs an amount above 0.")})
    with translation.override(language_of(rep)):  # stored: in the language of its reader
        reason = _("Award: %(reason)s") % {"reason": reason}
    adjustment = CommissionAdjustment.objects.create(
        rep=rep, month=month, amount=amount, reason=reason[:200], by=by
    )
    if statement is not None:
        compute_statement(rep=rep, month=month, plan=statement.plan)
    return adjustment


def compute_commission_statements(*, now: datetime | None = None, month: date | None = None) -> int:
    """The monthly job: statements of the previous month for everyone on an active plan.

    Beat runs it hourly; from the 1st (company time) it creates the statements still
    missing and leaves existing ones alone, so history is not rewritten every hour. With
    ``month`` given (the command's ``--month``) it recomputes that month's statements.
    Each rep is told once per month. Returns the number of statements computed.
    """
    company = CompanySettings.load()
    explicit = month is not None
    if explicit:
        month = month.replace(day=1)
    else:
        today = timezone.localtime(now or timezone.now(), company.tzinfo).date()
        month = previous_month(today)
    people = User.objects.filter(commission_plans__active=True).distinct().order_by("pk")
    if not explicit:
        people = people.exclude(commission_statements__month=month)
    count = 0
    for rep in people:
        try:
            with transaction.atomic():
                statement = compute_statement(rep=rep, month=month)
                if statement is not None:
                    _emit_ready(statement)
        except RuleViolation as exc:
            log.error("No commission statement for %s, %s: %s", rep, month, "; ".join(exc.messages))
            continue
        if statement is None:
            continue
        count += 1
        _tell(statement, company)
    return count


def _emit_ready(statement: CommissionStatement) -> None:
    """commission_statement.ready, in the statement's transaction: the hourly run makes
    each missing statement once; a recompute (``--month``) sends it again, with the new
    figures."""
    emit(
        WebhookEventType.STATEMENT_READY,
        statement,
        load=lambda: api_statements(SYSTEM).get(pk=statement.pk),
    )


def _tell(statement: CommissionStatement, company: CompanySettings) -> None:
    # Written in the rep's language, with their number and date formats.
    with translation.override(language_of(statement.rep)):
        title = _("Your commission statement for %(month)s is ready") % {
            "month": formats.date_format(statement.month, "MONTH_YEAR")
        }
        body = _("Total %(total)s: commission %(commission)s, bonus %(bonus)s.") % {
            "total": format_money(statement.total, company.currency),
            "commission": format_amount(statement.commission, company.currency),
            "bonus": format_amount(statement.bonus, company.currency),
        }
    notify(
        user=statement.rep,
        kind=NotificationKind.STATEMENT_READY,
        key=f"statement:{statement.rep_id}:{statement.month:%Y-%m}",
        title=title,
        body=body,
        url=reverse("commissions:detail", args=[statement.pk]),
    )
