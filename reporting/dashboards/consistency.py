"""Quota consistency: is a rep steady, volatile, improving or declining?

A rep steady at 90% and one swinging between 150% and 50% may have the same
average; a manager coaches them differently. Definitions (pinned by
tests/reporting/dashboards/test_consistency.py):

- **Window**: the last ``months`` *complete* calendar months before the month
  of ``as_of`` (on 18 Nov 2026, 6 months = May to October 2026).
- **Monthly attainment** of a rep: the mean, over the rep's own monthly goals
  (scope rep, period month) starting in that month, of final actual / target in
  percent. Months in which the rep had no monthly goal are skipped (they do not
  count as 0%).
- **Mean**: the arithmetic mean of the monthly attainments.
- **Standard deviation**: the *population* standard deviation of the monthly
  attainments (divide by n, not n - 1): it describes the months the rep had,
  it does not estimate anything beyond them.
- **Trend**: the least-squares slope of attainment against the month, in
  percentage points per month (skipped months keep their place on the axis).
- **Scatter**: the population standard deviation of the residuals around that
  line — how far the months swing once the trend is taken out.
- **Label**, first rule that applies:
  1. fewer than ``MIN_MONTHS`` (3) months with goals -> "too little history";
  2. scatter above ``VOLATILE_SCATTER`` (20 points) -> "volatile";
  3. trend at or above ``TREND_POINTS`` (+5 points a month) -> "improving";
  4. trend at or below -``TREND_POINTS`` -> "declining";
  5. otherwise -> "steady".

So 90, 90, 90, 90, 90, 90 is steady (mean 90.0, sd 0.0); 150, 50, 150, 50,
150, 50 is volatile (mean 100.0, sd 50.0); 60, 70, ... 110 is improving (trend
+10 a month, no scatter).

``consistency`` runs one query for any number of reps and months: the goals
are annotated with their actuals (``plans.goals.selectors.with_actuals``) and
averaged per rep and month by the database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import sqrt

from django.db.models import Avg, DecimalField
from django.db.models.functions import TruncMonth
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plans.goals.selectors import with_actuals
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.models import CompanySettings
from salesmgmt.money import percent_expression, quantize

MIN_MONTHS = 3
VOLATILE_SCATTER = 20
TREND_POINTS = 5
ONE_DECIMAL = Decimal("0.1")
PERCENT = DecimalField(max_digits=18, decimal_places=6)

STEADY, VOLATILE, IMPROVING, DECLINING = "steady", "volatile", "improving", "declining"
TOO_LITTLE = "too little history"
# The labels are keys (CSV, API); people read these.
LABEL_WORDS = {
    STEADY: pgettext_lazy("consistency", "steady"),
    VOLATILE: pgettext_lazy("consistency", "volatile"),
    IMPROVING: pgettext_lazy("consistency", "improving"),
    DECLINING: pgettext_lazy("consistency", "declining"),
    TOO_LITTLE: pgettext_lazy("consistency", "too little history"),
}
LABEL_HINTS = {
    STEADY: _("Month after month near the same attainment."),
    VOLATILE: _("Big swings from month to month."),
    IMPROVING: _("Attainment rising month over month."),
    DECLINING: _("Attainment falling month over month."),
    TOO_LITTLE: _("Fewer than three months with goals."),
}


@dataclass
class Consistency:
    months: list[tuple[date, Decimal]] = field(default_factory=list)
    """(first day of the month, attainment %) for each month with goals, oldest first."""
    mean: Decimal | None = None
    std_dev: Decimal | None = None
    trend: Decimal | None = None
    scatter: Decimal | None = None
    label: str = TOO_LITTLE

    @property
    def hint(self) -> str:
        return str(LABEL_HINTS[self.label])

    @property
    def label_text(self) -> str:
        """The label in the reader's language."""
        return str(LABEL_WORDS[self.label])

    @property
    def signed_trend(self) -> str:
        """The trend as people read it: "+2.5", "-1.0" (locale decimals)."""
        if self.trend is None:
            return ""
        text = formats.number_format(self.trend.quantize(ONE_DECIMAL), decimal_pos=1)
        return f"+{text}" if self.trend > 0 else text

    @property
    def attainments(self) -> list[Decimal]:
        return [value for _, value in self.months]


