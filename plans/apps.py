from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and goals")

    def ready(self):
        # The quota sheet import (salesmgmt.imports).
        from plans.goals.imports import GoalImporter  # noqa: PLC0415
        from salesmgmt.imports import registry  # noqa: PLC0415

        registry.register(GoalImporter())
