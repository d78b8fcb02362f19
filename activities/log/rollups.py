"""The activity rollups (``ActivityMonth``, ``ActivityWeek``): checking them against the
rows, rebuilding them.

The database keeps both (triggers, migrations 0009 and 0012); nothing here writes them in
normal operation. ``differences`` compares every (rep, metric, month) and (rep, metric,
week) of the rollups with the activity rows, one grouped query per rollup; ``rebuild``
recomputes them from the rows (a repair, for ``manage.py check_rollups --fix``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

# The company's week start (Monday = 0), as the week triggers read it.
WEEK_START = "COALESCE((SELECT week_start FROM salesmgmt_companysettings WHERE id = 1), 0)"
# Each rollup: its table, its period column and the period of an activity's day.
ROLLUPS = {
    "month": (
        "activities_activitymonth",
        "month",
        {"postgresql": "date_trunc('month', day)::date", "sqlite": "date(day, 'start of month')"},
    ),
    "week": (
        "activities_activityweek",
        "week",
        {
            "postgresql": f"(day - (extract(isodow from day)::int + 6 - {WEEK_START}) % 7)",
            "sqlite": "date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 13 - "
            f"{WEEK_START}) % 7) || ' days')",
        },
    ),
}
COMPARE = """
    SELECT rep_id, metric_id, period, SUM(raw), SUM(rolled), SUM(raw_entries), SUM(entries)
    FROM (
        SELECT rep_id, metric_id, {period_of_day} AS period, SUM(quantity) AS raw, 0 AS rolled,
               COUNT(*) AS raw_entries, 0 AS entries
        FROM activities_activity GROUP BY rep_id, metric_id, {period_of_day}
        UNION ALL
        SELECT rep_id, metric_id, {column}, 0, quantity, 0, entries FROM {table}
    ) AS both_sides
    GROUP BY rep_id, metric_id, period
    HAVING SUM(raw) <> SUM(rolled) OR SUM(raw_entries) <> SUM(entries)
    ORDER BY rep_id, metric_id, period
"""
REBUILD = """
    INSERT INTO {table} (rep_id, metric_id, {column}, quantity, entries)
    SELECT rep_id, metric_id, {period_of_day}, SUM(quantity), COUNT(*)
    FROM activities_activity GROUP BY rep_id, metric_id, {period_of_day}
"""


@dataclass(frozen=True)
class Difference:
    rollup: str  # "month" or "week"
    rep_id: int
    metric_id: int
    start: date  # the month's or the week's first day
    rows: Decimal  # what the activity rows add up to
    rollup_total: Decimal
    row_count: int
    entries: int


def _sql(template: str, rollup: str) -> str:
    table, column, period_of_day = ROLLUPS[rollup]
    return template.format(
        table=table, column=column, period_of_day=period_of_day[connection.vendor]
    )


def differences() -> list[Difference]:
    """Every (rep, metric, month or week) whose rollup differs from its rows (none: exact)."""
    found = []
    with connection.cursor() as cursor:
        for rollup in ROLLUPS:
            cursor.execute(_sql(COMPARE, rollup), None)
            found += [
                Difference(
                    rollup=rollup,
                    rep_id=rep,
                    metric_id=metric,
                    start=start if isinstance(start, date) else date.fromisoformat(start),
                    rows=Decimal(str(raw)).quantize(Decimal("0.01")),
                    rollup_total=Decimal(str(rolled)).quantize(Decimal("0.01")),
                    row_count=int(raw_entries),
                    entries=int(entries),
                )
                for rep, metric, start, raw, rolled, raw_entries, entries in cursor.fetchall()
            ]
    return found


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute both rollups from the activity rows; returns each one's row count."""
    counts = {}
    with connection.cursor() as cursor:
        for rollup, (table, _, _) in ROLLUPS.items():
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(_sql(REBUILD, rollup), None)
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[rollup] = cursor.fetchone()[0]
    return counts
