from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        from activities import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
