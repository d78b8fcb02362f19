from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and goals")

    def ready(self):
        from plans import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
