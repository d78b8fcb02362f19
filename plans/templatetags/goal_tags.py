"""Showing goal figures in the reader's language: money in the company currency as the
active locale writes it ("USD 1,250.00", "1.250,00 €", "Rp 1.250.000"), counts plain."""

from django import template
from django.template.defaultfilters import floatformat

from salesmgmt.models import CompanySettings
from salesmgmt.money import format_amount, format_money

register = template.Library()


@register.simple_tag
def figure(value, metric, currency=True):
    """``value`` in ``metric``'s unit: money as the locale writes it, "1,250" or "86.7"
    (in the locale's separators) for counts."""
    if value is None or value == "":
        return "—"
    if metric.is_money:
        code = CompanySettings.load().currency
        return format_money(value, code) if currency else format_amount(value, code)
    return floatformat(value, "-1g")


@register.filter
def percent(value):
    """A percentage with one decimal, or a dash."""
    return "—" if value is None else f"{floatformat(value, '1g')}%"


@register.filter
def bar_width(value, cap=100):
    """A percentage clamped to [0, cap], for a CSS width (a plain number: put it through
    ``unlocalize`` in the template, or Greek writes "12,5")."""
    if value is None:
        return 0
    return max(0, min(float(value), float(cap)))
