"""The stale-deal job: tell a deal's owner (and then their manager) when it stops moving.

Run hourly by beat; like every reminder job it decides for itself from the company
settings whether it is time, keys every notice by its occasion so a retry tells nobody
twice, and takes ``now`` so tests and backfills can pin the time."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format

from activities.models import Deal
from salesmgmt.calendar import job_now
from salesmgmt.models import CompanySettings, NotificationKind
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
    reasons = []
    if deal.stage_entered_at <= now - timedelta(days=company.stale_deal_days):
        key = f"stale-deal:{deal.pk}:{entered.isoformat()}"
        reasons.append(
            f"No stage change for {(today - entered).days} days "
            f"(in {deal.stage} since {date_format(entered, 'j M Y')})."
        )
    else:
        key = f"stale-deal:{deal.pk}:next-step:{deal.next_step_date.isoformat()}"
    if deal.next_step_date and deal.next_step_date < today:
        step = f"“{deal.next_step}”" if deal.next_step else "The next step"
        reasons.append(f"{step} was due on {date_format(deal.next_step_date, 'j M Y')}.")
    body = "\n".join(
        [
            f"Customer: {deal.customer}. Stage: {deal.stage}. "
            f"Amount: {deal.amount:,.2f} {company.currency}. Owner: {deal.owner}.",
            *reasons,
        ]
    )
    team = deal.owner.team
    recipients = [deal.owner]
    if team and team.manager and team.manager_id != deal.owner_id:
        recipients.append(team.manager)
    return [
        Notice(
            user=user,
            kind=NotificationKind.STALE_DEAL,
            key=key,
            title=f"Stale deal: {deal.title}",
            body=body,
            url=reverse("deals:detail", args=[deal.pk]),
        )
        for user in recipients
    ]


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
