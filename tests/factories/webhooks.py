"""Webhook endpoints and the events the services record, for the event tests."""

from rest_framework.test import APIClient

from salesmgmt.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def subscribe(*event_types, active=True, url="https://hooks.example.com/in") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url=url, events=[str(t) for t in event_types], secret="s3cret", is_active=active
    )


def events_of(event_type) -> list[WebhookEvent]:
    return list(WebhookEvent.objects.filter(type=str(event_type)).order_by("pk"))


def the_event(event_type, *, object_type: str, object_id) -> WebhookEvent:
    """The one event of ``event_type``, checked to be about that object and delivered to
    every endpoint that wants it."""
    found = events_of(event_type)
    assert len(found) == 1, [(e.type, e.object_id) for e in WebhookEvent.objects.all()]
    event = found[0]
    assert (event.object_type, event.object_id) == (object_type, str(object_id))
    wanted = [
        e.pk for e in WebhookEndpoint.objects.filter(is_active=True) if str(event_type) in e.events
    ]
    assert (
        sorted(WebhookDelivery.objects.filter(event=event).values_list("endpoint", flat=True))
        == wanted
    )
    return event


def as_api_shows(admin, url: str) -> dict:
    """The object as the API shows it (to an admin, who sees what the system viewer sees)."""
    api = APIClient()
    api.force_authenticate(admin)
    response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json()
