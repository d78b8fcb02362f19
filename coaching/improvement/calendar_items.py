"""Open improvement plans' checkpoints and end days, for the rep and the manager who
runs the plan (salesmgmt.calendar_feeds)."""

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coaching.models import ImprovementCheckpoint, ImprovementPlan
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url, local_days


def improvement_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """Two queries: checkpoints not yet reviewed, and plans ending, in the window."""
    first, last = local_days(user, start, end)
    mine = Q(rep=user) | Q(manager=user)
    # Only what their pages still show them (a manager moved to another team sees no more).
    plans = ImprovementPlan.objects.visible_to(user).open().filter(mine)
    category = (pgettext("calendar category", "Improvement plan"),)
    checkpoints = (
        ImprovementCheckpoint.objects.filter(
            plan__in=plans, done_at__isnull=True, due__range=(first, last)
        )
        .select_related("plan__rep")
        .order_by("due", "pk")
    )
    items = [
        FeedItem(
            uid=f"improvement-checkpoint-{checkpoint.pk}@salesmgmt",
            summary=_("Improvement plan checkpoint: %(what)s (%(rep)s)")
            % {"what": checkpoint.what, "rep": checkpoint.plan.rep},
            start=checkpoint.due,
            url=absolute_url("improvement:detail", checkpoint.plan_id),
            categories=category,
        )
        for checkpoint in checkpoints
    ]
    ending = plans.filter(ends_on__range=(first, last)).select_related("rep").order_by("ends_on")
    items += [
        FeedItem(
            uid=f"improvement-plan-end-{plan.pk}@salesmgmt",
            summary=_("Improvement plan ends: %(rep)s") % {"rep": plan.rep},
            start=plan.ends_on,
            description=_("Time to review the outcome: met, extended or not met."),
            url=absolute_url("improvement:detail", plan.pk),
            categories=category,
            sequence=plan.version,
        )
        for plan in ending
    ]
    return items
