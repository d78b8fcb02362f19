"""Writes to the activity log: every change is checked and kept."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.models import (
    SALES_CLOSED,
    SALES_VALUE,
    Activity,
    ActivityChange,
    ActivitySource,
    Channel,
    Customer,
    Deal,
    Metric,
    Product,
)
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.events import emit
from salesmgmt.models import CompanySettings, User, WebhookEventType
from salesmgmt.org.services import reps_writable_by
from salesmgmt.versioning import bump, check_version, lock_row


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
            {"day": _("Activity cannot be logged for a day that has not happened yet.")}
        )
    if by.pk == rep.pk:
        if day < company.oldest_editable_day():
            raise RuleViolation(
                {
                    "day": _("Days before %(date)s can only be changed by your manager.")
                    % {"date": date_format(company.oldest_editable_day(), "DATE_MEDIUM")}
                }
            )
        return
    if writable_rep_ids is not None:
        may_write = rep.pk in writable_rep_ids
    else:
        may_write = reps_writable_by(by).filter(pk=rep.pk).exists()
    if not by.reviews_plans or not may_write:
        raise PermissionDenied(_("You may not change this rep's activity log."))


@dataclass
class ActivityBatch:
    """What one write to the log did, as the activities.logged event tells it: a day log
    saved, one activity created by API, one bulk ingest call. ``activities`` are the rows
    as they now stand (a day log: the whole day's hand-logged rows; an ingest: the rows it
    created or changed). ``rep`` and ``day`` are None when the batch spans several."""

    source: str
    by: User
    rep: User | None = None
    day: date | None = None
    activities: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # The batch is stored nowhere: its id is its own, for receivers to deduplicate on.
    pk: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def count(self) -> int:
        return len(self.activities)


def _emit_logged(batch: ActivityBatch, rows) -> None:
    """activities.logged for ``batch``; ``rows()`` reads its activities, only if wanted."""

    def load():
        batch.activities = list(rows())
        return batch

    emit(WebhookEventType.ACTIVITIES_LOGGED, batch, load=load)


def emit_imported(activities: list, *, by: User, created: int, updated: int) -> None:
    """One activities.logged for a spreadsheet import: the rows it created or changed."""
    if not activities:
        return
    rep_ids = {a.rep_id for a in activities}  # ids: reading a.rep would query per row
    days = {a.day for a in activities}
    batch = ActivityBatch(
        source=ActivitySource.IMPORT,
        by=by,
        rep=User.objects.get(pk=rep_ids.pop()) if len(rep_ids) == 1 else None,
        day=days.pop() if len(days) == 1 else None,
        created=created,
        updated=updated,
    )
    ids = [a.pk for a in activities]
    _emit_logged(batch, lambda: list(_for_api(Activity.objects.filter(pk__in=ids))))


def _for_api(activities):
    return activities.select_related("metric", "channel", "product").order_by("day", "pk")


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


DAY_CHANGED = gettext_lazy(
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
                _(
                    "%(metric)s is listed twice with the same channel and product; "
                    "put the numbers on one line."
                )
                % {"metric": line.metric}
            )
        wanted[line.key] = line

    existing = {
        _row_key(a): a
        for a in Activity.objects.select_for_update(of=("self",))
        .filter(rep=rep, day=day, source=ActivitySource.MANUAL)
        .select_related("metric", "channel", "product")
    }
    if stamp is not None and stamp != day_stamp(existing.values()):
        raise ConflictError(str(DAY_CHANGED))
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
            changes.append(
                record_change(row, ActivityChange.Action.CREATED, by, new=row.snapshot())
            )
            counts["created"] += 1
        elif row.quantity != line.quantity or row.note != line.note:
            old = row.snapshot()
            row.quantity, row.note = line.quantity, line.note
            bump(row)
            row.save(update_fields=["quantity", "note", "version", "updated_at"])
            changes.append(
                record_change(row, ActivityChange.Action.UPDATED, by, old=old, new=row.snapshot())
            )
            counts["updated"] += 1
    for row in existing.values():
        changes.append(record_change(row, ActivityChange.Action.DELETED, by, old=row.snapshot()))
        row.delete()
        counts["deleted"] += 1
    ActivityChange.objects.bulk_create(changes)
    if changes:
        _emit_logged(
            ActivityBatch(source=ActivitySource.MANUAL, by=by, rep=rep, day=day, **counts),
            lambda: _for_api(
                Activity.objects.filter(rep=rep, day=day, source=ActivitySource.MANUAL)
            ),
        )
    return counts


def record_change(activity, action, by, *, old=None, new=None) -> ActivityChange:
    return ActivityChange(
        activity=activity if action != ActivityChange.Action.DELETED else None,
        rep_id=activity.rep_id,
        day=activity.day,
        action=action,
        by=by,
        old=old,
        new=new,
    )


EDITABLE_FIELDS = ("day", "metric", "quantity", "channel", "product", "note", "customer", "deal")


def check_links(
    *, by: User, customer: Customer | None, deal: Deal | None, metric: Metric | None = None
) -> Customer | None:
    """The customer an activity is logged against, checked: the writer sees the customer
    and the deal, and a deal named with a customer is that customer's. A deal alone
    names its customer, so "what was done for this customer" finds the row either way.
    Returns the customer to store."""
    if customer is not None and not Customer.objects.visible_to(by).filter(pk=customer.pk).exists():
        raise RuleViolation({"customer": _("That customer is outside your scope.")})
    if deal is None:
        return customer
    if not Deal.objects.visible_to(by).filter(pk=deal.pk).exists():
        raise RuleViolation({"deal": _("That deal is outside your scope.")})
    if metric is not None and metric.key in (SALES_VALUE, SALES_CLOSED):
        raise RuleViolation(
            {
                "metric": _(
                    "A deal's sale is credited when the deal is won: move %(deal)s "
                    "to Won instead of logging its sale."
                )
                % {"deal": deal.title}
            }
        )
    if customer is not None and deal.customer_id != customer.pk:
        raise RuleViolation(
            {
                "deal": _("%(deal)s is a deal of %(customer)s, not %(other)s.")
                % {"deal": deal.title, "customer": deal.customer, "other": customer}
            }
        )
    return deal.customer


@transaction.atomic
def create_activity(*, by: User, rep: User, **fields) -> Activity:
    check_can_write_day(rep=rep, day=fields["day"], by=by)
    if fields.get("customer") is not None or fields.get("deal") is not None:
        fields["customer"] = check_links(
            by=by, customer=fields.get("customer"), deal=fields.get("deal"), metric=fields["metric"]
        )
    activity = Activity.objects.create(rep=rep, created_by=by, **fields)
    record_change(activity, ActivityChange.Action.CREATED, by, new=activity.snapshot()).save()
    _emit_logged(
        ActivityBatch(source=activity.source, by=by, rep=rep, day=activity.day, created=1),
        lambda: _for_api(Activity.objects.filter(pk=activity.pk)),
    )
    return activity


@transaction.atomic
def update_activity(
    *, activity: Activity, by: User, version: int | None = None, **fields
) -> Activity:
    activity = lock_row(Activity, activity.pk)
    check_version(activity, version)
    _refuse_deal_rows(activity)
    check_can_write_day(rep=activity.rep, day=activity.day, by=by)
    if "day" in fields:
        check_can_write_day(rep=activity.rep, day=fields["day"], by=by)
    old = activity.snapshot()
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable activity field")
        setattr(activity, name, value)
    if {"customer", "deal"} & set(fields):
        # A deal moves its customer along; a customer alone drops a deal of another.
        customer, deal = activity.customer, activity.deal
        moved_away = deal is not None and (customer is None or deal.customer_id != customer.pk)
        if "customer" in fields and "deal" not in fields and moved_away:
            deal = activity.deal = None
        if "deal" in fields and "customer" not in fields and deal is not None:
            customer = None
        activity.customer = check_links(by=by, customer=customer, deal=deal, metric=activity.metric)
    bump(activity)
    activity.save()
    if activity.snapshot() != old:
        record_change(
            activity, ActivityChange.Action.UPDATED, by, old=old, new=activity.snapshot()
        ).save()
    return activity


@transaction.atomic
def _refuse_deal_rows(activity: Activity) -> None:
    """A won deal's rows follow the deal (amount, owner, reopening): never edited apart from
    it, or a reopened deal would leave its sale credited."""
    if activity.source == ActivitySource.DEAL:
        raise RuleViolation(
            _("This row is a won deal's sale and follows the deal: change or reopen the deal.")
        )


def delete_activity(*, activity: Activity, by: User, version: int | None = None) -> None:
    activity = lock_row(Activity, activity.pk)
    check_version(activity, version)
    _refuse_deal_rows(activity)
    check_can_write_day(rep=activity.rep, day=activity.day, by=by)
    record_change(activity, ActivityChange.Action.DELETED, by, old=activity.snapshot()).save()
    activity.delete()


MAX_BATCH = 10_000


class BatchRejected(RuleViolation):
    """A bulk batch had bad rows; nothing was stored. ``rows`` maps index -> errors."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        super().__init__(
            ngettext(
                "%(count)d row was refused; nothing was stored.",
                "%(count)d rows were refused; nothing was stored.",
                len(rows),
            )
            % {"count": len(rows)}
        )
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
        raise RuleViolation(
            _("A batch holds at most %(limit)s entries.") % {"limit": f"{MAX_BATCH:,}"}
        )
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
            errors[index] = {
                "external_id": [_("Repeats the external_id of row %(row)s.") % {"row": seen[key]}]
            }
        elif entry["rep"] is None:
            errors[index] = {"rep": [_("Say which rep this activity is for.")]}
        seen.setdefault(key, index)

    existing = _stored_rows(seen)
    for index, entry in enumerate(entries):
        if index in errors:
            continue
        row = existing.get((entry["source"], entry["external_id"]))
        if row is None:
            error = _write_error(entry["rep"], entry["day"], by, company, writable)
        elif row.rep_id not in writable:
            error = {
                "external_id": [_("This external_id is already used by another rep's activity.")]
            }
        elif row.rep_id != entry["rep"].pk:
            error = {"rep": [_("An activity cannot move to another rep.")]}
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

    new, to_update, changes = [], [], []
    for entry in entries:
        row = existing.get((entry["source"], entry["external_id"]))
        if row is None:
            new.append(entry)
            continue
        old = row.snapshot()
        for name, value in _values(entry).items():
            setattr(row, name, value)
        if row.snapshot() != old:
            to_update.append(row)
            changes.append(
                record_change(row, ActivityChange.Action.UPDATED, by, old=old, new=row.snapshot())
            )
    created = _create(new, by)
    now = timezone.now()
    for row in to_update:
        row.updated_at = now  # bulk_update skips auto_now
        bump(row)
    Activity.objects.bulk_update(
        to_update, [*EDITABLE_FIELDS, "version", "updated_at"], batch_size=1000
    )
    ActivityChange.objects.bulk_create(changes, batch_size=1000)
    if created or to_update:
        changed = {(row.source, row.external_id) for row in to_update}
        _emit_ingested(entries, existing, changed, by, created=created, updated=len(to_update))
    return {
        "created": created,
        "updated": len(to_update),
        "unchanged": len(entries) - created - len(to_update),
    }


