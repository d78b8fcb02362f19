"""Monthly reviews waiting for someone, in calendar feeds (salesmgmt.calendar_feeds).

The product sets no deadline for a review, so the feed shows each one as an all-day
item on the day it started waiting, until it is done:

- a team manager: the month's reviews of their reps still to annotate and share, one
  item per month, on the day the first of them was generated;
- a rep: their review shared and not yet acknowledged, on the day it was shared.
"""

from datetime import datetime

from django.db.models import Count, Min
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reporting.models import MonthlyReview, ReviewStatus
from salesmgmt.calendar import zone_of
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url


def reviews_to_share_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """One grouped query: per month, how many of the manager's reps' reviews wait."""
    if not user.reviews_plans:
        return []
    months = (
        MonthlyReview.objects.visible_to(user)
        .filter(status=ReviewStatus.DRAFT, rep__team__manager=user)
        .values("month")
        .annotate(count=Count("pk"), since=Min("generated_at"))
        .filter(since__gte=start, since__lt=end)
        .order_by("month")
    )
    zone = zone_of(user)
    items = []
    for row in months:
        month = date_format(row["month"], "MONTH_YEAR")
        items.append(
            FeedItem(
                uid=f"reviews-to-share-{user.pk}-{row['month']:%Y-%m}@salesmgmt",
                summary=ngettext(
                    "Share %(count)d monthly review: %(month)s",
                    "Share %(count)d monthly reviews: %(month)s",
                    row["count"],
                )
                % {"count": row["count"], "month": month},
                start=row["since"].astimezone(zone).date(),
                description=_(
                    "Add your notes and root causes, then share each review with its rep."
                ),
                url=absolute_url("reviews:list")
                + f"?month={row['month']:%Y-%m}&status={ReviewStatus.DRAFT}",
                categories=(pgettext("calendar category", "Review"),),
            )
        )
    return items


def review_to_acknowledge_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """The rep's shared reviews not yet acknowledged (one query)."""
    reviews = (
        MonthlyReview.objects.visible_to(user)
        .filter(
            rep=user,
            status=ReviewStatus.SHARED,
            shared_at__gte=start,
            shared_at__lt=end,
        )
        .order_by("month")
        .only("pk", "month", "shared_at", "version")
    )
    zone = zone_of(user)
    return [
        FeedItem(
            uid=f"review-acknowledge-{review.pk}@salesmgmt",
            summary=_("Acknowledge your monthly review: %(month)s")
            % {"month": date_format(review.month, "MONTH_YEAR")},
            start=review.shared_at.astimezone(zone).date(),
            description=_("Read it, then acknowledge it; you may add a comment."),
            url=absolute_url("reviews:detail", review.pk),
            categories=(pgettext("calendar category", "Review"),),
            sequence=review.version,
        )
        for review in reviews
    ]
