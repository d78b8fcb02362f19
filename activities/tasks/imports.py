"""Tasks from a spreadsheet: title, assignee, due time, customer, deal, done, notes.

As on the pages (activities.tasks.services): a task belongs to a rep the importer may
act for, and names only a customer and a deal they can see (a deal names its customer).
Times are read in the importer's timezone; a date alone means 17:00. Rows are matched
by ``external_id``, or by the ``task-<id>`` our export writes for tasks without one.
Imported tasks do not notify their assignees one by one: the import is one act.
"""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.log.imports import customer_cell, customers_named, pick_customer
from activities.models import Deal, Task, TaskPriority
from salesmgmt.audit.history import bulk_create_with_audit, bulk_update_with_audit
from salesmgmt.events import emit_many
from salesmgmt.imports import cells
from salesmgmt.imports.registry import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Check,
    Column,
    Importer,
    Row,
    external_key,
    stored_pk,
)
from salesmgmt.models import WebhookEventType
from salesmgmt.org.services import reps_writable_by
from salesmgmt.versioning import bump

PREFIX = "task"
BATCH = 1000
DATE_ALONE = time(17, 0)
FIELDS = ("title", "notes", "assignee", "customer", "deal", "due_at", "priority", "done_at")


def deals_named(names: set[str], user) -> dict[str, Deal | None]:
    """Visible deals by external_id or title, lower-cased (None: a title several share)."""
    return cells.named(Deal.objects.visible_to(user), "title", names)


def pick_deal(check: Check, row: Row, column: str, deals: dict) -> Deal | None:
    return cells.pick_named(
        check,
        row,
        column,
        deals,
        missing=_("No deal you can see has the title or external_id '%(value)s'."),
        shared=_("Several of your deals are called '%(value)s': give its external_id."),
    )


