from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and goals")

    def ready(self):
        # Plan deadlines and reviews in people's calendar feeds (salesmgmt.calendar_feeds).
        from plans.weekly.calendar_items import (  # noqa: PLC0415
            plan_deadline_items,
            plan_review_items,
        )
        from salesmgmt.calendar_feeds import sources  # noqa: PLC0415

        sources.register("plans.deadlines", plan_deadline_items)
        sources.register("plans.reviews", plan_review_items)
