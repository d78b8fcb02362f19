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

        # The webhook events of this app, each with the API serializer of its object.
        from plans.goals.serializers import GoalSerializer  # noqa: PLC0415  (apps load before serializers may)
        from plans.weekly.serializers import WeeklyPlanSerializer  # noqa: PLC0415
        from salesmgmt.models import WebhookEventType as E  # noqa: PLC0415
        from salesmgmt.webhooks.registry import register  # noqa: PLC0415

        for event_type in (E.PLAN_SUBMITTED, E.PLAN_APPROVED, E.PLAN_RETURNED):
            register(event_type, object_type="weekly_plan", serializer=WeeklyPlanSerializer)
        register(E.GOAL_CHANGED, object_type="goal", serializer=GoalSerializer)

        # The quota sheet import (salesmgmt.imports).
        from plans.goals.imports import GoalImporter  # noqa: PLC0415
        from salesmgmt.imports import registry  # noqa: PLC0415

        registry.register(GoalImporter())

        from plans import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
