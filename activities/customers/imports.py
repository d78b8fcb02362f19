"""Customers from a CSV file: read it, check every row, show what would happen, then
write it all or nothing.

``check_import`` is the dry run: it reads and validates without writing, with a
fixed number of queries whatever the row count (owners, channels, reasons, the
customers matched by external_id and their contacts: one query each).
``run_import`` repeats the check inside a transaction, locking the matched
customers, and writes only when every row is valid, in batches.

The column names are keys a machine reads: they stay English and stable in every
language (the upload page says so), and so do the values ``status`` and ``segment``
accept (their keys or English labels); the problems found are written in the
reader's language.

The rules match ``services.save_customer``: owners are reps the importer may act
for (a rep owns only their own rows), and 'did not buy' and 'lost' need a
reason. Rows with an external_id already stored update that customer instead of
adding a second one.
"""

import csv
import io
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.customers.services import CUSTOMER_FIELDS, emit_customer_events
from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Channel,
    Contact,
    Customer,
    CustomerStatus,
    LostReason,
    Segment,
)
from salesmgmt.audit.history import bulk_create_with_audit, bulk_update_with_audit
from salesmgmt.csv_export import FORMULA_STARTS
from salesmgmt.models import User, WebhookEventType
from salesmgmt.org.services import reps_writable_by

COLUMNS = (
    *CUSTOMER_FIELDS,
    "contact_name",
    "contact_role",
    "contact_phone",
    "contact_email",
)
CUSTOMER_COLUMNS = COLUMNS[:11]
CONTACT_COLUMNS = {
    "contact_name": "name",
    "contact_role": "role",
    "contact_phone": "phone",
    "contact_email": "email",
}
# What the customer export writes over these columns, in the reader's language. The
# import reads the keys above (English, stable) and, so that an exported file imports
# back whatever language it was written in, these headers in any of our languages.
COLUMN_LABELS = {
    "name": gettext_lazy("Name"),
    "owner": gettext_lazy("Owner"),
    "status": gettext_lazy("Status"),
    "segment": gettext_lazy("Segment"),
    "source_channel": gettext_lazy("Source channel"),
    "lost_reason": gettext_lazy("Lost reason"),
    "lost_note": gettext_lazy("Note on why"),
    "city": gettext_lazy("City"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "external_id": gettext_lazy("External ID"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_role": gettext_lazy("Contact role"),
    "contact_phone": gettext_lazy("Contact phone"),
    "contact_email": gettext_lazy("Contact e-mail"),
}
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
BATCH = 1000

CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"


class ImportFileError(ValueError):
    """The upload is not a file we can read at all (too big, not text)."""


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM), else Windows-1252,
    which is what spreadsheets on Windows save as 'CSV'."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is not text: save it from your spreadsheet as CSV (UTF-8)."))


@dataclass
class Problem:
    column: str
    message: str


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    action: str = CREATE
    customer: Customer | None = None
    contact: Contact | None = None
    customer_changed: bool = False
    contact_changed: bool = False

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))

    def cell(self, name: str) -> str:
        return self.cells.get(name, "")

    def has_problem_in(self, column: str) -> bool:
        return any(p.column == column for p in self.problems)


@dataclass
class ImportCheck:
    rows: list[Row] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED, INVALID), 0)
        for row in self.rows:
            counts[row.action] += 1
        counts["rows"] = len(self.rows)
        return counts

    @property
    def ready(self) -> bool:
        """Every row is valid: the import may be written."""
        return bool(self.rows) and not self.file_problems and not self.counts[INVALID]

    @property
    def problem_count(self) -> int:
        return sum(len(row.problems) for row in self.rows)


class ImportRefused(Exception):
    """The file still has problems; nothing was written."""

    def __init__(self, check: ImportCheck):
        super().__init__("The file has problems; nothing was imported.")
        self.check = check


# --- Reading ---------------------------------------------------------------------------------


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


@cache
def _translated_headers() -> dict[str, str]:
    """Column key by the export's header in each of our languages ("Πόλη" -> "city")."""
    found = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for key, label in COLUMN_LABELS.items():
                found.setdefault(_column_name(str(label)), key)
    return found


def _column_key(header: str) -> str:
    """The column a header names: its key ("external_id", "External ID"), or the key of a
    header our export writes in any language; else the header, which is then ignored."""
    name = _column_name(header)
    return name if name in COLUMNS else _translated_headers().get(name, name)


