"""Fast appends for the scale company: PostgreSQL COPY in chunks, else batched bulk_create."""

import io
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max


class TableWriter:
    """Appends rows to a model's table: PostgreSQL COPY, else batched bulk_create.

    ``write(model, fields, rows)``: each row a tuple in ``fields`` order (foreign keys
    by their ``<name>_id`` attname). Concrete fields not named take their default (the
    write's moment for auto_now fields), the same for every row.
    """

    CHUNK = 20_000

    def __init__(self, now: datetime):
        self.now = now
        self.copy = connection.vendor == "postgresql"

    def write(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        opts = model._meta
        named = [_field(opts, name) for name in fields]
        rest = [
            f
            for f in opts.concrete_fields
            if f not in named and not (f.primary_key and f.auto_created)
        ]
        constants = tuple(self._default(f) for f in rest)
        if not self.copy:
            names = [f.attname for f in named + rest]
            objects = (model(**dict(zip(names, row + constants, strict=True))) for row in rows)
            written = 0
            batch = []
            for obj in objects:
                batch.append(obj)
                if len(batch) == 2_000:
                    model.objects.bulk_create(batch)
                    written, batch = written + len(batch), []
            model.objects.bulk_create(batch)
            return written + len(batch)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in named + rest)
        sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
        tail = "\t".join(_text(v) for v in constants)
        tail = ("\t" + tail) if rest else ""
        written = 0
        with connection.cursor() as cursor:
            buffer = io.StringIO()
            pending = 0
            for row in rows:
                buffer.write("\t".join(map(_text, row)) + tail + "\n")
                pending += 1
                if pending == self.CHUNK:
                    written += self._flush(cursor, sql, buffer)
                    buffer, pending = io.StringIO(), 0
            if pending:
                written += self._flush(cursor, sql, buffer)
        return written

    @staticmethod
    def _flush(cursor, sql: str, buffer: io.StringIO) -> int:
        lines = buffer.getvalue().count("\n")
        buffer.seek(0)
        cursor.cursor.copy_expert(sql, buffer)  # psycopg2's cursor under Django's wrapper
        return lines

    def _default(self, f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return self.now
        return f.get_default()

    def reset_sequences(self, *models) -> None:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def _field(opts, name: str):
    """A field by its name, or a foreign key by its attname (``rep_id``)."""
    try:
        return opts.get_field(name)
    except FieldDoesNotExist:
        return opts.get_field(name.removesuffix("_id"))


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return str(value)


def next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
