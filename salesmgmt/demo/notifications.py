"""Notifications: what the bell would hold had the app been running for the demo's twelve
weeks: recent plan reviews, tasks given by managers, this morning's stale-deal alerts and
overdue digests, with the same keys the jobs use so their first run repeats nothing. All
count as e-mailed already; older ones have been read.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import PlanEvent, PlanStatus
from plans.weekly.services import plan_event_recipients, plan_url
from salesmgmt.demo.base import DemoCompany, workday
from salesmgmt.demo.people import TEAMS
from salesmgmt.models import Notification, NotificationKind, User


def load_notifications(demo: DemoCompany) -> None:
    """The bell's notifications, already e-mailed."""
    _Notifications(demo).build()


class _Notifications:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.company = demo.company
        self.today = demo.today
        self.now = demo.now
        self.reps = demo.reps
        self.managers = demo.managers
        self.weeks = demo.weeks
        self.tasks = demo.tasks

    def build(self) -> None:
        """What the bell would hold had the app been running: recent plan reviews, tasks
        from managers, stale deals and this morning's overdue digests. All count as
        e-mailed already, so no job sends them again."""
        self.notes: list[tuple[Notification, datetime, bool]] = []  # (row, at, read)
        self._plan_notifications()
        self._task_notifications()
        self._deal_notifications()
        self._digests()
        rows = [n for n, _, _ in self.notes]
        Notification.objects.bulk_create(rows, batch_size=500)
        rng = self.demo.crm_rng
        for row, at, read in self.notes:
            row.created_at, row.emailed_at = at, at + timedelta(minutes=1)
            seen = self.demo.next_working_moment(at + timedelta(hours=rng.uniform(0.1, 3)))
            if read and seen < self.now:  # read in working hours, if that has come yet
                row.read_at = seen
        Notification.objects.bulk_update(
            rows, ["created_at", "emailed_at", "read_at"], batch_size=500
        )

    def _tell(
        self,
        user: User,
        kind: str,
        key: str,
        title: str,
        at: datetime,
        *,
        read: bool,
        body: str = "",
        url: str = "",
    ) -> None:
        row = Notification(user=user, kind=kind, key=key, title=title[:200], body=body, url=url)
        self.notes.append((row, at, read))

    def _plan_notifications(self) -> None:
        """Last week's and this week's plan events, told as plans.services tells them."""
        kinds = (PlanEvent.Kind.SUBMITTED, PlanEvent.Kind.APPROVED, PlanEvent.Kind.RETURNED)
        events = list(
            PlanEvent.objects.filter(
                plan__rep__in=[r.user for r in self.reps],
                plan__week_start__gte=self.weeks[-2],
                kind__in=kinds,
            )
            .select_related("plan__rep__team__manager", "by")
            .order_by("at", "pk")
        )
        last = {}
        for event in events:
            last[event.plan_id] = event.pk
        waiting = (PlanStatus.SUBMITTED, PlanStatus.RETURNED)
        for event in events:
            plan = event.plan
            context = {"event": event, "plan": plan}
            # A plan still waiting on someone: they have not opened the news yet.
            unread = last[plan.pk] == event.pk and plan.status in waiting
            for user in plan_event_recipients(event):
                self._tell(
                    user,
                    NotificationKind.PLAN_SUBMITTED
                    if event.kind == PlanEvent.Kind.SUBMITTED
                    else NotificationKind.PLAN_REVIEWED,
                    f"plan-event:{event.pk}",
                    render_to_string("plans/weekly/email/plan_event_subject.txt", context).strip(),
                    event.at + timedelta(minutes=1),
                    read=not unread,
                    body=render_to_string("plans/weekly/email/plan_event.txt", context).strip(),
                    url=plan_url(plan),
                )

    def _task_notifications(self) -> None:
        """Tasks a manager gave: as activities.services.create_task tells the assignee."""
        # Given since the start of the last working day: not looked at yet.
        fresh_since = self.demo.at(workday(self.today - timedelta(days=1)), 0)
        for task in self.tasks:
            if task.created_by_id == task.assignee_id:
                continue
            fresh = task.created_at > fresh_since
            self._tell(
                task.assignee,
                NotificationKind.TASK_ASSIGNED,
                f"task-assigned:{task.pk}:{task.assignee.pk}",
                f"{task.created_by} gave you a task: {task.title}",
                task.created_at,
                read=task.done_at is not None or not fresh,
                url=f"/tasks/#task-{task.pk}",
            )

    def _last_morning(self) -> datetime:
        """The last 07:00 gone by: when the morning jobs last ran."""
        morning = self.demo.at(self.today, 7)
        return morning if morning < self.now else morning - timedelta(days=1)

    def _deal_notifications(self) -> None:
        """This morning's stale deal alerts: no stage change for a while, or a next step
        whose date has passed."""
        at = self._last_morning()
        stale_since = at - timedelta(days=self.company.stale_deal_days)
        day = self.demo.local_day(at)
        for rep in self.reps:
            for deal in rep.deals:
                if not deal.stage.is_open or deal.created_at > at:
                    continue
                # The same keys as activities.reminders, so its first run repeats nothing.
                if deal.stage_entered_at < stale_since:
                    since = timezone.localtime(deal.stage_entered_at, self.company.tzinfo)
                    body = f"No stage change since {since:%d %b}; it is still at {deal.stage}."
                    key = f"stale-deal:{deal.pk}:{since.date().isoformat()}"
                elif deal.next_step_date and deal.next_step_date < day:
                    body = f"The next step ({deal.next_step}) was due {deal.next_step_date:%d %b}."
                    key = f"stale-deal:{deal.pk}:next-step:{deal.next_step_date.isoformat()}"
                else:
                    continue
                self._tell(
                    rep.user,
                    NotificationKind.STALE_DEAL,
                    key,
                    f"Stale deal: {deal.title}",
                    at,
                    read=False,
                    body=body,
                    url=reverse("deals:detail", args=[deal.pk]),
                )

    def _digests(self) -> None:
        """Yesterday's (read) and this morning's (unread) overdue digests, per rep and team."""
        for days_back, read in ((1, True), (0, False)):
            at = self._last_morning() - timedelta(days=days_back)
            day = self.demo.local_day(at)
            late: Counter = Counter()
            for task in self.tasks:
                started = task.created_at < at
                if started and task.due_at < at and (task.done_at is None or task.done_at > at):
                    late[task.assignee_id] += 1
            for rep in self.reps:
                if late[rep.user.pk]:
                    n = late[rep.user.pk]
                    self._tell(
                        rep.user,
                        NotificationKind.OVERDUE_DIGEST,
                        f"overdue-digest:{rep.user.pk}:{day.isoformat()}",
                        f"You have {n} overdue task{'s' if n > 1 else ''}",
                        at,
                        read=read,
                        url=reverse("tasks:my_day"),
                    )
            for spec in TEAMS:
                n = sum(late[r.user.pk] for r in self.reps if r.team is spec)
                if n:
                    self._tell(
                        self.managers[spec.name],
                        NotificationKind.TEAM_OVERDUE_DIGEST,
                        f"team-overdue:{self.managers[spec.name].pk}:{day.isoformat()}",
                        f"{n} overdue tasks in the {spec.name} team",
                        at,
                        read=read,
                        url=reverse("tasks:team"),
                    )
