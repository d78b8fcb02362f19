from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        # Tasks and deals' next steps in people's calendar feeds (salesmgmt.calendar_feeds).
        from activities.deals.calendar_items import next_step_items  # noqa: PLC0415
        from activities.tasks.calendar_items import task_items  # noqa: PLC0415
        from salesmgmt.calendar_feeds import sources  # noqa: PLC0415

        sources.register("activities.tasks", task_items)
        sources.register("activities.deals", next_step_items)
