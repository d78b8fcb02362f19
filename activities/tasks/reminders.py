"""Reminder jobs about tasks: a reminder before each task is due, and the morning
digest of overdue tasks (to the rep, and a team digest to their manager).

Beat runs the reminders every 15 minutes and the digest hourly; each job decides for
itself, in the company's timezone, whether it is time, and keys every notice by its
occasion, so a second run, a retry or a redelivered message sends nothing new. Every
job takes ``now`` so tests and backfills can pin the time."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Task
from salesmgmt.calendar import job_now, local_time, zone_of
from salesmgmt.i18n import language_of
from salesmgmt.models import CompanySettings, NotificationKind, User
from salesmgmt.notifications.services import Notice, send_once

OVERDUE_DIGEST_HOUR = 7  # company time: the digest is the first thing in the morning
DIGEST_LINES = 20  # a digest lists this many tasks, then says how many more


def _task_text(task: Task, reader: User) -> str:
    about = task.customer or task.deal
    due = local_time(task.due_at, reader)
    if about:
        return _("%(task)s (%(about)s): due %(due)s") % {
            "task": task.title,
            "about": about,
            "due": due,
        }
    return _("%(task)s: due %(due)s") % {"task": task.title, "due": due}


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= DIGEST_LINES:
        return lines
    more = len(lines) - DIGEST_LINES
    return [
        *lines[:DIGEST_LINES],
        ngettext("… and %(count)d more.", "… and %(count)d more.", more) % {"count": more},
    ]


# --- Task reminders ---------------------------------------------------------------------------


def task_reminder(task: Task) -> Notice:
    assignee = task.assignee
    zone = zone_of(assignee)
    due = task.due_at.astimezone(zone)
    # Written in the assignee's language, with their language's date and time.
    with translation.override(language_of(assignee)):
        time = date_format(due, "TIME_SHORT")
        lines = [
            _("“%(task)s” is due at %(time)s (%(zone)s), %(date)s.")
            % {
                "task": task.title,
                "time": time,
                "zone": zone.key,
                "date": date_format(due, "LONG_WEEKDAY_DATE"),
            }
        ]
        if task.customer:
            lines.append(_("Customer: %(customer)s") % {"customer": task.customer})
        if task.deal:
            lines.append(_("Deal: %(deal)s") % {"deal": task.deal})
        title = _("Due at %(time)s: %(task)s") % {"time": time, "task": task.title}
    return Notice(
        user=assignee,
        kind=NotificationKind.TASK_REMINDER,
        # A task moved to another time is a new occasion.
        key=f"task-reminder:{task.pk}:{task.due_at.isoformat()}",
        title=title,
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
    with translation.override(language_of(rep)):
        title = ngettext(
            "You have %(count)d overdue task", "You have %(count)d overdue tasks", len(tasks)
        ) % {"count": len(tasks)}
        body = "\n".join(_capped([f"- {_task_text(t, rep)}" for t in tasks]))
    return Notice(
        user=rep,
        kind=NotificationKind.OVERDUE_DIGEST,
        key=f"overdue-digest:{rep.pk}:{day.isoformat()}",
        title=title,
        body=body,
        url=reverse("tasks:my_day"),
    )


def team_overdue_digest(manager: User, tasks: list[Task], day) -> Notice:
    by_rep: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_rep[task.assignee_id].append(task)
    summary = [f"{group[0].assignee}: {len(group)}" for group in by_rep.values()]
    with translation.override(language_of(manager)):
        lines = [f"- {t.assignee}: {_task_text(t, manager)}" for t in tasks]
        title = ngettext(
            "Your team has %(count)d overdue task",
            "Your team has %(count)d overdue tasks",
            len(tasks),
        ) % {"count": len(tasks)}
        per_rep = _("Overdue per rep: %(summary)s.") % {"summary": ", ".join(summary)}
        body = "\n".join([per_rep, "", *_capped(lines)])
    return Notice(
        user=manager,
        kind=NotificationKind.TEAM_OVERDUE_DIGEST,
        key=f"team-overdue:{manager.pk}:{day.isoformat()}",
        title=title,
        body=body,
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
