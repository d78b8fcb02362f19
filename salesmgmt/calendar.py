"""Business time: company weeks, months, fiscal quarters, working days, and the
moments and timezones jobs work in.

A goal's period is a company week, a calendar month, or a fiscal quarter or year.
Pace is measured in *working days*: Monday to Friday, less the company holidays
(``salesmgmt.Holiday``). A day counts as elapsed once it has begun, as in the
weekly plan's pace, so on the first Monday of a month one working day of the
month has elapsed. Jobs compute in UTC (``job_now``) and write times in each
reader's own timezone (``zone_of``, ``local_time``)."""

import argparse
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import ngettext, pgettext

from salesmgmt.i18n import lazy_date
from salesmgmt.models import (
    CompanySettings,
    Holiday,
    User,
)


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
    """The company holidays in [start, end] (from the cached list: no query when warm)."""
    return frozenset(day for day in Holiday.days() if start <= day <= end)


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


# Nothing is judged behind before a fifth of a period's working days are over: on day
# one or two a single late log swings pace wildly, and labels that cry wolf get ignored.
# Goals, KPIs and deviation alerts all follow it (before it, "too early" instead).
JUDGE_FROM = Decimal("0.2")


@dataclass(frozen=True)
class Elapsed:
    """How far into a period ``as_of`` is, in working days."""

    done: int
    total: int

    @property
    def too_early(self) -> bool:
        """Too little of it is over to call anyone behind (a period without working days
        counts as over)."""
        return self.fraction < JUDGE_FROM

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def fraction(self):

        if not self.total:
            return Decimal(1)
        return Decimal(self.done) / Decimal(self.total)


def elapsed(
    start: date, end: date, as_of: date, holidays: frozenset[date], *, today: date | None = None
) -> Elapsed:
    """How many of the working days of [start, end] are over on ``as_of``.

    A past ``as_of`` counts up to its end. The day under way (``today``, when given, and
    ``as_of`` reaches it) is not due yet: what was logged up to now is judged against
    what was due by the end of the day before. So a page at four in the afternoon and the
    deviation alerts at seven in the morning read the same figures, and nobody is behind
    on a day they are still working.
    """
    through = min(as_of, today - timedelta(days=1)) if today is not None else as_of
    total = working_days(start, end, holidays)
    done = working_days(start, min(through, end), holidays)
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


def job_now(now: datetime | None = None) -> datetime:
    """The job's moment in UTC, so "14 days" or "24 hours" are always that long,
    whatever timezone a caller pinned ``now`` in (days and hours of the week are
    read in company time separately)."""
    return (now or timezone.now()).astimezone(UTC)


def zone_of(user: User) -> zoneinfo.ZoneInfo:
    """``user``'s own timezone for jobs and e-mails; UTC when they have none."""
    return user.tzinfo or zoneinfo.ZoneInfo("UTC")


def local_time(moment: datetime, user: User) -> str:
    """'Mon 3 Mar 14:30' in ``user``'s own timezone."""
    moment = moment.astimezone(zone_of(user))
    # Lazy: a notice renders it in its recipient's language ("Δευ 3 Μαρ 14:30").
    return format_lazy(
        "{day} {time}",
        day=lazy_date(moment, "WEEKDAY_DAY_MONTH"),
        time=lazy_date(moment, "TIME_SHORT"),
    )


def parse_job_time(value: str) -> datetime:
    """An ISO date-time for ``--now``; without an offset it is read in company time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO date-time such as 2025-03-03T10:00+01:00."
        ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=CompanySettings.load().tzinfo)
    return moment


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str
    key: str = "custom"

    def bounds(self, tzinfo) -> tuple[datetime, datetime]:
        """[first instant, first instant after] of the period in ``tzinfo``."""
        return (
            datetime.combine(self.start, time.min, tzinfo=tzinfo),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tzinfo),
        )


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(start, end, date_format(start, "MONTH_YEAR"), "month")


def whole_months(start: date, end: date) -> bool:
    """Is [start, end] made of whole calendar months (readable from the month rollup)?"""
    return start.day == 1 and end == month_of(end).end and start <= end


def quarter_of(day: date, fiscal_start_month: int = 1) -> Period:
    """The (fiscal) quarter holding ``day``; quarters start at the fiscal year's month."""
    offset = (day.month - fiscal_start_month) % 3
    month_index = day.year * 12 + day.month - 1 - offset
    start = date(month_index // 12, month_index % 12 + 1, 1)
    end_index = month_index + 3
    end = date(end_index // 12, end_index % 12 + 1, 1) - timedelta(days=1)
    label = pgettext("quarter", "%(first)s – %(last)s") % {
        "first": date_format(start, "M"),
        "last": date_format(end, "SHORT_MONTH_YEAR"),
    }
    return Period(start, end, label, "quarter")


def last_days(today: date, n: int = 90) -> Period:
    label = ngettext("Last %(count)s day", "Last %(count)s days", n) % {"count": n}
    return Period(today - timedelta(days=n - 1), today, label, f"last{n}")
