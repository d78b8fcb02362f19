from django.apps import AppConfig


class SalesmgmtConfig(AppConfig):
    name = "salesmgmt"
    verbose_name = "Organisation"

    def ready(self):
        from salesmgmt import checks  # noqa: F401  (registers the deploy checks)
