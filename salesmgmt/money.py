"""Money and shares: the constants and the one rounding rule every figure uses.

The database sums at full precision; a figure is rounded once, when it is shown or
stored: half up (a calculator's rule, the one a rep checking a statement expects) to
the cent for money, to a tenth for percentages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")
# The output type of sums of money in SQL.
MONEY = DecimalField(max_digits=18, decimal_places=2)


def quantize(value, step: Decimal = CENT) -> Decimal | None:
    """``value`` rounded half up to ``step`` (the cent unless told); None stays None."""
    return None if value is None else Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    """An amount to the cent; nothing (None) is 0.00."""
    return quantize(Decimal(value or 0))


def percent_of(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to a tenth; None when there is no whole."""
    if not whole:
        return None
    return quantize(Decimal(part or 0) * HUNDRED / Decimal(whole), TENTH)
