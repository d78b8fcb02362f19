"""The stale-deal job: tell a deal's owner (and then their manager) when it stops moving.

Run hourly by beat; like every reminder job it decides for itself from the company
settings whether it is time, keys every notice by its occasion so a retry tells nobody
twice, and takes ``now`` so tests and backfills can pin the time."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Deal
from salesmgmt.calendar import job_now
from salesmgmt.i18n import language_of
from salesmgmt.models import CompanySettings, NotificationKind
from salesmgmt.money import format_money
from salesmgmt.notifications.services import Notice, send_once

# --- Stale deals ------------------------------------------------------------------------------


def stale_deal_alerts(deal: Deal, *, now: datetime, company: CompanySettings) -> list[Notice]:
    """Owner and owner's manager, once per episode.

    An episode of "no stage change" lasts until the deal moves (its key holds the
    date it entered its stage); while it lasts, a new past next step adds nothing.
    Otherwise a next step left in the past is an episode of its own, keyed by
    that step's date, so setting a new date that passes again alerts again.
    """
    today = now.astimezone(company.tzinfo).date()
    entered = deal.stage_entered_at.astimezone(company.tzinfo).date()
    stale = deal.stage_entered_at <= now - timedelta(days=company.stale_deal_days)
    if stale:
        key = f"stale-deal:{deal.pk}:{entered.isoformat()}"
    else:
        key = f"stale-deal:{deal.pk}:next-step:{deal.next_step_date.isoformat()}"
    step_overdue = bool(deal.next_step_date and deal.next_step_date < today)
    team = deal.owner.team
    recipients = [deal.owner]
    if team and team.manager and team.manager_id != deal.owner_id:
        recipients.append(team.manager)
    notices = []
    for user in recipients:
        # Written in the recipient's language, with their language's dates and money.
        with translation.override(language_of(user)):
            reasons = []
            if stale:
                days = (today - entered).days
                reasons.append(
                    ngettext(
                        "No stage change for %(days)d day (in %(stage)s since %(date)s).",
                        "No stage change for %(days)d days (in %(stage)s since %(date)s).",
                        days,
                    )
                    % {
                        "days": days,
                        "stage": deal.stage,
                        "date": date_format(entered, "DATE_MEDIUM"),
                    }
                )
            if step_overdue:
                due = date_format(deal.next_step_date, "DATE_MEDIUM")
                if deal.next_step:
                    reasons.append(
                        _("“%(step)s” was due on %(date)s.") % {"step": deal.next_step, "date": due}
                    )
                else:
                    reasons.append(_("The next step was due on %(date)s.") % {"date": due})
            summary = _(
                "Customer: %(customer)s. Stage: %(stage)s. Amount: %(amount)s. Owner: %(owner)s."
            ) % {
                "customer": deal.customer,
                "stage": deal.stage,
                "amount": format_money(deal.amount, company.currency),
                "owner": deal.owner,
            }
            notices.append(
                Notice(
                    user=user,
                    kind=NotificationKind.STALE_DEAL,
                    key=key,
                    title=_("Stale deal: %(deal)s") % {"deal": deal.title},
                    body="\n".join([summary, *reasons]),
                    url=reverse("deals:detail", args=[deal.pk]),
                )
            )
    return notices


def send_stale_deal_alerts(*, now: datetime | None = None) -> int:
    """Open deals with no stage change in stale_deal_days days, or a next step in the past."""
    now = job_now(now)
    company = CompanySettings.load()
    today = now.astimezone(company.tzinfo).date()
    stale = (
        Deal.objects.open()
        .filter(
            Q(stage_entered_at__lte=now - timedelta(days=company.stale_deal_days))
            | Q(next_step_date__lt=today)
        )
        .select_related("owner__team__manager", "customer", "stage")
        .order_by("pk")
    )
    return send_once(
        notice for deal in stale for notice in stale_deal_alerts(deal, now=now, company=company)
    )
