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
