"""Turn an uploaded CSV or XLSX file into rows of named cells.

CSV: UTF-8 with or without a byte-order mark (else Windows-1252, what spreadsheets on
Windows save), comma, semicolon or tab separated. XLSX: the first sheet, read-only;
the first row names the columns. Cells come back as trimmed text (dates as
YYYY-MM-DD, whole numbers without ".0"), and the quote our exports put before
formula-like cells is taken off again, so an exported file reads back as it was.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from xml.etree import ElementTree

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from salesmgmt.csv_export import FORMULA_STARTS
from salesmgmt.imports.registry import Importer, Row

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def max_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def file_format(name: str, data: bytes) -> str | None:
    """'xlsx' or 'csv' by the file's content (and name), None if neither."""
    lowered = name.lower()
    if data.startswith(XLSX_MAGIC):
        return "xlsx" if not lowered.endswith(".csv") else None
    if lowered.endswith((".xls", ".xlsx", ".ods", ".numbers", ".pdf", ".zip", ".docx")):
        return None
    if b"\x00" in data[:4096]:
        return None
    return "csv"


def header_key(header) -> str:
    return str(header or "").strip().lower().replace(" ", "_").replace("-", "_")


def clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int | Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def _csv_records(data: bytes, sheet: Sheet):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        sheet.problems.append(_("The file is not text: save it as CSV (UTF-8) or XLSX."))
        return None
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


# What a damaged or disguised XLSX raises, opening it or reading its rows.
UNREADABLE_XLSX = (zipfile.BadZipFile, KeyError, ValueError, OSError, ElementTree.ParseError)


def _xlsx_records(data: bytes, sheet: Sheet):
    from openpyxl import load_workbook  # noqa: PLC0415  (only uploads need it)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE_XLSX:
        sheet.problems.append(_("The file is not a spreadsheet we can read: save it as XLSX."))
        return None
    return book.worksheets[0].iter_rows(values_only=True)


def read_sheet(name: str, data: bytes, importer: Importer) -> Sheet:
    """The rows of the file, keyed by column; file-level problems stop the reading."""
    sheet = Sheet()
    kind = file_format(name, data)
    if kind is None:
        sheet.problems.append(
            _("%(name)s is not a CSV or XLSX file: save your sheet as one of those.")
            % {"name": name}
        )
        return sheet
    records = _xlsx_records(data, sheet) if kind == "xlsx" else _csv_records(data, sheet)
    if records is None:
        return sheet
    try:
        _read_records(records, sheet, importer)
    except csv.Error as exc:
        sheet.problems.append(_("The file is not valid CSV (%(error)s).") % {"error": exc})
    except UNREADABLE_XLSX:
        # openpyxl reads a sheet's XML as the rows are asked for: a damaged one breaks here.
        sheet.rows = []
        sheet.problems.append(_("The file is not a spreadsheet we can read: save it as XLSX."))
    return sheet


def _read_records(records, sheet: Sheet, importer: Importer) -> None:
    header = next(records, None)
    names = [header_key(h) for h in header or ()]
    if not any(names):
        sheet.problems.append(_("The file is empty: the first row must name the columns."))
        return
    known = set(importer.column_names)
    while names and not names[-1]:
        names.pop()  # trailing empty header cells (spreadsheets keep some)
    unknown = [n or "?" for n in names if n not in known]
    if unknown:
        sheet.problems.append(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(importer.column_names)}
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        sheet.problems.append(
            _("Columns named twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [c.name for c in importer.columns if c.required and c.name not in names]
    if missing:
        sheet.problems.append(
            _("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if sheet.problems:
        return
    limit = settings.IMPORT_MAX_ROWS
    for number, record in enumerate(records, start=2):
        cells = [clean_cell(v) for v in record]
        if not any(cells):
            continue  # blank lines are not rows
        if len(sheet.rows) == limit:
            sheet.problems.append(
                _("A file holds at most %(max)s rows; split it and import each part.")
                % {"max": number_format(limit, force_grouping=True)}
            )
            sheet.rows = []
            return
        if any(cells[len(names) :]):
            sheet.problems.append(
                _("Row %(row)s has more cells than the header names columns.") % {"row": number}
            )
            sheet.rows = []
            return
        sheet.rows.append(Row(number, dict(zip(names, cells, strict=False))))
    if not sheet.rows:
        sheet.problems.append(_("The file has no rows under its header."))