def _clean_cell(value: str) -> str:
    """Trim, and undo the quote our CSV exports put before formula-like cells
    ('+44 20 ...), so an exported file imports back as it was."""
    value = value.strip()
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _delimiter(text: str) -> str:
    """Comma, or the semicolon (or tab) spreadsheets in many locales save with."""
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def read_rows(text: str) -> ImportCheck:
    """Split the file into rows of named cells; file-level problems stop here."""
    check = ImportCheck()
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(records, None)
        if header is None or not any(h.strip() for h in header):
            check.file_problems.append(_("The file is empty: the first row must name the columns."))
            return check
        names = [_column_key(h) for h in header]
        known = [n for n in names if n in COLUMNS]
        repeated = sorted({n for n in known if known.count(n) > 1})
        if repeated:
            check.file_problems.append(
                _("Columns named twice: %(columns)s.") % {"columns": ", ".join(repeated)}
            )
        if "name" not in known and "external_id" not in known:
            check.file_problems.append(
                _(
                    "The file needs a 'name' column (or 'external_id' to update customers). "
                    "Columns found: %(columns)s."
                )
                % {"columns": ", ".join(h.strip() for h in header)}
            )
        check.columns = known
        check.ignored_columns = [
            h.strip() for h, n in zip(header, names, strict=True) if n not in COLUMNS and h.strip()
        ]
        if check.file_problems:
            return check
        for index, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not rows
            if len(check.rows) == MAX_ROWS:
                check.file_problems.append(
                    _("A file holds at most %(max)s rows; split it and import each part.")
                    % {"max": number_format(MAX_ROWS, force_grouping=True)}
                )
                return check
            row = Row(
                number=index,
                cells={
                    name: _clean_cell(cell)
                    for name, cell in zip(names, record, strict=False)
                    if name in COLUMNS
                },
            )
            if len(record) > len(names) and any(c.strip() for c in record[len(names) :]):
                row.problem(
                    "",
                    _("This row has %(cells)s cells; the header names %(names)s.")
                    % {"cells": len(record), "names": len(names)},
                )
            check.rows.append(row)
    except csv.Error as exc:
        check.file_problems.append(
            _("Row %(row)s: the file is not valid CSV (%(error)s).")
            % {"row": records.line_num, "error": exc}
        )
    return check


# --- Checking --------------------------------------------------------------------------------


def _choices_by_word(choices) -> dict[str, str]:
    """'did_not_buy', 'did not buy', 'Did-not-buy' and the English label all mean one
    value: a file's values are as stable as its column names, whatever the language."""
    found = {}
    with translation.override("en"):
        for value, label in choices:
            for word in (value, str(label)):
                found[_column_name(word)] = value
    return found


@cache
def _statuses() -> dict[str, str]:
    return _choices_by_word(CustomerStatus.choices)


@cache
def _segments() -> dict[str, str]:
    return _choices_by_word(Segment.choices)


def _catalogue(model) -> dict[str, object]:
    """Active entries of a small catalogue by key and by name, case-insensitive."""
    found = {}
    for entry in model.objects.active():
        found[entry.name.lower()] = entry
        found[entry.key.lower()] = entry
    return found


@dataclass
class _Lookups:
    """Everything the rows refer to, read with one query each."""

    owners: dict[str, User]
    channels: dict[str, Channel]
    reasons: dict[str, LostReason]
    existing: dict[str, Customer]
    contacts: dict[int, dict[str, Contact]]


def _lookups(rows: list[Row], by: User, *, lock: bool) -> _Lookups:
    usernames = {row.cell("owner") for row in rows} - {""}
    owners = {u.username: u for u in reps_writable_by(by).filter(username__in=usernames)}
    external_ids = {row.cell("external_id") for row in rows} - {""}
    existing_rows = Customer.objects.filter(external_id__in=external_ids).annotate(
        writable=Exists(reps_writable_by(by).filter(pk=OuterRef("owner_id")))
    )
    if lock:
        existing_rows = existing_rows.select_for_update(of=("self",))
    existing = {c.external_id: c for c in existing_rows} if external_ids else {}
    contacts: dict[int, dict[str, Contact]] = {}
    if existing:
        for contact in Contact.objects.filter(customer_id__in=[c.pk for c in existing.values()]):
            contacts.setdefault(contact.customer_id, {}).setdefault(contact.name.lower(), contact)
    return _Lookups(owners, _catalogue(Channel), _catalogue(LostReason), existing, contacts)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_text(row: Row, column: str, model, field_name: str) -> str:
    value = row.cell(column)
    limit = _max_length(model, field_name)
    if len(value) > limit:
        row.problem(
            column,
            _("At most %(limit)s characters (%(given)s given).")
            % {"limit": limit, "given": len(value)},
        )
    return value


