"""Writes to the activity log: every change is checked and kept."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Activity,
    ActivityChange,
    ActivitySource,
    Channel,
    Customer,
    Deal,
    Metric,
    Pipeline,
    Product,
    Stage,
    StageKind,
    StageTransition,
    Task,
)
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, User
from salesmgmt.versioning import check_version, lock_row


def reps_writable_by(user: User):
    """The reps whose log ``user`` may write: themselves, or the reps they manage."""
    return User.objects.visible_to(user).sales_reps()


def check_can_write_day(
    *,
    rep: User,
    day: date,
    by: User,
    company: CompanySettings | None = None,
    writable_rep_ids: set[int] | None = None,
) -> None:
    """Reps write their own last N days; the rep's managers may write any past day.

    ``writable_rep_ids`` (from ``reps_writable_by``) saves a query per row in bulk.
    """
    company = company or CompanySettings.load()
    if day > company.today():
        raise RuleViolation(
            {"day": "Activity cannot be logged for a day that has not happened yet."}
        )
    if by.pk == rep.pk:
        if day < company.oldest_editable_day():
            raise RuleViolation(
                {
                    "day": (
                        f"Days before {date_format(company.oldest_editable_day())} can only be "
                        "changed by your manager."
                    )
                }
            )
        return
    if writable_rep_ids is not None:
        may_write = rep.pk in writable_rep_ids
    else:
        may_write = reps_writable_by(by).filter(pk=rep.pk).exists()
    if not by.reviews_plans or not may_write:
        raise PermissionDenied("You may not change this rep's activity log.")


@dataclass(frozen=True)
class DayLine:
    metric: Metric
    quantity: Decimal
    channel: Channel | None = None
    product: Product | None = None
    note: str = ""

    @property
    def key(self):
        return (
            self.metric.pk,
            getattr(self.channel, "pk", None),
            getattr(self.product, "pk", None),
        )


def _row_key(activity: Activity):
    return (activity.metric_id, activity.channel_id, activity.product_id)


def day_stamp(rows) -> str:
    """What a day's hand-logged rows were when a page showed them: their keys and
    versions, hashed. Any write to the day (a row added, changed or removed) changes it."""
    seen = ",".join(f"{row.pk}.{row.version}" for row in sorted(rows, key=lambda r: r.pk))
    return hashlib.blake2b(seen.encode(), digest_size=8).hexdigest()


DAY_CHANGED = (
    "Someone else changed this day's log since you opened it; nothing was saved. "
    "Their change is listed below: reload the day, then enter your numbers again."
)


@transaction.atomic
def save_day_log(
    *, rep: User, day: date, lines: list[DayLine], by: User, stamp: str | None = None
) -> dict[str, int]:
    """Make the rep's hand-logged rows for ``day`` equal ``lines``.

    Lines are keyed by (metric, channel, product); a blank or zero line removes
    its row. Rows ingested through the API are left alone. Returns counts of
    rows created, updated and deleted. ``stamp`` is the day_stamp the page was drawn
    from: the whole day is written at once, so a day changed since is a conflict.
    """
    check_can_write_day(rep=rep, day=day, by=by)
    wanted: dict[tuple, DayLine] = {}
    for line in lines:
        if line.key in wanted:
            raise RuleViolation(
                f"{line.metric} is listed twice with the same channel and product; "
                "put the numbers on one line."
            )
        wanted[line.key] = line

    existing = {
        _row_key(a): a
        for a in Activity.objects.select_for_update(of=("self",))
        .filter(rep=rep, day=day, source=ActivitySource.MANUAL)
        .select_related("metric", "channel", "product")
    }
    if stamp is not None and stamp != day_stamp(existing.values()):
        raise ConflictError(DAY_CHANGED)
    counts = {"created": 0, "updated": 0, "deleted": 0}
    changes = []
    for key, line in wanted.items():
        row = existing.pop(key, None)
        if not line.quantity:
            if row is not None:
                existing[key] = row  # removed below
            continue
        if row is None:
            row = Activity.objects.create(
                rep=rep,
                day=day,
                metric=line.metric,
                channel=line.channel,
                product=line.product,
                quantity=line.quantity,
                note=line.note,
                created_by=by,
            )
            changes.append(_change(row, ActivityChange.Action.CREATED, by, new=row.snapshot()))
            counts["created"] += 1
        elif row.quantity != line.quantity or row.note != line.note:
            old = row.snapshot()
            row.quantity, row.note = line.quantity, line.note
            _bump(row)
            row.save(update_fields=["quantity", "note", "version", "updated_at"])
            changes.append(
                _change(row, ActivityChange.Action.UPDATED, by, old=old, new=row.snapshot())
            )
            counts["updated"] += 1
    for row in existing.values():
        changes.append(_change(row, ActivityChange.Action.DELETED, by, old=row.snapshot()))
        row.delete()
        counts["deleted"] += 1
    ActivityChange.objects.bulk_create(changes)
    return counts


def _change(activity, action, by, *, old=None, new=None) -> ActivityChange:
    return ActivityChange(
        activity=activity if action != ActivityChange.Action.DELETED else None,
        rep_id=activity.rep_id,
        day=activity.day,
        action=action,
        by=by,
        old=old,
        new=new,
    )


EDITABLE_FIELDS = ("day", "metric", "quantity", "channel", "product", "note")


@transaction.atomic
def create_activity(*, by: User, rep: User, **fields) -> Activity:
    check_can_write_day(rep=rep, day=fields["day"], by=by)
    activity = Activity.objects.create(rep=rep, created_by=by, **fields)
    _change(activity, ActivityChange.Action.CREATED, by, new=activity.snapshot()).save()
    return activity


@transaction.atomic
def update_activity(
    *, activity: Activity, by: User, version: int | None = None, **fields
) -> Activity:
    activity = lock_row(Activity, activity.pk)
    check_version(activity, version)
    check_can_write_day(rep=activity.rep, day=activity.day, by=by)
    if "day" in fields:
        check_can_write_day(rep=activity.rep, day=fields["day"], by=by)
    old = activity.snapshot()
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable activity field")
        setattr(activity, name, value)
    _bump(activity)
    activity.save()
    if activity.snapshot() != old:
        _change(
            activity, ActivityChange.Action.UPDATED, by, old=old, new=activity.snapshot()
        ).save()
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, by: User, version: int | None = None) -> None:
    activity = lock_row(Activity, activity.pk)
    check_version(activity, version)
    check_can_write_day(rep=activity.rep, day=activity.day, by=by)
    _change(activity, ActivityChange.Action.DELETED, by, old=activity.snapshot()).save()
    activity.delete()


MAX_BATCH = 10_000


class BatchRejected(RuleViolation):
    """A bulk batch had bad rows; nothing was stored. ``rows`` maps index -> errors."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        super().__init__(f"{len(rows)} row(s) were refused; nothing was stored.")
        self.rows = rows


