"""Showing goal figures: money with the company currency and 2 decimals, counts plain."""

from django import template
from django.template.defaultfilters import floatformat

from salesmgmt.models import CompanySettings

register = template.Library()


@register.simple_tag
def figure(value, metric, currency=True):
    """``value`` in ``metric``'s unit: "USD 1,250.00" for money, "1,250" or "86.7" for counts."""
    if value is None or value == "":
        return "—"
    if metric.is_money:
        amount = floatformat(value, "2g")
        return f"{CompanySettings.load().currency} {amount}" if currency else amount
    return floatformat(value, "-1g")


@register.filter
def percent(value):
    """A percentage with one decimal, or a dash."""
    return "—" if value is None else f"{floatformat(value, '1g')}%"


@register.filter
def bar_width(value, cap=100):
    """A percentage clamped to [0, cap], for a CSS width."""
    if value is None:
        return 0
    return max(0, min(float(value), float(cap)))
