"""Writes to tasks: created for a rep the writer may act for, done, reopened, edited;
the assignee is told when someone else gives them a task."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from activities.models import (
    Task,
)
from salesmgmt.models import NotificationKind, User
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
