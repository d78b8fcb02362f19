"""Files an importer's columns shape: the template (header + an example row, and for
XLSX a 'Help' sheet) and the exports of the list pages, in CSV and XLSX alike."""

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from salesmgmt.csv_export import csv_response, safe_cell
from salesmgmt.imports.registry import Importer

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# The list pages' ?export= values for a file in an import's shape.
SHEET_EXPORTS = {"sheet-csv": "csv", "sheet-xlsx": "xlsx"}


def _xlsx_cell(value):
    """Numbers and dates as themselves; text guarded (openpyxl stores '=...' as a formula)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal | float | date | datetime):
        return value
    return safe_cell(value)


def xlsx_response(filename: str, sheets: list[tuple[str, list, Iterable[Iterable]]]):
    from openpyxl import Workbook  # noqa: PLC0415  (only downloads need it)

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def help_rows(importer: Importer) -> list[list[str]]:
    allowed = importer.allowed_values()
    return [
        [
            column.name,
            _("yes") if column.required else _("no"),
            str(column.help),
            allowed.get(column.name, ""),
            column.example,
        ]
        for column in importer.columns
    ]


def template_response(importer: Importer, fmt: str):
    header = importer.column_names
    example = [column.example for column in importer.columns]
    filename = f"{importer.kind}-template.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header, [example])
    help_header = [
        _("Column"),
        _("Required"),
        _("What it holds"),
        _("Allowed values"),
        _("Example"),
    ]
    return xlsx_response(
        filename,
        [(importer.kind, header, [example]), ("Help", help_header, help_rows(importer))],
    )


def export_response(importer: Importer, fmt: str, objects: Iterable):
    """The list page's rows in the import's shape: they import back unchanged."""
    filename = f"{importer.kind}.{fmt}"
    rows = importer.export_rows(objects)
    if fmt == "csv":
        return csv_response(filename, importer.column_names, rows)
    return xlsx_response(filename, [(importer.kind, importer.column_names, rows)])