def month_window(as_of: date, months: int) -> tuple[date, date]:
    """(first day of the oldest month, last day of the newest) of the complete months."""
    index = as_of.year * 12 + as_of.month - 1  # the current month, not included
    first = index - months
    start = date(first // 12, first % 12 + 1, 1)
    end = date(as_of.year, as_of.month, 1).toordinal() - 1
    return start, date.fromordinal(end)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def describe(months: list[tuple[date, Decimal]]) -> Consistency:
    """Mean, standard deviation, trend, scatter and label of monthly attainments (no query)."""
    result = Consistency(months=months)
    n = len(months)
    if not n:
        return result
    ys = [float(v) for _, v in months]
    mean = sum(ys) / n
    result.mean = quantize(Decimal(mean), ONE_DECIMAL)
    result.std_dev = quantize(Decimal(sqrt(sum((y - mean) ** 2 for y in ys) / n)), ONE_DECIMAL)
    if n < MIN_MONTHS:
        return result
    xs = [float(_month_index(day)) for day, _ in months]
    mean_x = sum(xs) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean) for x, y in zip(xs, ys, strict=True)) / sxx
    residuals = [y - (mean + slope * (x - mean_x)) for x, y in zip(xs, ys, strict=True)]
    scatter = sqrt(sum(r * r for r in residuals) / n)
    result.trend = quantize(Decimal(slope), ONE_DECIMAL)
    result.scatter = quantize(Decimal(scatter), ONE_DECIMAL)
    if result.scatter > VOLATILE_SCATTER:
        result.label = VOLATILE
    elif result.trend >= TREND_POINTS:
        result.label = IMPROVING
    elif result.trend <= -TREND_POINTS:
        result.label = DECLINING
    else:
        result.label = STEADY
    return result


def monthly_attainment(rep_ids, *, start: date, end: date, as_of: date) -> dict[int, list]:
    """{rep_id: [(month, mean attainment %), ...]} of monthly rep goals starting in
    [start, end], oldest first: one grouped query."""
    goals = Goal.objects.filter(
        scope=GoalScope.REP,
        period=GoalPeriod.MONTH,
        rep__in=rep_ids,
        start__range=(start, end),
    )
    attainment = percent_expression("actual", "target", PERCENT)
    rows = (
        with_actuals(goals, as_of=as_of)
        .annotate(month=TruncMonth("start"))
        .order_by()
        .values("rep", "month")
        .annotate(attainment=Avg(attainment, output_field=PERCENT))
        .order_by("rep", "month")
    )
    by_rep: dict[int, list] = {}
    for row in rows:
        by_rep.setdefault(row["rep"], []).append((row["month"], Decimal(row["attainment"])))
    return by_rep


def consistency(rep_ids, *, months: int, as_of: date | None = None) -> dict[int, Consistency]:
    """{rep_id: Consistency} over the last ``months`` complete months, in one query."""
    return consistency_windows(rep_ids, windows=(months,), as_of=as_of)[months]


def consistency_windows(
    rep_ids, *, windows=(6, 12), as_of: date | None = None
) -> dict[int, dict[int, Consistency]]:
    """{months: {rep_id: Consistency}} for several windows from ONE query (the longest)."""
    as_of = as_of or CompanySettings.load().today()
    rep_ids = list(rep_ids)
    start, end = month_window(as_of, max(windows))
    by_rep = monthly_attainment(rep_ids, start=start, end=end, as_of=as_of)
    result = {}
    for months in windows:
        first, _ = month_window(as_of, months)
        result[months] = {
            rep_id: describe(
                [(m, quantize(v, ONE_DECIMAL)) for m, v in by_rep.get(rep_id, []) if m >= first]
            )
            for rep_id in rep_ids
        }
    return result
