"""The activity month rollup (``ActivityMonth``): checking it against the rows, rebuilding it.

The database keeps the rollup (triggers, migration 0009); nothing here writes it in
normal operation. ``differences`` compares every (rep, metric, month) of the rollup with
the activity rows in one grouped query; ``rebuild`` recomputes it from the rows (a
repair, for ``manage.py check_rollups --fix``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

MONTH = {"postgresql": "date_trunc('month', day)::date", "sqlite": "date(day, 'start of month')"}

COMPARE = """
    SELECT rep_id, metric_id, month, SUM(raw), SUM(rolled), SUM(raw_entries), SUM(entries)
    FROM (
        SELECT rep_id, metric_id, {month} AS month, SUM(quantity) AS raw, 0 AS rolled,
               COUNT(*) AS raw_entries, 0 AS entries
        FROM activities_activity GROUP BY rep_id, metric_id, {month}
        UNION ALL
        SELECT rep_id, metric_id, month, 0, quantity, 0, entries FROM activities_activitymonth
    ) AS both_sides
    GROUP BY rep_id, metric_id, month
    HAVING SUM(raw) <> SUM(rolled) OR SUM(raw_entries) <> SUM(entries)
    ORDER BY rep_id, metric_id, month
"""
REBUILD = """
    INSERT INTO activities_activitymonth (rep_id, metric_id, month, quantity, entries)
    SELECT rep_id, metric_id, {month}, SUM(quantity), COUNT(*)
    FROM activities_activity GROUP BY rep_id, metric_id, {month}
"""


@dataclass(frozen=True)
class Difference:
    rep_id: int
    metric_id: int
    month: date
    rows: Decimal  # what the activity rows add up to
    rollup: Decimal
    row_count: int
    entries: int


def _month() -> str:
    return MONTH[connection.vendor]


def differences() -> list[Difference]:
    """Every (rep, metric, month) whose rollup differs from its rows (none: it is exact)."""
    with connection.cursor() as cursor:
        cursor.execute(COMPARE.format(month=_month()))
        return [
            Difference(
                rep_id=rep,
                metric_id=metric,
                month=month if isinstance(month, date) else date.fromisoformat(month),
                rows=Decimal(str(raw)).quantize(Decimal("0.01")),
                rollup=Decimal(str(rolled)).quantize(Decimal("0.01")),
                row_count=int(raw_entries),
                entries=int(entries),
            )
            for rep, metric, month, raw, rolled, raw_entries, entries in cursor.fetchall()
        ]


@transaction.atomic
def rebuild() -> int:
    """Recompute the whole rollup from the activity rows; returns its row count."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM activities_activitymonth")
        cursor.execute(REBUILD.format(month=_month()))
        cursor.execute("SELECT COUNT(*) FROM activities_activitymonth")
        return cursor.fetchone()[0]
