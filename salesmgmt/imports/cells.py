"""Reading one cell: the checks every importer shares. Each returns the value, or None
after recording a problem on the row (messages in the reader's language)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from salesmgmt.imports.registry import Check, Row

YES = {"yes", "y", "true", "1", "done", "x"}
NO = {"no", "n", "false", "0", ""}


def named(queryset, field: str, names: set[str]) -> dict:
    """The rows of ``queryset`` a file names by external_id or by ``field`` (a name, a
    title), keyed lower-cased; None for a name several rows share, which the file must
    then give by external_id. One query."""
    found: dict = {}
    if not names:
        return found
    by_name: dict[str, list] = {}
    lowered = {name.lower() for name in names}
    for obj in queryset.annotate(lower_name=Lower(field)).filter(
        Q(external_id__in=names) | Q(lower_name__in=lowered)
    ):
        if obj.external_id:
            found[obj.external_id.lower()] = obj
        by_name.setdefault(getattr(obj, field).lower(), []).append(obj)
    for name, objs in by_name.items():
        found.setdefault(name, objs[0] if len(objs) == 1 else None)
    return found


def pick_named(check: Check, row: Row, column: str, found: dict, *, missing: str, shared: str):
    """The row named in ``column`` among ``found`` (see ``named``), or None with a problem:
    ``missing`` when none has that name, ``shared`` when several do (both take
    %(value)s)."""
    value = row.cell(column)
    if not value:
        return None
    key = value.lower()
    if key not in found:
        check.problem(row, column, missing % {"value": value})
    elif found[key] is None:
        check.problem(row, column, shared % {"value": value})
    return found.get(key)


def external_id(check: Check, row: Row, model, seen: dict[str, int]) -> str:
    """The row's external_id (checked like text), named once per file: ``seen`` maps each
    one to the first row that gave it."""
    value = text(check, row, "external_id", model, "external_id")
    if value:
        if value in seen:
            check.problem(
                row,
                "external_id",
                _("Repeats the external_id of row %(row)s.") % {"row": seen[value]},
            )
        seen.setdefault(value, row.number)
    return value


def text(check: Check, row: Row, column: str, model, field: str, *, required=False) -> str:
    value = row.cell(column)
    limit = model._meta.get_field(field).max_length
    if required and not value:
        check.problem(row, column, _("This column needs a value."))
    elif limit and len(value) > limit:
        check.problem(
            row,
            column,
            _("At most %(limit)s characters (%(given)s given).")
            % {"limit": limit, "given": len(value)},
        )
    return value


def day(check: Check, row: Row, column: str, *, required=True) -> date | None:
    value = row.cell(column)
    if not value:
        if required:
            check.problem(row, column, _("Give a date as YYYY-MM-DD."))
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        check.problem(
            row, column, _("'%(value)s' is not a date: use YYYY-MM-DD.") % {"value": value}
        )
        return None


def moment(check: Check, row: Row, column: str, *, required=True) -> datetime | None:
    """A date-time (YYYY-MM-DD HH:MM) or a date alone; naive: the caller makes it aware."""
    value = row.cell(column)
    if not value:
        if required:
            check.problem(row, column, _("Give a date as YYYY-MM-DD (and a time, HH:MM)."))
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        check.problem(
            row,
            column,
            _("'%(value)s' is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM.") % {"value": value},
        )
        return None


def number(
    check: Check,
    row: Row,
    column: str,
    *,
    required=True,
    places=2,
    digits=14,
    maximum: Decimal | None = None,
) -> Decimal | None:
    value = row.cell(column).replace(" ", "")
    if not value:
        if required:
            check.problem(row, column, _("This column needs a number."))
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        check.problem(
            row,
            column,
            _("'%(value)s' is not a number (use a dot for decimals).") % {"value": value},
        )
        return None
    if amount < 0:
        check.problem(row, column, _("The number cannot be negative."))
        return None
    if (maximum is not None and amount > maximum) or amount >= Decimal(10) ** (digits - places):
        check.problem(row, column, _("'%(value)s' is too large.") % {"value": value})
        return None
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        check.problem(row, column, _("At most %(places)s decimal places.") % {"places": places})
        return None
    return amount


def yes_no(check: Check, row: Row, column: str) -> bool | None:
    value = row.cell(column).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    check.problem(row, column, _("'%(value)s': write yes or no.") % {"value": row.cell(column)})
    return None


def by_key(entries, *keys: str) -> dict:
    """Entries of a small catalogue by each of their keys (and names), case-insensitive."""
    found = {}
    for entry in entries:
        for key in keys:
            found.setdefault(str(getattr(entry, key)).lower(), entry)
    return found


def pick(check: Check, row: Row, column: str, entries: dict, message: str, *, required=False):
    """The catalogue entry a cell names (by key or name), or a problem listing the keys."""
    value = row.cell(column)
    if not value:
        if required:
            check.problem(row, column, _("This column needs a value."))
        return None
    entry = entries.get(value.lower())
    if entry is None:
        check.problem(row, column, message % {"value": value})
    return entry


def people(users) -> dict:
    """People by username and e-mail, lower-cased: a file names a rep either way."""
    found = {}
    for user in users:
        found.setdefault(user.username.lower(), user)
        if user.email:
            found.setdefault(user.email.lower(), user)
    return found
