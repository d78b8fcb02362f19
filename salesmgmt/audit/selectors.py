"""The audit trail, read: one list of every change, whatever table keeps it.

``audit_rows`` is one SQL statement, a UNION ALL of every source's rows as the common
columns (registry.COLUMNS), filtered in each branch, newest first; a page of it is
sliced by the database. ``entries`` turns one page into what people read (who, when,
which object, each field with its old and new value in words) in a fixed number of
queries: per source on the page, its rows and the rows before them (2), then each kind
of related object named on the page (1 each), then the people (1).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext

from salesmgmt.audit.history import tracked_fields
from salesmgmt.audit.registry import COLUMNS, HistorySource, registry
from salesmgmt.models import CompanySettings
from salesmgmt.money import format_money
from salesmgmt.web import plain_number

# Decimal fields that hold money (a deal's amount, a plan's cap, a bonus): written in
# the company currency. Others (targets, rates, thresholds) as plain numbers.
MONEY_FIELDS = {"amount", "cap"}


def action_label(action: str) -> str:
    # Looked up when read, so in the reader's language.
    return {
        "+": pgettext("audit action", "Created"),
        "~": pgettext("audit action", "Changed"),
        "-": pgettext("audit action", "Deleted"),
    }.get(action, action)


@dataclass
class Change:
    field: str  # the field's name
    label: str  # its verbose name, in the reader's language
    old: str
    new: str


@dataclass
class AuditEntry:
    source: str
    type_label: str
    object_id: int | None
    object_name: str
    at: datetime.datetime
    user: str
    action: str  # '+', '~', '-'
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    url: str | None = None

    @property
    def action_label(self) -> str:
        return action_label(self.action)


@dataclass(frozen=True)
class AuditFilters:
    sources: tuple[str, ...] = ()
    user_id: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    search: str = ""
    field: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(rows: models.QuerySet, filters: AuditFilters) -> models.QuerySet:
    if filters.user_id:
        rows = rows.filter(audit_user=filters.user_id)
    if filters.start:
        rows = rows.filter(audit_at__gte=_day_start(filters.start))
    if filters.end:
        rows = rows.filter(audit_at__lt=_day_start(filters.end + datetime.timedelta(days=1)))
    if filters.field:
        rows = rows.filter(audit_fields__contains=f",{filters.field},")
    text = filters.search.strip()
    if text:
        match = Q(audit_name__icontains=text)
        if text.isdigit() and len(text) <= 9:  # an id; longer would overflow the column
            match |= Q(audit_object=int(text))
        rows = rows.filter(match)
    return rows


def source_rows(key: str) -> models.QuerySet:
    history = registry.history.get(key)
    return history.rows() if history else registry.logs[key].rows()


def audit_rows(filters: AuditFilters = AuditFilters(), *, branches=None) -> models.QuerySet:
    """Every change matching ``filters``, newest first, as dicts of the common columns.
    ``branches``: (key, queryset) pairs to read instead of every source (an object's page)."""
    if branches is None:
        keys = [k for k in registry.all_keys() if not filters.sources or k in filters.sources]
        branches = [(key, source_rows(key)) for key in keys]
    parts = [_filtered(rows, filters).values(*COLUMNS) for _, rows in branches]
    first, *rest = [part.order_by() for part in parts]
    union = first.union(*rest, all=True) if rest else first
    # Row ids are unique within a source only: the kind breaks ties between sources, so
    # pages never swap or repeat rows written at the same instant (a bulk import).
    return union.order_by("-audit_at", "-audit_row", "-audit_kind")


# --- One page of rows as entries -------------------------------------------------------------


def _user_names(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.pk: str(u) for u in get_user_model()._base_manager.filter(pk__in=ids)}


def _text(value) -> str:
    return "—" if value is None or value == "" else str(value)


def display(field_obj: models.Field, value, names: dict, currency: str) -> str:
    """``value`` of ``field_obj`` as people read it: a related object by its name, a
    choice by its label, money in the currency, dates and times in the reader's format."""
    if value is None or value == "":
        return "—"
    if field_obj.is_relation:
        name = names.get((field_obj.related_model, value))
        return name if name is not None else f"#{value}"
    if field_obj.flatchoices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(field_obj, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, Decimal):
        if field_obj.name in MONEY_FIELDS:
            return format_money(value, currency)
        return formats.number_format(plain_number(value), use_l10n=True)
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def related_names(wanted: dict) -> dict:
    """{(model, id): name} for {model: {ids}}: one query per model."""
    names = {}
    for model, ids in wanted.items():
        ids = {i for i in ids if i is not None}
        if ids:
            for obj in model._base_manager.filter(pk__in=ids):
                names[(model, obj.pk)] = str(obj)
    return names


def _history_entries(source: HistorySource, row_ids: list[int], currency: str) -> dict:
    history = source.history_model
    fields = {f.name: f for f in tracked_fields(source.model)}
    previous = Subquery(
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history.objects.filter(history_id__in=row_ids)
        .annotate(previous_id=previous)
        .select_related("history_user")
    )
    before = {
        r.history_id: r
        for r in history.objects.filter(
            history_id__in=[r.previous_id for r in rows if r.previous_id and r.history_type == "~"]
        )
    }
    # What the page names: each related object once, one query per related model.
    wanted: dict = {}
    pairs = []
    for row in rows:
        prior = before.get(row.previous_id) if row.history_type == "~" else None
        names = [n for n in row.changed_fields.strip(",").split(",") if n in fields]
        pairs.append((row, prior, names))
        for name in names:
            f = fields[name]
            if f.is_relation:
                ids = wanted.setdefault(f.related_model, set())
                ids.add(getattr(row, f.attname))
                if prior is not None:
                    ids.add(getattr(prior, f.attname))
    names_of = related_names(wanted)
    described = source.describe([row.id for row in rows]) if source.describe else {}
    entries = {}
    for row, prior, names in pairs:
        changes = [
            Change(
                field=name,
                label=str(fields[name].verbose_name),
                old=display(fields[name], getattr(prior, fields[name].attname), names_of, currency)
                if prior is not None
                else "—",
                new=display(fields[name], getattr(row, fields[name].attname), names_of, currency),
            )
            for name in names
        ]
        note = ""
        if row.history_type == "~" and prior is None and not names:
            note = gettext("Earlier values were not recorded.")
        entries[row.history_id] = AuditEntry(
            source=source.key,
            type_label=str(source.label),
            object_id=row.id,
            object_name=described.get(row.id) or "",
            at=row.history_date,
            user=str(row.history_user) if row.history_user else "",
            action=row.history_type,
            changes=changes,
            note=note,
            url=source.url(row.id) if source.url and row.history_type != "-" else None,
        )
    return entries


def entries(rows) -> list[AuditEntry]:
    """A page of ``audit_rows`` as entries, in the page's order."""
    rows = list(rows)
    by_source: dict[str, list[int]] = {}
    for row in rows:
        by_source.setdefault(row["audit_kind"], []).append(row["audit_row"])
    currency = CompanySettings.load().currency
    built = {}
    for key, ids in by_source.items():
        if key in registry.history:
            found = _history_entries(registry.history[key], ids, currency)
        else:
            found = registry.logs[key].entries(ids)
        built.update({(key, i): entry for i, entry in found.items()})
    # History rows name their user already; the other tables' rows, in one query.
    people = _user_names(
        row["audit_user"] for row in rows if row["audit_kind"] not in registry.history
    )
    result = []
    for row in rows:
        entry = built.get((row["audit_kind"], row["audit_row"]))
        if entry is None:
            continue
        entry.user = entry.user or people.get(row["audit_user"], "") or gettext("System")
        entry.object_name = entry.object_name or row["audit_name"] or f"#{row['audit_object']}"
        result.append(entry)
    return result


class EntryPaginator(Paginator):
    """Pages of ``audit_rows`` whose object_list is the page's entries."""

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(entries(object_list), number, paginator)


def audit_page(filters: AuditFilters, page_number, *, per_page: int = 50):
    return EntryPaginator(audit_rows(filters), per_page).get_page(page_number)


@dataclass
class HistoryPage:
    """One page of an object's history, newest first: "newer" and "older" links, no
    total (no COUNT over the object's whole history on every view of its page)."""

    object_list: list
    number: int
    has_next: bool
    source: str = ""  # the object's own source key (its children's entries say their kind)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def object_history(obj: models.Model, page_number=None, *, per_page: int = 10) -> HistoryPage:
    """A page of ``obj``'s changes, with those of its registered children (a customer's
    contacts, a commission plan's tiers and bonuses), newest first."""
    key = next(k for k, s in registry.history.items() if s.model is type(obj))
    branches = [(key, registry.history[key].rows().filter(id=obj.pk))]
    for child_key, child in registry.history.items():
        if child.parent and child.parent[0] == key:
            branches.append((child_key, child.rows().filter(**{child.parent[1]: obj.pk})))
    try:
        number = min(max(1, int(page_number or 1)), 100_000)  # OFFSET stays in range
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(audit_rows(branches=branches)[start : start + per_page + 1])
    return HistoryPage(entries(rows[:per_page]), number, has_next=len(rows) > per_page, source=key)


def field_choices() -> list[tuple[str, str]]:
    """(name, label) of every field some source records, for the field filter."""
    seen = {}
    for source in registry.history.values():
        for f in tracked_fields(source.model):
            seen.setdefault(f.name, str(f.verbose_name))
    for source in registry.logs.values():
        for name, label in source.fields:
            seen.setdefault(name, str(label))
    return sorted(seen.items(), key=lambda item: item[1].lower())
