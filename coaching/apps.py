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
        _register_webhook_events()


def _register_webhook_events():
    """The webhook events of this app, each with the API serializer of its object."""
    from coaching.recognition.serializers import AwardSerializer, KudosSerializer  # noqa: PLC0415  (apps load before serializers may)
    from coaching.sessions.serializers import CoachingSessionSerializer  # noqa: PLC0415
    from salesmgmt.models import WebhookEventType as E  # noqa: PLC0415
    from salesmgmt.webhooks.registry import register  # noqa: PLC0415

    register(
        E.COACHING_SESSION_RECORDED,
        object_type="coaching_session",
        serializer=CoachingSessionSerializer,
    )
    register(E.KUDOS_GIVEN, object_type="kudos", serializer=KudosSerializer)
    register(E.AWARD_GIVEN, object_type="award", serializer=AwardSerializer)
