from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        # Monthly reviews waiting for someone, in calendar feeds (salesmgmt.calendar_feeds).
        from reporting.reviews.calendar_items import (  # noqa: PLC0415
            review_to_acknowledge_items,
            reviews_to_share_items,
        )
        from salesmgmt.calendar_feeds import sources  # noqa: PLC0415

        sources.register("reporting.reviews_to_share", reviews_to_share_items)
        sources.register("reporting.reviews_to_acknowledge", review_to_acknowledge_items)

        # The webhook events of this app, each with the API serializer of its object.
        from reporting.commissions.serializers import CommissionStatementSerializer  # noqa: PLC0415  (apps load before serializers may)
        from reporting.kpis.serializers import DeviationEpisodeSerializer  # noqa: PLC0415
        from reporting.reviews.serializers import MonthlyReviewSerializer  # noqa: PLC0415
        from salesmgmt.models import WebhookEventType as E  # noqa: PLC0415
        from salesmgmt.webhooks.registry import register  # noqa: PLC0415

        for event_type in (E.ALERT_OPENED, E.ALERT_RED):
            register(event_type, object_type="alert", serializer=DeviationEpisodeSerializer)
        for event_type in (E.REVIEW_SHARED, E.REVIEW_ACKNOWLEDGED):
            register(event_type, object_type="monthly_review", serializer=MonthlyReviewSerializer)
        register(
            E.STATEMENT_READY,
            object_type="commission_statement",
            serializer=CommissionStatementSerializer,
        )

        from reporting import audit  # noqa: PLC0415 (models are loaded once the app is ready)

        audit.register()
