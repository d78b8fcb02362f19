"""Money in the reader's language, in every template (a builtin: no {% load %} needed).

``{{ amount|money }}`` -> "USD 1,250.00" / "Rp 1.250.000" / "₱1,250.00" / "1.250,00 €";
``{{ amount|money:"amount" }}`` the same figure without the currency.
Dates use the named formats in salesmgmt/formats (``{{ day|date:"DATE_MEDIUM" }}``).
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from salesmgmt.i18n import javascript_catalogue_version
from salesmgmt.models import CompanySettings
from salesmgmt.money import format_amount, format_money

register = template.Library()


@register.filter
def money(value, part=""):
    currency = CompanySettings.load().currency
    if part == "amount":
        return "—" if value is None or value == "" else format_amount(value, currency)
    return format_money(value, currency)


@register.simple_tag
def javascript_catalogue_url():
    """The JavaScript catalogue of the active language: its URL names the language and
    the catalogues' version, so it is cached by the browser and never stale."""
    query = urlencode({"l": get_language(), "v": javascript_catalogue_version()})
    return f"{reverse('javascript-catalog')}?{query}"
