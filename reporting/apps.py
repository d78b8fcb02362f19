from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        from reporting import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
