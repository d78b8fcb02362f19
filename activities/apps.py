from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        # The spreadsheet imports of this app's records (salesmgmt.imports).
        from activities.deals.imports import DealImporter  # noqa: PLC0415
        from activities.log.imports import ActivityImporter  # noqa: PLC0415
        from activities.tasks.imports import TaskImporter  # noqa: PLC0415
        from salesmgmt.imports import registry  # noqa: PLC0415

        registry.register(ActivityImporter())
        registry.register(DealImporter())
        registry.register(TaskImporter())