def _emit_ingested(entries, existing, changed, by: User, *, created: int, updated: int) -> None:
    """One activities.logged for the whole ingest call: the rows it created or changed."""
    keys = [(entry["source"], entry["external_id"]) for entry in entries]
    touched = [key for key in keys if key not in existing or key in changed]
    reps = {entry["rep"].pk: entry["rep"] for entry in entries}
    days = {entry["day"] for entry in entries}
    sources = {entry["source"] for entry in entries}
    batch = ActivityBatch(
        source=sources.pop() if len(sources) == 1 else "",
        by=by,
        rep=next(iter(reps.values())) if len(reps) == 1 else None,
        day=days.pop() if len(days) == 1 else None,
        created=created,
        updated=updated,
    )

    def rows():
        stored = _stored_rows(touched)
        return [stored[key] for key in touched]

    _emit_logged(batch, rows)


def _values(entry) -> dict:
    """An ingest entry's editable values, as model field values."""
    values = {
        name: entry.get(name) for name in ("rep", "day", "metric", "quantity", "channel", "product")
    }
    values["note"] = entry.get("note") or ""
    return values


def _create(entries: list[dict], by: User) -> int:
    """Insert new ingested rows, each with its 'created' change record; returns how many."""
    if not entries:
        return 0
    if connection.vendor == "postgresql":
        return _insert_with_changes(entries, by)
    rows = Activity.objects.bulk_create(
        [
            Activity(created_by=by, source=e["source"], external_id=e["external_id"], **_values(e))
            for e in entries
        ],
        batch_size=1000,
    )
    ActivityChange.objects.bulk_create(
        [record_change(a, ActivityChange.Action.CREATED, by, new=a.snapshot()) for a in rows],
        batch_size=1000,
    )
    return len(rows)


