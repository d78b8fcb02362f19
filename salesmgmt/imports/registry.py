"""What an importer is, and the registry of them by kind.

An importer names its columns (the keys a file's header row uses: English and
stable in every language, as the customer import's) and gives two operations over
rows of cells:

- ``check(rows, user)``: what importing would do, row by row, and every problem
  (row, column, message), writing nothing, in a fixed number of queries whatever
  the row count;
- ``write(check, user)``: store a check that found no problem. ``run`` wraps it:
  checks again inside one transaction with the matched rows locked, and writes
  everything or, if any row has a problem, nothing (raises ImportRefused).

Exports write the same columns (``export_rows``), so a file exported from a list
page imports back unchanged.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"
ACTIONS = (CREATE, UPDATE, UNCHANGED, INVALID)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    help: str = ""  # lazily translated: what the column holds and which values it takes
    example: str = ""


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict[str, str]

    def cell(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class Check:
    """The outcome of a dry run: one action per row, and the problems found."""

    actions: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # What ``write`` needs (model instances, ...), by row number; the importer's own.
    plan: dict[int, object] = field(default_factory=dict)

    def problem(self, row: Row, column: str, message: str) -> None:
        self.problems.append(Problem(row.number, column, str(message)))
        self.actions[row.number] = INVALID

    def has_problem(self, row: Row) -> bool:
        return self.actions.get(row.number) == INVALID

    def set_action(self, row: Row, action: str) -> None:
        if not self.has_problem(row):
            self.actions[row.number] = action

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for action in self.actions.values():
            counts[action] += 1
        return counts


class ImportRefused(Exception):
    """The rows still have problems (the data changed since the dry run); nothing was
    written."""

    def __init__(self, check: Check):
        super().__init__("The file has problems; nothing was imported.")
        self.check = check


Progress = Callable[[int], None]


class Importer:
    kind: str = ""
    label = ""  # lazily translated plural noun: "Activities"
    columns: tuple[Column, ...] = ()
    list_url = ""  # the list page the import and its exports belong to (a URL name)

    def check(self, rows: list[Row], user, *, lock: bool = False, progress=None) -> Check:
        raise NotImplementedError

    def write(self, rows: list[Row], check: Check, user) -> None:
        raise NotImplementedError

    def allowed_values(self) -> dict[str, str]:
        """Column -> the values it takes now (catalogue keys, stage names), for the
        template's Help sheet and the upload page."""
        return {}

    def export_rows(self, objects: Iterable) -> Iterable[list]:
        """The rows an export writes for ``objects``, in the order of ``columns``."""
        raise NotImplementedError

    def run(self, rows: list[Row], user, *, progress: Progress | None = None) -> Check:
        """Check (reporting progress), then check again under lock and write it all, or
        nothing: the data may have changed since the dry run."""
        first = self.check(rows, user, progress=progress)
        if first.problems:
            raise ImportRefused(first)
        return self.commit(rows, user)

    @transaction.atomic
    def commit(self, rows: list[Row], user) -> Check:
        """The second half of ``run``: check again under lock, then write it all."""
        check = self.check(rows, user, lock=True)
        if check.problems:
            raise ImportRefused(check)
        self.write(rows, check, user)
        return check

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


_importers: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    """Add ``importer`` under its kind (registering again replaces it)."""
    if not importer.kind:
        raise ValueError("An importer needs a kind.")
    _importers[importer.kind] = importer


def get(kind: str) -> Importer | None:
    return _importers.get(kind)


def importers() -> list[Importer]:
    return list(_importers.values())


def external_key(obj, prefix: str) -> str:
    """The external_id an export writes: the stored one, else ``<prefix>-<pk>``, which
    the import reads back as that record (so rows entered by hand round-trip too)."""
    return obj.external_id or f"{prefix}-{obj.pk}"


def stored_pk(value: str, prefix: str) -> int | None:
    """The pk in an ``external_key`` written for a record without an external_id."""
    head, sep, tail = value.partition("-")
    if sep and head == prefix and tail.isdigit() and len(tail) < 18:
        return int(tail)
    return None
