"""/api/v1/me/calendar-feed/: one's own calendar feed, and nobody else's (there is no
way to name another person's)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from salesmgmt.api_schema import error_response
from salesmgmt.calendar_feeds import selectors, services
from salesmgmt.calendar_feeds.serializers import (
    CalendarFeedRequestSerializer,
    CalendarFeedSerializer,
)


@extend_schema(
    methods=["GET"],
    request=None,
    responses={
        200: CalendarFeedSerializer,
        404: error_response("You have no calendar feed yet (POST makes one)."),
    },
)
@extend_schema(
    methods=["POST"],
    request=CalendarFeedRequestSerializer,
    responses={200: CalendarFeedSerializer, 201: CalendarFeedSerializer},
)
@extend_schema(methods=["DELETE"], request=None, responses={204: None})
@api_view(["GET", "POST", "DELETE"])
def my_calendar_feed(request):
    """Your private iCalendar feed (tasks, meetings, coaching sessions, deadlines).

    GET: the feed (404 when you never made one; `url` is null once revoked). POST: turn
    it on (201 with a new address; 200 when it was already on), or with
    `{"reset": true}` give it a new address (the old one stops working). DELETE: turn
    it off (204); its address answers 404 from then on."""
    if request.method == "GET":
        feed = selectors.feed_of(request.user)
        if feed is None:
            raise Http404
        return Response(CalendarFeedSerializer(feed).data)
    if request.method == "DELETE":
        services.revoke_calendar_feed(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    body = CalendarFeedRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    before = selectors.feed_of(request.user)
    if body.validated_data["reset"]:
        feed = services.reset_calendar_feed(user=request.user)
    else:
        feed = services.create_calendar_feed(user=request.user)
    created = before is None or before.token != feed.token
    return Response(
        CalendarFeedSerializer(feed).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )
