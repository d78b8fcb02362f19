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
        # Sessions, training and improvement checkpoints in calendar feeds.
        from coaching.improvement.calendar_items import improvement_items  # noqa: PLC0415
        from coaching.sessions.calendar_items import session_items  # noqa: PLC0415
        from coaching.training.calendar_items import training_items  # noqa: PLC0415
        from salesmgmt.calendar_feeds import sources  # noqa: PLC0415

        sources.register("coaching.sessions", session_items)
        sources.register("coaching.training", training_items)
        sources.register("coaching.improvement", improvement_items)
