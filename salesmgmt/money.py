"""Money and shares: the constants and the one rounding rule every figure uses.

The database sums at full precision; a figure is rounded once, when it is shown or
stored: half up (a calculator's rule, the one a rep checking a statement expects) to
the cent for money, to a tenth for percentages.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Value
from django.db.models.functions import NullIf
from django.utils.formats import get_format, number_format

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


def percent_expression(part: str, whole: str, output_field: DecimalField) -> ExpressionWrapper:
    """``part`` as a percentage of ``whole`` in SQL, unrounded; NULL where whole is 0.

    Written part / (whole x 0.01), not part x 100 / whole: SQLite keeps whole amounts as
    integers and casts the literal 100.00 to the integer 100, so the latter would be an
    integer division there (6,500 x 100 / 6,000 = 108, not 108.33); 0.01 stays real."""
    return ExpressionWrapper(
        F(part) / NullIf(F(whole) * Value(Decimal("0.01")), Value(0)), output_field=output_field
    )


# Showing money in the reader's language: the amount's separators follow the active
# locale, the currency (company settings) decides the decimals and the sign, and the
# locale's MONEY_PATTERN where the sign goes: "USD 1,250.00" (English), "Rp 1.250.000"
# (Indonesian), "₱1,250.00" (Filipino), "1.250,00 €" (Greek).
CURRENCY_SYMBOLS = {
    "USD": "US$",
    "EUR": "€",
    "GBP": "£",
    "IDR": "Rp",
    "PHP": "₱",
    "JPY": "¥",
    "AUD": "A$",
    "SGD": "S$",
    "MYR": "RM",
    "INR": "₹",
}
# Currencies written without minor units (ISO 4217 exponent 0).
WHOLE_CURRENCIES = {"IDR", "JPY", "KRW", "VND", "CLP", "ISK", "HUF"}


def currency_decimals(currency: str) -> int:
    return 0 if currency.upper() in WHOLE_CURRENCIES else 2


def format_amount(value, currency: str) -> str:
    """``value`` with the active locale's separators and ``currency``'s decimals."""
    decimals = currency_decimals(currency)
    rounded = quantize(Decimal(value), Decimal(1).scaleb(-decimals))
    return number_format(rounded, decimal_pos=decimals, force_grouping=True)


def format_money(value, currency: str) -> str:
    """``value`` in ``currency`` as the active locale writes money; "—" for nothing (or
    for something that is not a number). A minus goes before the whole: "-₱1,250.50"."""
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        return "—"
    code = currency.upper()
    written = get_format("MONEY_PATTERN").format(
        code=code, symbol=CURRENCY_SYMBOLS.get(code, code), amount=format_amount(abs(amount), code)
    )
    return (
        f"-{written}" if amount < 0 and format_amount(abs(amount), code).strip("0,.") else written
    )
