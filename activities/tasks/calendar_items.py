"""A person's open tasks in their calendar feed (salesmgmt.calendar_feeds).

The data holds no "meeting" kind: a meeting or call with a customer is a task with a
customer and a time ("Visit Toko Sinar Jaya", due 10:00), so every open task assigned
to the person is an event at its due time, named with its customer when it has one.
Done tasks leave the feed; overdue ones stay (within the feed's window)."""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Task
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url


def task_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """One query, whatever the number of tasks."""
    tasks = (
        Task.objects.visible_to(user)
        .open()
        .filter(assignee=user, due_at__gte=start, due_at__lt=end)
        .select_related("customer", "deal")
        .order_by("due_at", "pk")
    )
    items = []
    for task in tasks:
        lines = []
        if task.customer:
            lines.append(_("Customer: %(customer)s") % {"customer": task.customer.name})
        if task.deal:
            lines.append(_("Deal: %(deal)s") % {"deal": task.deal.title})
        if task.notes:
            lines.append(task.notes)
        summary = task.title
        if task.customer and task.customer.name.lower() not in task.title.lower():
            summary = _("%(task)s — %(customer)s") % {
                "task": task.title,
                "customer": task.customer.name,
            }
        items.append(
            FeedItem(
                uid=f"task-{task.pk}@salesmgmt",
                summary=summary,
                start=task.due_at,
                description="\n".join(lines),
                url=absolute_url("tasks:edit", task.pk),
                categories=(pgettext("calendar category", "Task"),),
                sequence=task.version,
            )
        )
    return items
