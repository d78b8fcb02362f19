"""Commission rates as the reader writes them: "7.5%" in English, "7,5%" in Greek."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def rate(value):
    """A plan's rate or threshold without trailing zeros ("5%", "7.5%"), or a dash."""
    if value is None or value == "":
        return "—"
    return f"{number_format(Decimal(value).normalize())}%"