@transaction.atomic
def ingest_activities(*, entries: list[dict], by: User) -> dict[str, int]:
    """Store a batch from an integration, all or nothing.

    Each entry holds rep, day, metric, quantity, optional channel, product and
    note, and its ``source`` + ``external_id``. A row whose (source,
    external_id) is already stored is updated only if a value differs, so a
    re-sent batch changes nothing.
    """
    if len(entries) > MAX_BATCH:
        raise RuleViolation(f"A batch holds at most {MAX_BATCH:,} entries.")
    company = CompanySettings.load()
    writable = set(reps_writable_by(by).values_list("pk", flat=True))
    errors: dict[int, dict[str, list[str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    # Reps ingest their own numbers without naming themselves; anyone else names the rep.
    entries = [
        {**entry, "rep": entry.get("rep") or (by if by.is_rep else None)} for entry in entries
    ]
    for index, entry in enumerate(entries):
        key = (entry["source"], entry["external_id"])
        if key in seen:
            errors[index] = {"external_id": [f"Repeats the external_id of row {seen[key]}."]}
        elif entry["rep"] is None:
            errors[index] = {"rep": ["Say which rep this activity is for."]}
        seen.setdefault(key, index)

    existing = _stored_rows(seen)
    for index, entry in enumerate(entries):
        if index in errors:
            continue
        row = existing.get((entry["source"], entry["external_id"]))
        if row is None:
            error = _write_error(entry["rep"], entry["day"], by, company, writable)
        elif row.rep_id not in writable:
            error = {"external_id": ["This external_id is already used by another rep's activity."]}
        elif row.rep_id != entry["rep"].pk:
            error = {"rep": ["An activity cannot move to another rep."]}
        elif _entry_values(entry) == _row_values(row):
            error = None  # a re-sent row changes nothing, whatever its day
        else:
            # A change follows the rules for the day the row moves to and the day it was on.
            error = _write_error(entry["rep"], entry["day"], by, company, writable) or (
                _write_error(entry["rep"], row.day, by, company, writable)
            )
        if error:
            errors[index] = error
    if errors:
        raise BatchRejected(errors)

    to_create, to_update, changes = [], [], []
    for entry in entries:
        row = existing.get((entry["source"], entry["external_id"]))
        values = {
            name: entry.get(name)
            for name in ("rep", "day", "metric", "quantity", "channel", "product")
        }
        values["note"] = entry.get("note") or ""
        if row is None:
            to_create.append(
                Activity(
                    created_by=by,
                    source=entry["source"],
                    external_id=entry["external_id"],
                    **values,
                )
            )
            continue
        old = row.snapshot()
        for name, value in values.items():
            setattr(row, name, value)
        if row.snapshot() != old:
            to_update.append(row)
            changes.append(
                _change(row, ActivityChange.Action.UPDATED, by, old=old, new=row.snapshot())
            )
    created = Activity.objects.bulk_create(to_create, batch_size=1000)
    changes.extend(_change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in created)
    now = timezone.now()
    for row in to_update:
        row.updated_at = now  # bulk_update skips auto_now
        _bump(row)
    Activity.objects.bulk_update(
        to_update, [*EDITABLE_FIELDS, "version", "updated_at"], batch_size=1000
    )
    ActivityChange.objects.bulk_create(changes, batch_size=1000)
    return {
        "created": len(created),
        "updated": len(to_update),
        "unchanged": len(entries) - len(created) - len(to_update),
    }


def _write_error(rep, day, by, company, writable) -> dict[str, list[str]] | None:
    try:
        check_can_write_day(rep=rep, day=day, by=by, company=company, writable_rep_ids=writable)
    except RuleViolation as exc:
        return exc.message_dict
    except PermissionDenied as exc:
        return {"rep": [str(exc)]}
    return None


def _stored_rows(keys) -> dict[tuple[str, str], Activity]:
    """The stored rows for exactly these (source, external_id) pairs, locked."""
    found: dict[tuple[str, str], Activity] = {}
    keys = list(keys)
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        rows = Activity.objects.select_for_update(of=("self",)).filter(
            source__in={s for s, _ in chunk}, external_id__in={e for _, e in chunk}
        )
        wanted = set(chunk)
        for row in rows.select_related("metric", "channel", "product"):
            if (row.source, row.external_id) in wanted:  # the IN lists also match cross pairs
                found[(row.source, row.external_id)] = row
    return found


def _entry_values(entry) -> tuple:
    return (
        entry["day"],
        entry["metric"].pk,
        Decimal(entry["quantity"]),
        getattr(entry.get("channel"), "pk", None),
        getattr(entry.get("product"), "pk", None),
        entry.get("note") or "",
    )


def _row_values(row: Activity) -> tuple:
    return (row.day, row.metric_id, row.quantity, row.channel_id, row.product_id, row.note)


# --- Customers --------------------------------------------------------------------------------


def _check_owner(owner: User, by: User) -> None:
    """Customers, deals and tasks belong to a rep the writer may act for."""
    if not reps_writable_by(by).filter(pk=owner.pk).exists():
        raise PermissionDenied("You may not act for this rep.")


def _bump(row) -> None:
    row.version += 1


def check_closed_reason(status: str, lost_reason) -> None:
    if status in CLOSED_CUSTOMER_STATUSES and lost_reason is None:
        raise RuleViolation({"lost_reason": "Say why: a reason is required for this status."})


CUSTOMER_FIELDS = (
    "name",
    "owner",
    "status",
    "segment",
    "source_channel",
    "lost_reason",
    "lost_note",
    "city",
    "phone",
    "email",
    "external_id",
)


@transaction.atomic
def save_customer(
    *, by: User, customer: Customer | None = None, version: int | None = None, **fields
) -> Customer:
    """Create (customer=None) or change a customer. 'Did not buy' and 'lost' need a reason.

    A change made from a read of ``version`` is refused (ConflictError) if the
    customer changed since."""
    if customer is None or customer.pk is None:
        customer = customer or Customer()
    else:
        customer = lock_row(Customer, customer.pk)
        check_version(customer, version)
        _bump(customer)
    for name, value in fields.items():
        if name not in CUSTOMER_FIELDS:
            raise ValueError(f"{name} is not a customer field")
        setattr(customer, name, value)
    _check_owner(customer.owner, by)
    check_closed_reason(customer.status, customer.lost_reason)
    if customer.status not in CLOSED_CUSTOMER_STATUSES:
        customer.lost_reason, customer.lost_note = None, ""
    customer.save()
    return customer


# --- Stages -----------------------------------------------------------------------------------

STAGE_FIELDS = ("pipeline", "key", "name", "position", "probability", "kind")


def check_stage_change(*, stage: Stage, pipeline: Pipeline | None = None, kind=None) -> None:
    """A stage stays in its pipeline, and keeps its kind while deals sit in it: a
    deal's close date and its counted sale come from the kind of stage it moved into."""
    if pipeline is not None and pipeline.pk != stage.pipeline_id:
        raise RuleViolation(
            {"pipeline": "A stage cannot move to another pipeline; its deals stay."}
        )
    if kind is not None and kind != stage.kind:
        count = stage.deals.count()
        if count:
            deals = "1 deal sits" if count == 1 else f"{count} deals sit"
            raise RuleViolation(
                {
                    "kind": f"{deals} in {stage}; move them to another stage "
                    "before changing its kind."
                }
            )


@transaction.atomic
def update_stage(*, stage: Stage, **fields) -> Stage:
    # Locked, so two edits of one stage are checked one after the other.
    stage = lock_row(Stage, stage.pk)
    if set(fields) - set(STAGE_FIELDS):
        raise ValueError(f"unknown stage fields: {set(fields) - set(STAGE_FIELDS)}")
    check_stage_change(stage=stage, pipeline=fields.get("pipeline"), kind=fields.get("kind"))
    for name, value in fields.items():
        setattr(stage, name, value)
    stage.save()
    return stage


# --- Deals ------------------------------------------------------------------------------------


def deal_outcome_metrics() -> dict[str, Metric]:
    return {m.key: m for m in Metric.objects.filter(key__in=["sales-closed", "sales-value"])}


def _deal_outcome_rows(deal: Deal, *, metrics: dict[str, Metric] | None = None) -> list[Activity]:
    """A won deal counts as one sale and its amount, for its owner, on its close date."""
    metrics = deal_outcome_metrics() if metrics is None else metrics
    product = deal.products.first()
    rows = []
    for key, quantity in (("sales-closed", Decimal("1")), ("sales-value", deal.amount)):
        if key in metrics:
            rows.append(
                Activity(
                    rep_id=deal.owner_id,
                    day=deal.closed_on,
                    metric=metrics[key],
                    quantity=quantity,
                    product=product,
                    customer_id=deal.customer_id,
                    deal=deal,
                    source=ActivitySource.DEAL,
                    external_id=f"deal-{deal.pk}-{key}",
                    created_by_id=deal.owner_id,
                    note=deal.title[:200],
                )
            )
    return rows


def _sync_deal_outcome(deal: Deal, by: User) -> None:
    """Keep the deal's 'won' activity rows equal to what the deal says now.

    The rule against double counting: a won deal writes its own rows (source
    "deal", one per metric, keyed by the deal) and nothing else does; reps log
    by hand only the sales that never went through the pipeline.
    """
    stale = Activity.objects.filter(deal=deal, source=ActivitySource.DEAL)
    changes = [_change(a, ActivityChange.Action.DELETED, by, old=a.snapshot()) for a in stale]
    stale.delete()
    if deal.stage.kind == StageKind.WON:
        _ensure_closed_on(deal)
        created = Activity.objects.bulk_create(_deal_outcome_rows(deal))
        changes += [
            _change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in created
        ]
    ActivityChange.objects.bulk_create(changes)


def _ensure_closed_on(deal: Deal) -> None:
    """A closed deal has a close date. One without (a stage whose kind changed under it,
    before that was refused) closes today, as a move into the stage would have."""
    if deal.closed_on is None and not deal.stage.is_open:
        deal.closed_on = CompanySettings.load().today()
        deal.save(update_fields=["closed_on"])


def _check_stage(stage: Stage, pipeline: Pipeline, lost_reason, note: str) -> None:
    if stage.pipeline_id != pipeline.pk:
        raise RuleViolation({"stage": f"{stage} is not a stage of {pipeline}."})
    if stage.kind == StageKind.LOST and lost_reason is None:
        raise RuleViolation({"lost_reason": "Say why the deal was lost."})


DEAL_FIELDS = (
    "title",
    "customer",
    "owner",
    "pipeline",
    "amount",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
    "source",
    "external_id",
)


@transaction.atomic
def create_deal(*, by: User, stage: Stage | None = None, products=(), **fields) -> Deal:
    deal = Deal(**{k: v for k, v in fields.items() if k in DEAL_FIELDS})
    if set(fields) - set(DEAL_FIELDS) - {"lost_reason", "lost_note"}:
        raise ValueError(f"unknown deal fields: {set(fields) - set(DEAL_FIELDS)}")
    _check_owner(deal.owner, by)
    if (
        deal.customer.owner_id != deal.owner_id
        and not reps_writable_by(by).filter(pk=deal.customer.owner_id).exists()
    ):
        raise PermissionDenied("That customer is outside your scope.")
    stage = _entered(stage or deal.pipeline.stages.order_by("position").first())
    _check_stage(stage, deal.pipeline, fields.get("lost_reason"), fields.get("lost_note", ""))
    now = timezone.now()
    deal.stage, deal.stage_entered_at = stage, now
    deal.lost_reason, deal.lost_note = fields.get("lost_reason"), fields.get("lost_note", "")
    if not stage.is_open:
        deal.closed_on = CompanySettings.load().today()
    deal.save()
    deal.products.set(products)
    StageTransition.objects.create(deal=deal, from_stage=None, to_stage=stage, at=now, by=by)
    _sync_deal_outcome(deal, by)
    return deal


def _entered(stage: Stage) -> Stage:
    """The stage a deal moves into, read as it stands and held until the move commits:
    update_stage (which locks the stage for update) then waits for the move and counts
    the deal, or the move waits and sees the stage's new kind. Moves into one stage
    take turns; each is short."""
    return Stage.objects.select_for_update(no_key=True).get(pk=stage.pk)


@transaction.atomic
def update_deal(
    *, deal: Deal, by: User, products=None, version: int | None = None, **fields
) -> Deal:
    """Change a deal's details (not its stage: see move_deal)."""
    deal = lock_row(Deal, deal.pk)
    check_version(deal, version)
    _bump(deal)
    for name, value in fields.items():
        if name not in DEAL_FIELDS or name in ("pipeline",):
            raise ValueError(f"{name} cannot be changed here")
        setattr(deal, name, value)
    _check_owner(deal.owner, by)
    deal.save()
    if products is not None:
        deal.products.set(products)
    if deal.stage.kind == StageKind.WON:
        _sync_deal_outcome(deal, by)  # amount, owner or product may have changed
    return deal


@transaction.atomic
def move_deal(
    *,
    deal: Deal,
    to_stage: Stage,
    by: User,
    lost_reason=None,
    note: str = "",
    version: int | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline, recording the transition.

    Lost needs a reason. Winning counts the sale for the owner on today's date;
    moving a won deal back takes that count away again. The rules are checked on
    the locked row, so a move that raced another sees the stage that won.
    """
    deal = lock_row(Deal, deal.pk)
    check_version(deal, version)
    _check_owner(deal.owner, by)
    to_stage = _entered(to_stage)
    _check_stage(to_stage, deal.pipeline, lost_reason, note)
    if to_stage.pk == deal.stage_id:
        return deal
    now = timezone.now()
    StageTransition.objects.create(
        deal=deal, from_stage=deal.stage, to_stage=to_stage, at=now, by=by, note=note
    )
    deal.stage, deal.stage_entered_at = to_stage, now
    _bump(deal)
    deal.closed_on = None if to_stage.is_open else CompanySettings.load().today()
    if to_stage.kind == StageKind.LOST:
        deal.lost_reason, deal.lost_note = lost_reason, note
    else:
        deal.lost_reason, deal.lost_note = None, ""
    deal.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "closed_on",
            "lost_reason",
            "lost_note",
            "version",
            "updated_at",
        ]
    )
    _sync_deal_outcome(deal, by)
    return deal


# --- Tasks ------------------------------------------------------------------------------------


@transaction.atomic
def create_task(*, by: User, assignee: User, **fields) -> Task:
    """A rep sets their own tasks; a manager sets tasks for their reps."""
    _check_owner(assignee, by)
    task = Task.objects.create(assignee=assignee, created_by=by, **fields)
    if assignee.pk != by.pk:
        _tell_assignee(task, by)
    return task


@transaction.atomic
def complete_task(*, task: Task, by: User, version: int | None = None) -> Task:
    task = lock_row(Task, task.pk)
    check_version(task, version)
    _check_owner(task.assignee, by)
    if task.done_at is None:
        task.done_at = timezone.now()
        _bump(task)
        task.save(update_fields=["done_at", "version"])
    return task


@transaction.atomic
def reopen_task(*, task: Task, by: User, version: int | None = None) -> Task:
    task = lock_row(Task, task.pk)
    check_version(task, version)
    _check_owner(task.assignee, by)
    if task.done_at is not None:
        task.done_at = None
        _bump(task)
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
    _bump(task)
    _check_owner(task.assignee, by)
    for name, value in fields.items():
        if name not in TASK_FIELDS:
            raise ValueError(f"{name} is not an editable task field")
        setattr(task, name, value)
    handed_over = assignee is not None and assignee.pk != task.assignee_id
    if handed_over:
        _check_owner(assignee, by)
        task.assignee = assignee
    task.save()
    if handed_over and assignee.pk != by.pk:
        _tell_assignee(task, by)
    return task


def _tell_assignee(task: Task, by: User) -> None:
    from salesmgmt.models import NotificationKind
    from salesmgmt.notifications import notify

    notify(
        user=task.assignee,
        kind=NotificationKind.TASK_ASSIGNED,
        key=f"task-assigned:{task.pk}:{task.assignee_id}",
        title=f"{by} gave you a task: {task.title}",
        url=f"/tasks/#task-{task.pk}",
    )


# --- Deal upsert from integrations -----------------------------------------------------------


DETAIL_FIELDS = (
    "title",
    "customer",
    "owner",
    "amount",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
)
REFERENCES = ("customer", "owner")


@transaction.atomic
def upsert_deals(*, entries: list[dict], by: User) -> dict[str, int]:
    """Create, update and move deals keyed by (source, external_id), all or nothing.

    New deals are written in bulk, with create_deal's checks, first transition
    and (when won from the start) counted sale. Stored deals that changed go
    through ``update_deal`` and ``move_deal``, so every stage change is
    recorded exactly as on the page.
    """
    errors: dict[int, dict] = {}
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        key = (entry["source"], entry["external_id"])
        if key in seen:
            errors[index] = {"external_id": [f"Repeats the external_id of row {seen[key]}."]}
        seen.setdefault(key, index)
    existing = _stored_deals(seen)
    writable = set(reps_writable_by(by).values_list("pk", flat=True))
    fresh, stored = [], []
    for index, entry in enumerate(entries):
        if index in errors:
            continue
        deal = existing.get((entry["source"], entry["external_id"]))
        if deal is None:
            error = _refusal_of_new(entry, writable)
            fresh.append(entry)
        else:
            error = _refusal_of_change(entry, deal, writable)
            stored.append((index, entry, deal))
        if error:
            errors[index] = error
    if errors:
        raise BatchRejected(errors)

    counts = {"created": _create_deals(fresh, by), "updated": 0, "unchanged": 0}
    for index, entry, deal in stored:
        try:
            changed = _apply_changes(entry, deal, by)
        except RuleViolation as exc:
            errors[index] = _field_errors(exc)
        except PermissionDenied as exc:
            errors[index] = {"owner": [str(exc)]}
        else:
            counts["updated" if changed else "unchanged"] += 1
    if errors:
        raise BatchRejected(errors)
    return counts


def _stage_refusal(entry, pipeline) -> dict | None:
    try:
        _check_stage(entry["stage"], pipeline, entry["lost_reason"], entry["lost_note"])
    except RuleViolation as exc:
        return _field_errors(exc)
    return None


def _refusal_of_new(entry, writable) -> dict | None:
    """create_deal's checks, made without a query per row."""
    if entry["owner"].pk not in writable:
        return {"owner": ["You may not act for this rep."]}
    customer = entry["customer"]
    if customer.owner_id != entry["owner"].pk and customer.owner_id not in writable:
        return {"customer": ["That customer is outside your scope."]}
    return _stage_refusal(entry, entry["pipeline"])


def _refusal_of_change(entry, deal, writable) -> dict | None:
    if deal.owner_id not in writable:
        return {"external_id": ["This external_id is already used by a deal outside your scope."]}
    if deal.pipeline_id != entry["pipeline"].pk:
        return {"pipeline": ["A deal cannot move to another pipeline."]}
    if deal.stage_id != entry["stage"].pk:
        return _stage_refusal(entry, deal.pipeline)
    return None


def _create_deals(entries, by) -> int:
    """create_deal for many: the deals, their products, their first transition,
    and for deals won from the start the sale they count (by the services' rule)."""
    now, today = timezone.now(), CompanySettings.load().today()
    deals = Deal.objects.bulk_create(
        [
            Deal(
                stage=entry["stage"],
                stage_entered_at=now,
                closed_on=None if entry["stage"].is_open else today,
                **{k: v for k, v in entry.items() if k not in ("stage", "products")},
            )
            for entry in entries
        ],
        batch_size=1000,
    )
    Through = Deal.products.through
    Through.objects.bulk_create(
        [
            Through(deal_id=deal.pk, product_id=product_pk)
            for deal, entry in zip(deals, entries, strict=True)
            for product_pk in {p.pk for p in entry["products"]}
        ],
        batch_size=1000,
    )
    StageTransition.objects.bulk_create(
        [
            StageTransition(deal=deal, from_stage=None, to_stage=deal.stage, at=now, by=by)
            for deal in deals
        ],
        batch_size=1000,
    )
    won = [deal for deal in deals if deal.stage.kind == StageKind.WON]
    prefetch_related_objects(won, "products")
    outcome_metrics = deal_outcome_metrics()
    sales = Activity.objects.bulk_create(
        [row for deal in won for row in _deal_outcome_rows(deal, metrics=outcome_metrics)],
        batch_size=1000,
    )
    ActivityChange.objects.bulk_create(
        [_change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in sales],
        batch_size=1000,
    )
    return len(deals)


def _apply_changes(entry: dict, deal: Deal, by) -> bool:
    """Bring a stored deal in line with its entry; False when nothing differs.

    A lost deal that stays lost keeps its reason: only a move sets one.
    """
    fields = {name: entry[name] for name in DETAIL_FIELDS}
    stored = {name: getattr(deal, f"{name}_id" if name in REFERENCES else name) for name in fields}
    wanted = {name: value.pk if name in REFERENCES else value for name, value in fields.items()}
    products = {p.pk for p in entry["products"]}
    details_changed = stored != wanted or products != {p.pk for p in deal.products.all()}
    moved = deal.stage_id != entry["stage"].pk
    if details_changed:
        deal = update_deal(deal=deal, by=by, products=entry["products"], **fields)
    if moved:
        move_deal(
            deal=deal,
            to_stage=entry["stage"],
            by=by,
            lost_reason=entry["lost_reason"],
            note=entry["lost_note"],
        )
    return details_changed or moved


def _stored_deals(keys) -> dict[tuple[str, str], Deal]:
    """The stored deals for exactly these (source, external_id) pairs, locked."""
    found: dict[tuple[str, str], Deal] = {}
    keys = list(keys)
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        rows = (
            Deal.objects.select_for_update(of=("self",))
            .filter(source__in={s for s, _ in chunk}, external_id__in={e for _, e in chunk})
            .select_related("pipeline")
            .prefetch_related("products")
        )
        wanted = set(chunk)
        for row in rows:
            if (row.source, row.external_id) in wanted:  # the IN lists also match cross pairs
                found[(row.source, row.external_id)] = row
    return found


def _field_errors(exc: RuleViolation) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
