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

        # The webhook events of this app, each with the API serializer of its object.
        from activities.customers.serializers import CustomerSerializer  # noqa: PLC0415  (apps load before serializers may)
        from activities.deals.serializers import DealSerializer  # noqa: PLC0415
        from activities.log.serializers import ActivityBatchSerializer  # noqa: PLC0415
        from activities.tasks.serializers import TaskSerializer  # noqa: PLC0415
        from salesmgmt.models import WebhookEventType as E  # noqa: PLC0415
        from salesmgmt.webhooks.registry import register  # noqa: PLC0415

        for event_type in (E.DEAL_CREATED, E.DEAL_STAGE_CHANGED, E.DEAL_WON, E.DEAL_LOST):
            register(event_type, object_type="deal", serializer=DealSerializer)
        for event_type in (E.CUSTOMER_CREATED, E.CUSTOMER_UPDATED):
            register(event_type, object_type="customer", serializer=CustomerSerializer)
        for event_type in (E.TASK_CREATED, E.TASK_DONE, E.TASK_OVERDUE):
            register(event_type, object_type="task", serializer=TaskSerializer)
        register(
            E.ACTIVITIES_LOGGED, object_type="activity_batch", serializer=ActivityBatchSerializer
        )

        # The spreadsheet imports of this app's records (salesmgmt.imports).
        from activities.deals.imports import DealImporter  # noqa: PLC0415
        from activities.log.imports import ActivityImporter  # noqa: PLC0415
        from activities.tasks.imports import TaskImporter  # noqa: PLC0415
        from salesmgmt.imports import registry  # noqa: PLC0415

        registry.register(ActivityImporter())
        registry.register(DealImporter())
        registry.register(TaskImporter())

        from activities import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
