"""Goal periods and working days.

A goal's period is a company week, a calendar month, or a fiscal quarter or year.
Pace is measured in *working days*: Monday to Friday, less the company holidays
(``salesmgmt.Holiday``). A day counts as elapsed once it has begun, as in the
weekly plan's pace, so on the first Monday of a month one working day of the
month has elapsed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from reporting.funnel import month_of, quarter_of
from salesmgmt.models import CompanySettings, Holiday


def period_bounds(
    period: str, day: date, company: CompanySettings | None = None
) -> tuple[date, date]:
    """(first, last) day of the goal period of kind ``period`` that holds ``day``."""
    company = company or CompanySettings.load()
    if period == "week":
        start = company.week_of(day)
        return start, start + timedelta(days=6)
    if period == "month":
        p = month_of(day)
        return p.start, p.end
    if period == "quarter":
        p = quarter_of(day, company.fiscal_year_start_month)
        return p.start, p.end
    if period == "year":
        first = company.fiscal_year_start_month
        year = day.year if day.month >= first else day.year - 1
        start = date(year, first, 1)
        return start, date(year + 1, first, 1) - timedelta(days=1)
    raise ValueError(f"Unknown period {period!r}")


# --- Months, as the date of their first day ------------------------------------------------------


def previous_month(day: date) -> date:
    """First day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    """First day of the month after ``day``'s."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def recent_months(today: date, count: int = 12) -> list[date]:
    """The last ``count`` months before this one, newest first."""
    months, month = [], today
    for _ in range(count):
        month = previous_month(month)
        months.append(month)
    return months


def parse_month(value: str | None) -> date | None:
    """ "2025-03" -> date(2025, 3, 1); None when missing, malformed or absurd."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 1970 <= year <= 2999 else None
    except ValueError:
        return None


def week_starts(start: date, last: date, company: CompanySettings) -> list[date]:
    """First days of the company weeks that begin in [start, last]."""
    week = company.week_of(start)
    if week < start:
        week += timedelta(days=7)
    weeks = []
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def holidays_between(start: date, end: date) -> frozenset[date]:
    """The company holidays in [start, end]: one query."""
    return frozenset(Holiday.objects.filter(day__range=(start, end)).values_list("day", flat=True))


def working_days(start: date, end: date, holidays: frozenset[date] = frozenset()) -> int:
    """Monday-to-Friday days in [start, end] that are not holidays (0 if end < start)."""
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    count = weeks * 5 + sum(
        1 for n in range(rest) if (start + timedelta(days=weeks * 7 + n)).weekday() < 5
    )
    return count - sum(1 for h in holidays if start <= h <= end and h.weekday() < 5)


@dataclass(frozen=True)
class Elapsed:
    """How far into a period ``as_of`` is, in working days."""

    done: int
    total: int

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def fraction(self):
        from decimal import Decimal

        if not self.total:
            return Decimal(1)
        return Decimal(self.done) / Decimal(self.total)


def elapsed(start: date, end: date, as_of: date, holidays: frozenset[date]) -> Elapsed:
    total = working_days(start, end, holidays)
    done = working_days(start, min(as_of, end), holidays) if as_of >= start else 0
    return Elapsed(done, total)


def remaining_weeks(as_of: date, end: date, holidays: frozenset[date]) -> int:
    """Whole or part company weeks left in [as_of, end] that still have a working day."""
    company = CompanySettings.load()
    weeks, week = 0, company.week_of(as_of)
    while week <= end:
        if working_days(max(week, as_of), min(week + timedelta(days=6), end), holidays):
            weeks += 1
        week += timedelta(days=7)
    return weeks
