"""Open deals' next steps in their owner's calendar feed (salesmgmt.calendar_feeds).

A deal's next step has a day but no time ("Send the quote", 12 Dec), so it is an
all-day event on that day; won, lost and step-less deals are left out."""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Deal
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url, local_days


def next_step_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """One query, whatever the number of deals."""
    first, last = local_days(user, start, end)
    deals = (
        Deal.objects.visible_to(user)
        .open()
        .filter(owner=user, next_step_date__range=(first, last))
        .exclude(next_step="")
        .select_related("customer")
        .order_by("next_step_date", "pk")
    )
    return [
        FeedItem(
            uid=f"deal-next-step-{deal.pk}@salesmgmt",
            summary=_("Next step: %(step)s — %(deal)s") % {"step": deal.next_step, "deal": deal},
            start=deal.next_step_date,
            description=_("Customer: %(customer)s") % {"customer": deal.customer.name},
            url=absolute_url("deals:detail", deal.pk),
            categories=(pgettext("calendar category", "Deal"),),
            sequence=deal.version,
        )
        for deal in deals
    ]
