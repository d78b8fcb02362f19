from django.apps import AppConfig


class SalesmgmtConfig(AppConfig):
    name = "salesmgmt"
    verbose_name = "Organisation"

    def ready(self):
        # Django loads apps before their models: checks register once the registry is ready.
        from salesmgmt import checks  # noqa: F401, PLC0415  (registers the deploy checks)
        from salesmgmt.audit import sources  # noqa: PLC0415

        sources.register()