# One statement for a whole batch: the values travel as one array per column, the rows
# are inserted from them and each row's change record from what was inserted. 10,000
# rows: about 1 s less than bulk_create's twenty INSERTs of model instances.
INSERT_WITH_CHANGES = """
WITH new (rep_id, day, metric_id, quantity, channel_id, product_id, note, source,
          external_id, snapshot) AS (
    SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::numeric[],
                         %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[],
                         %s::text[])
), stored AS (
    INSERT INTO {activity} (rep_id, day, metric_id, quantity, channel_id, product_id, note,
                            source, external_id, created_by_id, created_at, updated_at,
                            version)
    SELECT rep_id, day, metric_id, quantity, channel_id, product_id, note, source,
           external_id, %s, %s, %s, 1
    FROM new
    RETURNING id, source, external_id
)
INSERT INTO {change} (activity_id, rep_id, day, action, by_id, at, old, new)
SELECT stored.id, new.rep_id, new.day, %s, %s, %s, NULL, new.snapshot::jsonb
FROM stored JOIN new USING (source, external_id)
"""


def _insert_with_changes(entries: list[dict], by: User) -> int:
    columns: list[list] = [[] for _ in range(10)]
    for entry in entries:
        values = _values(entry)
        rep, channel, product = values["rep"], values["channel"], values["product"]
        snapshot = Activity.snapshot_of(
            rep_id=rep.pk,
            day=values["day"],
            metric=values["metric"],
            quantity=values["quantity"],
            channel=channel,
            product=product,
            note=values["note"],
        )
        row = (
            rep.pk,
            values["day"],
            values["metric"].pk,
            values["quantity"],
            getattr(channel, "pk", None),
            getattr(product, "pk", None),
            values["note"],
            entry["source"],
            entry["external_id"],
            json.dumps(snapshot),
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    now = timezone.now()
    sql = INSERT_WITH_CHANGES.format(
        activity=Activity._meta.db_table, change=ActivityChange._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*columns, by.pk, now, now, ActivityChange.Action.CREATED, by.pk, now])
        return cursor.rowcount


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
        rows = (
            Activity.objects.select_for_update(of=("self",))
            .filter(source__in={s for s, _ in chunk}, external_id__in={e for _, e in chunk})
            # The unique (source, external_id) index holds only rows with an external_id:
            # saying so lets the planner use it (10,000 keys at 3.4M rows: 1.6 s -> ms).
            .exclude(external_id="")
        )
        wanted = set(chunk)
        for row in rows.select_related("metric", "channel", "product"):
            if (row.source, row.external_id) in wanted:  # the IN lists also match cross pairs
                found[(row.source, row.external_id)] = row
    return found


def _entry_values(entry) -> tuple:
    """An entry's values in the shape of ``_row_values``, to tell a re-sent row."""
    values = _values(entry)
    return (
        values["day"],
        values["metric"].pk,
        Decimal(values["quantity"]),
        getattr(values["channel"], "pk", None),
        getattr(values["product"], "pk", None),
        values["note"],
    )


def _row_values(row: Activity) -> tuple:
    return (row.day, row.metric_id, row.quantity, row.channel_id, row.product_id, row.note)
