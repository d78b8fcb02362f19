"""A rep's open training assignments on their due day (salesmgmt.calendar_feeds)."""

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coaching.models import TrainingAssignment
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url, local_days


def training_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """One query: open assignments of ``user`` due in the window."""
    first, last = local_days(user, start, end)
    assignments = (
        TrainingAssignment.objects.visible_to(user)
        .open()
        .filter(rep=user, due__range=(first, last))
        .select_related("module")
        .order_by("due", "pk")
    )
    return [
        FeedItem(
            uid=f"training-{assignment.pk}@salesmgmt",
            summary=_("Training due: %(module)s") % {"module": assignment.module.title},
            start=assignment.due,
            description=_("About %(minutes)d minutes. Mark it done with your score.")
            % {"minutes": assignment.module.duration_minutes},
            url=absolute_url("training:assignment", assignment.pk),
            categories=(pgettext("calendar category", "Training"),),
            sequence=assignment.version,
        )
        for assignment in assignments
    ]
