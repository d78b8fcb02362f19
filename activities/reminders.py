"""Reminder jobs about tasks and deals.

Beat runs each job often (task reminders every 15 minutes, the rest hourly);
each job looks at the clock in the company's timezone, decides for itself
whether it is time, and tells each person about each occasion once: every
notice carries a ``key`` naming its occasion, and (user, key) is unique. A
second run, a retry or a redelivered message therefore sends nothing new.
Every job takes ``now`` so tests and backfills can pin the time.
"""

import argparse
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import Deal, Task
from salesmgmt.models import CompanySettings, Notification, NotificationKind, User
from salesmgmt.notifications import notify

OVERDUE_DIGEST_HOUR = 7  # company time: the digest is the first thing in the morning
DIGEST_LINES = 20  # a digest lists this many tasks, then says how many more


@dataclass(frozen=True)
class Notice:
    """One notification to send, unless its (user, key) was sent before."""

    user: User
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def send_once(notices: Iterable[Notice]) -> int:
    """notify() every notice not sent before; returns how many were sent.

    What was already sent is read in one query per 500 keys, so an hourly run
    over unchanged data costs a query rather than a failed insert per person;
    notify() still refuses a duplicate when two workers race.
    """
    notices = [n for n in notices if n.user.is_active]
    sent: set[tuple[int, str]] = set()
    keys = sorted({n.key for n in notices})
    users = {n.user.pk for n in notices}
    for start in range(0, len(keys), 500):
        sent.update(
            Notification.objects.filter(
                user_id__in=users, key__in=keys[start : start + 500]
            ).values_list("user_id", "key")
        )
    count = 0
    for n in notices:
        if (n.user.pk, n.key) in sent:
            continue
        told = notify(user=n.user, kind=n.kind, key=n.key, title=n.title, body=n.body, url=n.url)
        count += told is not None
    return count


def job_now(now: datetime | None = None) -> datetime:
    """The job's moment in UTC, so "14 days" or "24 hours" are always that long,
    whatever timezone a caller pinned ``now`` in (days and hours of the week are
    read in company time separately)."""
    return (now or timezone.now()).astimezone(UTC)


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_time(moment: datetime, user: User) -> str:
    """'Mon 3 Mar 14:30' in ``user``'s own timezone."""
    return date_format(moment.astimezone(zone_of(user)), "D j M H:i")


def parse_job_time(value: str) -> datetime:
    """An ISO date-time for ``--now``; without an offset it is read in company time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO date-time such as 2025-03-03T10:00+01:00."
        ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=CompanySettings.load().tzinfo)
    return moment


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _task_text(task: Task, reader: User) -> str:
    about = task.customer or task.deal
    return f"{task.title}{f' ({about})' if about else ''}: due {local_time(task.due_at, reader)}"


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= DIGEST_LINES:
        return lines
    return [*lines[:DIGEST_LINES], f"… and {len(lines) - DIGEST_LINES} more."]


# --- Task reminders ---------------------------------------------------------------------------


def task_reminder(task: Task) -> Notice:
    assignee = task.assignee
    zone = zone_of(assignee)
    due = task.due_at.astimezone(zone)
    lines = [f"“{task.title}” is due at {due:%H:%M} ({zone.key}), {date_format(due, 'l j F Y')}."]
    if task.customer:
        lines.append(f"Customer: {task.customer}")
    if task.deal:
        lines.append(f"Deal: {task.deal}")
    return Notice(
        user=assignee,
        kind=NotificationKind.TASK_REMINDER,
        # A task moved to another time is a new occasion.
        key=f"task-reminder:{task.pk}:{task.due_at.isoformat()}",
        title=f"Due at {due:%H:%M}: {task.title}",
        body="\n".join(lines),
        url=f"{reverse('tasks:my_day')}#task-{task.pk}",
    )


def send_task_reminders(*, now: datetime | None = None) -> int:
    """Remind assignees of open tasks due within the next task_reminder_minutes."""
    now = job_now(now)
    company = CompanySettings.load()
    due_soon = (
        Task.objects.open()
        .filter(
            due_at__gte=now,
            due_at__lte=now + timedelta(minutes=company.task_reminder_minutes),
            assignee__is_active=True,
        )
        .select_related("assignee", "customer", "deal")
        .order_by("due_at", "pk")
    )
    return send_once(task_reminder(task) for task in due_soon)


# --- Daily overdue digests --------------------------------------------------------------------


def overdue_digest(rep: User, tasks: list[Task], day) -> Notice:
    return Notice(
        user=rep,
        kind=NotificationKind.OVERDUE_DIGEST,
        key=f"overdue-digest:{rep.pk}:{day.isoformat()}",
        title=f"You have {_plural(len(tasks), 'overdue task')}",
        body="\n".join(_capped([f"- {_task_text(t, rep)}" for t in tasks])),
        url=reverse("tasks:my_day"),
    )


def team_overdue_digest(manager: User, tasks: list[Task], day) -> Notice:
    by_rep: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_rep[task.assignee_id].append(task)
    summary = [f"{group[0].assignee}: {len(group)}" for group in by_rep.values()]
    lines = [f"- {t.assignee}: {_task_text(t, manager)}" for t in tasks]
    return Notice(
        user=manager,
        kind=NotificationKind.TEAM_OVERDUE_DIGEST,
        key=f"team-overdue:{manager.pk}:{day.isoformat()}",
        title=f"Your team has {_plural(len(tasks), 'overdue task')}",
        body="\n".join(["Overdue per rep: " + ", ".join(summary) + ".", "", *_capped(lines)]),
        url=reverse("tasks:team"),
    )


def send_overdue_digests(*, now: datetime | None = None) -> int:
    """From 07:00 company time: each person with overdue open tasks gets one digest a
    day, and each team manager one digest of their reps' overdue tasks."""
    now = job_now(now)
    local_now = now.astimezone(CompanySettings.load().tzinfo)
    if local_now.hour < OVERDUE_DIGEST_HOUR:
        return 0
    day = local_now.date()
    overdue = (
        Task.objects.overdue(now)
        .filter(assignee__is_active=True)
        .select_related("assignee__team__manager", "customer", "deal")
        .order_by("assignee__first_name", "assignee__last_name", "assignee_id", "due_at", "pk")
    )
    by_assignee: dict[int, list[Task]] = defaultdict(list)
    by_manager: dict[int, list[Task]] = defaultdict(list)
    managers: dict[int, User] = {}
    for task in overdue:
        by_assignee[task.assignee_id].append(task)
        team = task.assignee.team
        if team and team.manager and team.manager_id != task.assignee_id:
            managers[team.manager_id] = team.manager
            by_manager[team.manager_id].append(task)
    notices = [overdue_digest(tasks[0].assignee, tasks, day) for tasks in by_assignee.values()]
    notices += [team_overdue_digest(managers[pk], tasks, day) for pk, tasks in by_manager.items()]
    return send_once(notices)


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
