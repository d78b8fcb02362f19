from importlib import import_module

from django.apps import AppConfig

FEATURES = ("sessions", "recognition", "training", "feedback", "improvement")


class CoachingConfig(AppConfig):
    name = "coaching"

    def ready(self):
        # Each feature fills the panel slots of lower apps' pages (salesmgmt.panels).
        for feature in FEATURES:
            import_module(f"coaching.{feature}.panels")
