from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

FEATURES = ("sessions", "recognition", "training", "feedback", "improvement")


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = _("Coaching")

    def ready(self):
        # Each feature fills the panel slots of lower apps' pages (salesmgmt.panels).
        for feature in FEATURES:
            import_module(f"coaching.{feature}.panels")
