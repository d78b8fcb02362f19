"""The activities app in the audit trail: customers, contacts, deals and tasks (their
simple_history tables) and the activity log's own ActivityChange rows."""

from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import formats

from activities.models import (
    Activity,
    ActivityChange,
    Channel,
    Contact,
    Customer,
    Deal,
    Metric,
    Product,
    Task,
)
from salesmgmt.audit.registry import LogSource, register_history, register_log
from salesmgmt.audit.selectors import AuditEntry, Change
from salesmgmt.web import plain_number

ACTIONS = {
    ActivityChange.Action.CREATED: "+",
    ActivityChange.Action.UPDATED: "~",
    ActivityChange.Action.DELETED: "-",
}
# What an activity change keeps (Activity.snapshot), in the order shown.
SNAPSHOT_FIELDS = ("day", "metric", "quantity", "channel", "product", "note")


def activity_change_rows():
    return ActivityChange.objects.annotate(
        audit_kind=Value("activity", output_field=CharField()),
        audit_row=F("pk"),
        audit_object=F("activity_id"),
        audit_name=Cast(F("day"), CharField()),
        audit_at=F("at"),
        audit_user=F("by_id"),
        audit_action=Case(
            *[When(action=action, then=Value(mark)) for action, mark in ACTIONS.items()],
            output_field=CharField(),
        ),
        # Which fields an edit changed is inside its JSON: not filterable in SQL.
        audit_fields=Value("", output_field=CharField()),
    )


def _snapshot_value(name, value, names) -> str:
    if value in (None, ""):
        return "—"
    if name in ("metric", "channel", "product"):
        return names.get((name, value), value)
    if name == "day":
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if name == "quantity":
        return formats.number_format(plain_number(Decimal(value)), use_l10n=True)
    return str(value)


def activity_change_entries(ids):
    changes = list(ActivityChange.objects.filter(pk__in=ids).select_related("rep"))
    keys = {"metric": set(), "channel": set(), "product": set()}
    for change in changes:
        for values in (change.old or {}, change.new or {}):
            for name in keys:
                if values.get(name):
                    keys[name].add(values[name])
    names = {}
    if keys["metric"]:
        names.update(
            {("metric", m.key): str(m) for m in Metric.objects.filter(key__in=keys["metric"])}
        )
    if keys["channel"]:
        names.update(
            {("channel", c.key): str(c) for c in Channel.objects.filter(key__in=keys["channel"])}
        )
    if keys["product"]:
        names.update(
            {("product", p.sku): str(p) for p in Product.objects.filter(sku__in=keys["product"])}
        )
    entries = {}
    for change in changes:
        old, new = change.old or {}, change.new or {}
        shown = [
            Change(
                field=name,
                label=str(Activity._meta.get_field(name).verbose_name),
                old=_snapshot_value(name, old.get(name), names),
                new=_snapshot_value(name, new.get(name), names),
            )
            for name in SNAPSHOT_FIELDS
            if old.get(name) != new.get(name)
        ]
        entries[change.pk] = AuditEntry(
            source="activity",
            type_label=str(Activity._meta.verbose_name),
            object_id=change.activity_id,
            object_name=f"{change.rep} · {formats.date_format(change.day, 'SHORT_DATE_FORMAT')}",
            at=change.at,
            user="",
            action=ACTIONS.get(change.action, "~"),
            changes=shown,
        )
    return entries


def register():
    register_history(
        Customer, key="customer", name="name", url=lambda pk: reverse("customers:detail", args=[pk])
    )
    register_history(Contact, key="contact", name="name", parent=("customer", "customer_id"))
    register_history(
        Deal, key="deal", name="title", url=lambda pk: reverse("deals:detail", args=[pk])
    )
    register_history(
        Task, key="task", name="title", url=lambda pk: reverse("tasks:edit", args=[pk])
    )
    register_log(
        LogSource(
            key="activity",
            label=Activity._meta.verbose_name,
            rows=activity_change_rows,
            entries=activity_change_entries,
            # No fields: which ones an edit changed is inside its JSON, so the field
            # filter could never find an activity change (it is not offered for them).
        )
    )
