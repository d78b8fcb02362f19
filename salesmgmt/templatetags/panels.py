from django import template

from salesmgmt.panels import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot, **objects):
    """``{% panels "review" review=review %}``: what the apps above fill the slot with."""
    return render_slot(slot, context["request"], **objects)
