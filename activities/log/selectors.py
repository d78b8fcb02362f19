"""Sales figures from the log: credited sales (defined on ``ActivityQuerySet.credited_sales``).

Every sales figure a page, the API, a statement or a report shows comes from here, so
"sales" means the same rows everywhere: won deals (one row each) and walk-in sales.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from activities.models import SALES_CLOSED, SALES_VALUE, Activity, ActivitySource
from salesmgmt.money import ZERO, money

WON = Q(source=ActivitySource.DEAL)
COUNT, VALUE = Q(metric__key=SALES_CLOSED), Q(metric__key=SALES_VALUE)
BOTH = (SALES_VALUE, SALES_CLOSED)


@dataclass(frozen=True)
class CreditedSales:
    """How many credited sales (the sales-closed count), their value (the sales-value
    sum), and how both split into won deals and walk-ins."""

    count: Decimal = ZERO
    value: Decimal = ZERO
    won_deals: Decimal = ZERO
    won_value: Decimal = ZERO

    @property
    def walk_ins(self) -> int:
        return self.count - self.won_deals

    @property
    def walk_in_value(self) -> Decimal:
        return self.value - self.won_value


NONE = CreditedSales()

_FIGURES = {
    "n": Sum("quantity", filter=COUNT),
    "v": Sum("quantity", filter=VALUE),
    "won_n": Sum("quantity", filter=COUNT & WON),
    "won_v": Sum("quantity", filter=VALUE & WON),
}


def _count(value) -> Decimal:
    """A count as a whole number when it is one (counts are logged as decimals)."""
    value = Decimal(value or 0)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _figures(row) -> CreditedSales:
    return CreditedSales(
        count=_count(row["n"]),
        value=money(row["v"]),
        won_deals=_count(row["won_n"]),
        won_value=money(row["won_v"]),
    )


def credited_sales_by_rep(rep_ids, *, start: date, end: date) -> dict[int, CreditedSales]:
    """{rep_id: their credited sales in [start, end]}; reps without any are left out. One query."""
    rows = (
        Activity.objects.credited_sales(start=start, end=end, metrics=BOTH)
        .filter(rep__in=rep_ids)
        .values("rep_id")
        .annotate(**_FIGURES)
        .order_by()
    )
    return {row["rep_id"]: _figures(row) for row in rows}


def credited_sales_of(reps, *, start: date, end: date) -> CreditedSales:
    """The credited sales of these reps together (a QuerySet or ids) in [start, end]. One query."""
    row = (
        Activity.objects.credited_sales(start=start, end=end, metrics=BOTH)
        .filter(rep__in=reps)
        .aggregate(**_FIGURES)
    )
    return _figures(row)