def _check_email(row: Row, column: str) -> str:
    value = row.cell(column)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            row.problem(column, _("'%(value)s' is not an e-mail address.") % {"value": value})
    return value


CUSTOMER_SNAPSHOT = (
    "name",
    "owner_id",
    "status",
    "segment",
    "source_channel_id",
    "lost_reason_id",
    "lost_note",
    "city",
    "phone",
    "email",
)


def _snapshot(obj, names) -> tuple:
    return tuple(getattr(obj, name) for name in names)


def _check_row(row: Row, columns: set[str], by: User, found: _Lookups, seen: dict) -> None:
    external_id = _check_text(row, "external_id", Customer, "external_id")
    customer = None
    if external_id:
        if external_id in seen:
            row.problem(
                "external_id",
                _("Repeats the external_id of row %(row)s.") % {"row": seen[external_id]},
            )
        seen.setdefault(external_id, row.number)
        customer = found.existing.get(external_id)
        if customer is not None and not customer.writable:
            row.problem(
                "external_id", _("This external_id belongs to a customer you cannot change.")
            )
            customer = None
    row.action = UPDATE if customer is not None else CREATE
    if customer is None:
        customer = Customer(external_id=external_id, status=CustomerStatus.PROSPECT)
    before = _snapshot(customer, CUSTOMER_SNAPSHOT) if customer.pk else None

    # Columns missing from the file leave a stored customer as it is; a present
    # column sets the field, and a blank cell clears it, except where noted.
    name = _check_text(row, "name", Customer, "name")
    if name:
        customer.name = name
    elif "name" in columns or customer.pk is None:
        row.problem("name", _("A customer needs a name."))

    username = row.cell("owner")
    if username:
        owner = found.owners.get(username)
        if owner is None:
            row.problem(
                "owner",
                _("No rep you may act for has the username '%(username)s'.")
                % {"username": username},
            )
        else:
            customer.owner = owner
    elif customer.pk is None:
        if by.is_rep:
            customer.owner = by  # reps import their own customers
        else:
            row.problem("owner", _("Say which rep owns this customer (their username)."))

    status = row.cell("status")
    statuses, segments = _statuses(), _segments()
    if status:
        if _column_name(status) in statuses:
            customer.status = statuses[_column_name(status)]
        else:
            row.problem(
                "status",
                _("Unknown status '%(value)s': use %(choices)s.")
                % {"value": status, "choices": ", ".join(CustomerStatus.values)},
            )

    if "segment" in columns:
        segment = row.cell("segment")
        customer.segment = segments.get(_column_name(segment), "") if segment else ""
        if segment and _column_name(segment) not in segments:
            row.problem(
                "segment",
                _("Unknown segment '%(value)s': use %(choices)s.")
                % {"value": segment, "choices": ", ".join(Segment.values)},
            )

    for column, catalogue, unknown in (
        (
            "source_channel",
            found.channels,
            _("No active channel '%(value)s': use one of %(keys)s."),
        ),
        ("lost_reason", found.reasons, _("No active reason '%(value)s': use one of %(keys)s.")),
    ):
        if column not in columns:
            continue
        key = row.cell(column)
        entry = catalogue.get(key.lower()) if key else None
        if key and entry is None:
            keys = sorted({e.key for e in catalogue.values()})
            row.problem(column, unknown % {"value": key, "keys": ", ".join(keys)})
        setattr(customer, column, entry)

    if "lost_note" in columns:
        customer.lost_note = row.cell("lost_note")
    for column in ("city", "phone"):
        if column in columns:
            setattr(customer, column, _check_text(row, column, Customer, column))
    if "email" in columns:
        customer.email = _check_email(row, "email")

    if customer.status in CLOSED_CUSTOMER_STATUSES:
        if customer.lost_reason_id is None and not row.has_problem_in("lost_reason"):
            row.problem("lost_reason", _("Say why: a reason is required for this status."))
    elif row.cell("lost_reason") or row.cell("lost_note"):
        if not row.has_problem_in("lost_reason"):
            row.problem(
                "lost_reason", _("Only customers who did not buy or were lost carry a reason.")
            )
    else:
        customer.lost_reason, customer.lost_note = None, ""

    row.customer = customer
    row.customer_changed = before is None or _snapshot(customer, CUSTOMER_SNAPSHOT) != before
    _check_contact(row, columns, found)
    if row.problems:
        row.action = INVALID
    elif row.action == UPDATE and not (row.customer_changed or row.contact_changed):
        row.action = UNCHANGED


