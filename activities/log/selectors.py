"""Sales figures from the log: credited sales (defined on ``ActivityQuerySet.credited_sales``).

Every sales figure a page, the API, a statement or a report shows comes from here, so
"sales" means the same rows everywhere: won deals (one row each) and walk-in sales.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from activities.models import Activity, ActivitySource
from salesmgmt.money import ZERO, money

WON = Q(source=ActivitySource.DEAL)


@dataclass(frozen=True)
class CreditedSales:
    """How many credited sales, their value, and how they split into won deals and walk-ins."""

    count: int = 0
    value: Decimal = ZERO
    won_deals: int = 0
    won_value: Decimal = ZERO

    @property
    def walk_ins(self) -> int:
        return self.count - self.won_deals

    @property
    def walk_in_value(self) -> Decimal:
        return self.value - self.won_value


NONE = CreditedSales()

_FIGURES = {
    "n": Count("pk"),
    "v": Sum("quantity"),
    "won_n": Count("pk", filter=WON),
    "won_v": Sum("quantity", filter=WON),
}


def _figures(row) -> CreditedSales:
    return CreditedSales(
        count=row["n"] or 0,
        value=money(row["v"]),
        won_deals=row["won_n"] or 0,
        won_value=money(row["won_v"]),
    )


def credited_sales_by_rep(rep_ids, *, start: date, end: date) -> dict[int, CreditedSales]:
    """{rep_id: their credited sales in [start, end]}; reps without any are left out. One query."""
    rows = (
        Activity.objects.credited_sales(start=start, end=end)
        .filter(rep__in=rep_ids)
        .values("rep_id")
        .annotate(**_FIGURES)
        .order_by()
    )
    return {row["rep_id"]: _figures(row) for row in rows}


def credited_sales_of(reps, *, start: date, end: date) -> CreditedSales:
    """The credited sales of these reps together (a QuerySet or ids) in [start, end]. One query."""
    row = (
        Activity.objects.credited_sales(start=start, end=end)
        .filter(rep__in=reps)
        .aggregate(**_FIGURES)
    )
    return _figures(row)