def local_cell(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _aware(value: datetime, *, date_alone: bool) -> datetime:
    if date_alone:
        value = datetime.combine(value.date(), DATE_ALONE)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


class TaskImporter(Importer):
    kind = "tasks"
    label = gettext_lazy("tasks")
    list_url = "tasks:my_day"
    columns = (
        Column(
            "external_id",
            help=gettext_lazy("Your system's id for the task: a task stored with it is updated."),
            example="CRM-T-1001",
        ),
        Column(
            "title", required=True, help=gettext_lazy("Up to 200 characters."), example="Call back"
        ),
        Column(
            "assignee",
            help=gettext_lazy("The rep's username or e-mail; empty for a rep's own file."),
            example="rep.jose",
        ),
        Column(
            "due",
            required=True,
            help=gettext_lazy("YYYY-MM-DD HH:MM in your timezone (a date alone: 17:00)."),
            example="2026-12-10 09:30",
        ),
        Column(
            "priority",
            help=gettext_lazy("low, normal or high (normal if empty)."),
            example="normal",
        ),
        Column(
            "customer", help=gettext_lazy("A customer's external_id or name, optional."), example=""
        ),
        Column("deal", help=gettext_lazy("A deal's external_id or title, optional."), example=""),
        Column(
            "done",
            help=gettext_lazy("yes or no, or when it was done (YYYY-MM-DD HH:MM)."),
            example="no",
        ),
        Column("notes", help=gettext_lazy("Free text."), example=""),
    )

    def allowed_values(self) -> dict[str, str]:
        return {"priority": ", ".join(TaskPriority.values)}

    def check(self, rows, user, *, lock=False, progress=None) -> Check:
        check = Check()
        people = cells.people(reps_writable_by(user))
        writable = {p.pk for p in people.values()}
        customers = customers_named({r.cell("customer") for r in rows} - {""}, user)
        deals = deals_named({r.cell("deal") for r in rows} - {""}, user)
        stored = self._stored(rows, lock=lock)
        seen: dict[str, int] = {}
        now = timezone.now()
        for index, row in enumerate(rows, start=1):
            self._check_row(check, row, user, people, writable, customers, deals, stored, seen, now)
            if progress and index % 100 == 0:
                progress(index)
        return check

    def _stored(self, rows, *, lock: bool) -> dict[str, Task]:
        keys = {r.cell("external_id") for r in rows} - {""}
        if not keys:
            return {}
        pks = {pk for key in keys if (pk := stored_pk(key, PREFIX)) is not None}
        found = Task.objects.filter(Q(external_id__in=keys) | Q(pk__in=pks, external_id=""))
        if lock:
            found = found.select_for_update(of=("self",))
        return {external_key(task, PREFIX): task for task in found}

    def _check_row(self, check, row, user, people, writable, customers, deals, stored, seen, now):
        external_id = cells.external_id(check, row, Task, seen)
        title = cells.text(check, row, "title", Task, "title", required=True)
        name = row.cell("assignee")
        assignee = people.get(name.lower()) if name else (user if user.is_rep else None)
        if assignee is None:
            check.problem(
                row,
                "assignee",
                _("No rep you may act for has the username or e-mail '%(value)s'.")
                % {"value": name}
                if name
                else _("Say which rep does this task."),
            )
        due = cells.moment(check, row, "due")
        priority = row.cell("priority").lower() or TaskPriority.NORMAL
        if priority not in TaskPriority.values:
            check.problem(
                row,
                "priority",
                _("'%(value)s': use %(choices)s.")
                % {"value": row.cell("priority"), "choices": ", ".join(TaskPriority.values)},
            )
        customer = pick_customer(check, row, "customer", customers)
        deal = pick_deal(check, row, "deal", deals)
        if deal is not None and customer is not None and deal.customer_id != customer.pk:
            check.problem(
                row,
                "deal",
                _("%(deal)s is a deal of another customer.") % {"deal": deal.title},
            )
        done_cell = row.cell("done").lower()
        done, done_at = None, None
        if done_cell and done_cell[:1].isdigit() and done_cell not in cells.YES | cells.NO:
            done_at = cells.moment(check, row, "done")
            done = done_at is not None
        else:
            done = cells.yes_no(check, row, "done")
        notes = row.cell("notes")
        if check.has_problem(row):
            return

        task = stored.get(external_id) if external_id else None
        if task is not None and task.assignee_id not in writable:
            check.problem(
                row, "external_id", _("This external_id belongs to a task you cannot change.")
            )
            return
        due_at = _aware(due, date_alone=len(row.cell("due")) <= 10)
        if done_at is not None:
            done_at = _aware(done_at, date_alone=len(row.cell("done")) <= 10)
        if task is not None:
            # Times read back from a file are to the minute: the stored second stays.
            if _same_minute(task.due_at, due_at):
                due_at = task.due_at
            if (
                done
                and task.done_at is not None
                and (done_at is None or _same_minute(task.done_at, done_at))
            ):
                done_at = task.done_at
        if done and done_at is None:
            done_at = now
        values = {
            "title": title,
            "notes": notes,
            "assignee": assignee,
            "customer": deal.customer if deal is not None and customer is None else customer,
            "deal": deal,
            "due_at": due_at,
            "priority": priority,
            "done_at": done_at if done else None,
        }
        if task is None:
            check.plan[row.number] = Task(created_by=user, external_id=external_id, **values)
            check.set_action(row, CREATE)
            return
        before = tuple(
            getattr(task, f"{n}_id" if n in ("assignee", "customer", "deal") else n) for n in FIELDS
        )
        after = tuple(
            getattr(values[n], "pk", None) if n in ("assignee", "customer", "deal") else values[n]
            for n in FIELDS
        )
        if before == after:
            check.set_action(row, UNCHANGED)
            return
        check.plan[row.number] = (task, values)
        check.set_action(row, UPDATE)

    def write(self, rows, check, user) -> None:
        new = [check.plan[r.number] for r in rows if check.actions[r.number] == CREATE]
        bulk_create_with_audit(Task, new, batch_size=BATCH, by=user)
        changed, done = [], []
        for row in rows:
            if check.actions[row.number] == UPDATE:
                task, values = check.plan[row.number]
                if task.done_at is None and values.get("done_at") is not None:
                    done.append(task)
                for name, value in values.items():
                    setattr(task, name, value)
                bump(task)
                changed.append(task)
        bulk_update_with_audit(Task, changed, [*FIELDS, "version"], batch_size=BATCH, by=user)
        # As the task services tell receivers: new tasks, and tasks the file marks done.
        emit_many(WebhookEventType.TASK_CREATED, new)
        emit_many(WebhookEventType.TASK_DONE, done)

    def export_rows(self, tasks):
        for task in tasks.select_related("assignee", "customer", "deal"):
            yield [
                external_key(task, PREFIX),
                task.title,
                task.assignee.username,
                local_cell(task.due_at),
                task.priority,
                customer_cell(task.customer),
                (task.deal.external_id or task.deal.title) if task.deal_id else "",
                local_cell(task.done_at) if task.done_at else "no",
                task.notes,
            ]
