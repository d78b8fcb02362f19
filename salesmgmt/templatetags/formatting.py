"""Money in the reader's language, in every template (a builtin: no {% load %} needed).

``{{ amount|money }}`` -> "USD 1,250.00" / "Rp 1.250.000" / "₱1,250.00" / "1.250,00 €";
``{{ amount|money:"amount" }}`` the same figure without the currency.
Dates use the named formats in salesmgmt/formats (``{{ day|date:"DATE_MEDIUM" }}``).
"""

from django import template

from salesmgmt.models import CompanySettings
from salesmgmt.money import format_amount, format_money

register = template.Library()


@register.filter
def money(value, part=""):
    currency = CompanySettings.load().currency
    if part == "amount":
        return "—" if value is None or value == "" else format_amount(value, currency)
    return format_money(value, currency)
