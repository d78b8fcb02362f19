"""Writes to tasks: created for a rep the writer may act for, done, reopened, edited;
the assignee is told when someone else gives them a task."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from activities.models import (
    Task,
)
from salesmgmt.calendar import job_now
from salesmgmt.events import emit, emit_many, endpoints_wanting
from salesmgmt.models import NotificationKind, User, WebhookEvent, WebhookEventType
from salesmgmt.notifications.services import notify
from salesmgmt.org.services import check_owner
from salesmgmt.versioning import bump, check_version, lock_row

# --- Tasks ------------------------------------------------------------------------------------


@transaction.atomic
def create_task(*, by: User, assignee: User, **fields) -> Task:
    """A rep sets their own tasks; a manager sets tasks for their reps."""
    check_owner(assignee, by)
    task = Task.objects.create(assignee=assignee, created_by=by, **fields)
    if assignee.pk != by.pk:
        _tell_assignee(task, by)
    emit(WebhookEventType.TASK_CREATED, task)
    return task


@transaction.atomic
def complete_task(*, task: Task, by: User, version: int | None = None) -> Task:
    task = lock_row(Task, task.pk)
    check_version(task, version)
    check_owner(task.assignee, by)
    if task.done_at is None:
        task.done_at = timezone.now()
        bump(task)
        task.save(update_fields=["done_at", "version"])
        emit(WebhookEventType.TASK_DONE, task)
    return task


@transaction.atomic
def reopen_task(*, task: Task, by: User, version: int | None = None) -> Task:
    task = lock_row(Task, task.pk)
    check_version(task, version)
    check_owner(task.assignee, by)
    if task.done_at is not None:
        task.done_at = None
        bump(task)
        task.save(update_fields=["done_at", "version"])
    return task


TASK_FIELDS = ("title", "notes", "customer", "deal", "due_at", "priority")


@transaction.atomic
def update_task(
    *,
    task: Task,
    by: User,
    assignee: User | None = None,
    version: int | None = None,
    **fields,
) -> Task:
    """Change a task's details, or hand it to another rep: the writer acts for both reps."""
    task = lock_row(Task, task.pk)
    check_version(task, version)
    bump(task)
    check_owner(task.assignee, by)
    for name, value in fields.items():
        if name not in TASK_FIELDS:
            raise ValueError(f"{name} is not an editable task field")
        setattr(task, name, value)
    handed_over = assignee is not None and assignee.pk != task.assignee_id
    if handed_over:
        check_owner(assignee, by)
        task.assignee = assignee
    task.save()
    if handed_over and assignee.pk != by.pk:
        _tell_assignee(task, by)
    return task


def _tell_assignee(task: Task, by: User) -> None:

    notify(
        user=task.assignee,
        kind=NotificationKind.TASK_ASSIGNED,
        key=f"task-assigned:{task.pk}:{task.assignee_id}",
        # Lazy: notify() renders it in the assignee's language.
        title=format_lazy(
            gettext_lazy("{by} gave you a task: {task}"), by=str(by), task=task.title
        ),
        url=f"/tasks/#task-{task.pk}",
    )


# --- Going overdue ----------------------------------------------------------------------------

# How far back the job looks for tasks that went overdue: a run missed for up to this long
# is caught up; an endpoint subscribed today is not sent every task ever overdue.
OVERDUE_LOOKBACK = timedelta(days=2)


def emit_overdue_task_events(*, now: datetime | None = None) -> int:
    """task.overdue, once for each open task whose due time passed (within the lookback).

    Idempotent: a task already sent as overdue since its current due time is skipped, so
    running twice sends nothing new; a task whose due time is moved later and passes
    again goes overdue again. Costs one query when no endpoint wants the event."""
    if not endpoints_wanting(WebhookEventType.TASK_OVERDUE):
        return 0
    with transaction.atomic():
        return _emit_overdue(job_now(now))


def _emit_overdue(now: datetime) -> int:
    sent = WebhookEvent.objects.filter(
        type=WebhookEventType.TASK_OVERDUE,
        object_type="task",
        object_id=Cast(OuterRef("pk"), CharField()),
        occurred_at__gte=OuterRef("due_at"),
    )
    tasks = list(
        Task.objects.select_for_update(of=("self",))
        .overdue(now)
        .filter(due_at__gte=now - OVERDUE_LOOKBACK)
        .exclude(Exists(sent))
        .order_by("due_at", "pk")
    )
    return len(emit_many(WebhookEventType.TASK_OVERDUE, tasks, now=now))