def _check_contact(row: Row, columns: set[str], found: _Lookups) -> None:
    given = {column: row.cell(column) for column in CONTACT_COLUMNS if column in columns}
    if not any(given.values()):
        return
    name = _check_text(row, "contact_name", Contact, "name")
    if not name:
        row.problem("contact_name", _("Name the contact these details belong to."))
        return
    for column in ("contact_role", "contact_phone"):
        _check_text(row, column, Contact, CONTACT_COLUMNS[column])
    _check_email(row, "contact_email")
    stored = found.contacts.get(row.customer.pk, {}).get(name.lower()) if row.customer.pk else None
    contact = stored or Contact(name=name)
    before = _snapshot(contact, ("role", "phone", "email"))
    for column, value in given.items():
        if column != "contact_name":
            setattr(contact, CONTACT_COLUMNS[column], value)
    row.contact = contact
    row.contact_changed = stored is None or _snapshot(contact, ("role", "phone", "email")) != before


def check_import(*, text: str, by: User, lock: bool = False) -> ImportCheck:
    """The dry run: what importing ``text`` as ``by`` would do, row by row. Writes nothing."""
    check = read_rows(text)
    if check.file_problems:
        return check
    found = _lookups(check.rows, by, lock=lock)
    columns, seen = set(check.columns), {}
    for row in check.rows:
        _check_row(row, columns, by, found, seen)
    return check


# --- Writing ---------------------------------------------------------------------------------

# What an import may change on a customer it finds by external id (the key itself stays).
UPDATE_FIELDS = [*(f for f in CUSTOMER_FIELDS if f != "external_id"), "updated_at"]


@transaction.atomic
def run_import(*, text: str, by: User) -> ImportCheck:
    """Check again (the data may have changed since the preview) and write every row,
    or nothing at all if any row has a problem (raises ImportRefused)."""
    check = check_import(text=text, by=by, lock=True)
    if not check.ready:
        raise ImportRefused(check)
    now = timezone.now()
    new = [row.customer for row in check.rows if row.action == CREATE]
    bulk_create_with_audit(Customer, new, batch_size=BATCH, by=by)
    changed = [row.customer for row in check.rows if row.action == UPDATE and row.customer_changed]
    for customer in changed:
        customer.updated_at = now  # bulk_update skips auto_now
        customer.version = F("version") + 1  # an edit page open on it now sees a conflict
    bulk_update_with_audit(Customer, changed, [*UPDATE_FIELDS, "version"], batch_size=BATCH, by=by)

    new_contacts, changed_contacts = [], []
    for row in check.rows:
        if row.contact is None or not row.contact_changed:
            continue
        if row.contact.pk is None:
            row.contact.customer = row.customer  # has its pk now
            new_contacts.append(row.contact)
        else:
            changed_contacts.append(row.contact)
    bulk_create_with_audit(Contact, new_contacts, batch_size=BATCH, by=by)
    bulk_update_with_audit(
        Contact, changed_contacts, ["role", "phone", "email"], batch_size=BATCH, by=by
    )
    # One event per customer created or changed (its contact counts: the API shows it).
    emit_customer_events(WebhookEventType.CUSTOMER_CREATED, new)
    touched = {
        row.customer.pk: row.customer
        for row in check.rows
        if row.action == UPDATE
        and (row.customer_changed or (row.contact is not None and row.contact_changed))
    }
    emit_customer_events(WebhookEventType.CUSTOMER_UPDATED, list(touched.values()))
    return check


# A first row for people starting a file from scratch (the upload page offers it).
TEMPLATE_EXAMPLE = [
    "Harbour Logistics Ltd",
    "",
    "did_not_buy",
    "mid",
    "referral",
    "price",
    "Chose a cheaper supplier",
    "Bristol",
    "0117 496 0000",
    "info@harbour.example",
    "ERP-10042",
    "Jane Smith",
    "Purchasing",
    "0117 496 0001",
    "jane@harbour.example",
]
