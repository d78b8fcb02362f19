"""The admin pages: every role, the form's errors, the log's filter and query budget."""

import pytest
from django.urls import reverse

from salesmgmt.models import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from salesmgmt.webhooks import services

Status = WebhookDeliveryStatus
URL = "https://hooks.example.com/salesmgmt"


@pytest.fixture(autouse=True)
def public_dns(fake_dns):
    fake_dns({"hooks.example.com": ["8.8.8.8"], "internal.example.com": ["10.0.0.5"]})


@pytest.fixture
def endpoint(make_endpoint):
    return make_endpoint(URL, description="ERP")


def make_deliveries(endpoint, count, status=Status.SUCCEEDED):
    for n in range(count):
        event = WebhookEvent.objects.create(
            uuid=f"00000000-0000-0000-0000-{len(str(n)) * 0 + n + endpoint.pk * 1000:012d}",
            type=WebhookEventType.DEAL_WON,
            object_type="deal",
            object_id=str(n),
            data={"id": n},
        )
        WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, status=status, attempts=1, response_code=200
        )


def page_urls(endpoint):
    make_deliveries(endpoint, 1)
    delivery = WebhookDelivery.objects.first()
    return [
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:deliveries", args=[endpoint.pk]),
        reverse("webhooks:delivery", args=[delivery.pk]),
    ]


@pytest.mark.parametrize("role", ["rep", "manager", "director"])
def test_only_admins_see_webhook_pages_others_get_404(cast, client_for, endpoint, role):
    client = client_for(cast[role])
    for url in page_urls(endpoint):
        assert client.get(url).status_code == 404, url
    delivery = WebhookDelivery.objects.first()
    for url in [
        reverse("webhooks:rotate_secret", args=[endpoint.pk]),
        reverse("webhooks:send_test", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:redeliver", args=[delivery.pk]),
    ]:
        assert client.post(url).status_code == 404, url
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert "Webhooks" not in client.get(reverse("profile")).content.decode()


def test_admin_sees_every_page_and_the_nav_link(cast, client_for, endpoint):
    client = client_for(cast["admin"])
    for url in page_urls(endpoint):
        assert client.get(url).status_code == 200, url
    assert reverse("webhooks:list") in client.get(reverse("profile")).content.decode()


def test_list_shows_status_last_delivery_and_failures(
    client_for, admin, endpoint, django_assert_max_num_queries
):
    make_deliveries(endpoint, 3)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=4)
    for n in range(5):
        services.create_endpoint(url=f"{URL}/{n}", events=["deal.won"], by=admin)
    client = client_for(admin)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("webhooks:list")).content.decode()
    assert "ERP" in page and "Active" in page and ">4<" in page


def test_admin_creates_an_endpoint_and_sees_its_secret(client_for, admin):
    response = client_for(admin).post(
        reverse("webhooks:create"),
        {
            "url": URL,
            "description": "CRM sync",
            "events": ["deal.won", "task.done"],
            "is_active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("webhooks:edit", args=[endpoint.pk])
    assert endpoint.events == ["deal.won", "task.done"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.created_by == admin
    page = client_for(admin).get(response.url).content.decode()
    assert endpoint.secret in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "ftp://hooks.example.com/"}, "url", "Only http and https"),
        ({"url": "not a url"}, "url", "Enter a valid URL."),
        ({"url": "http://internal.example.com/"}, "url", "private, loopback or link-local"),
        ({"url": "https://nowhere.example.com/"}, "url", "could not be found"),
        ({"events": []}, "events", "Choose at least one event."),
        ({"events": ["ping"]}, "events", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_form_error_next_to_the_field(client_for, admin, data, field, message):
    form = {"url": URL, "events": ["deal.won"], **data}
    response = client_for(admin).post(reverse("webhooks:create"), form)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not WebhookEndpoint.objects.exists()


def test_events_are_checkboxes_grouped_by_object(client_for, admin):
    page = client_for(admin).get(reverse("webhooks:create")).content.decode()
    assert page.count('type="checkbox" name="events"') == len(WebhookEventType) - 1
    assert "Deals" in page and "Deal won" in page and 'value="ping"' not in page


def test_admin_edits_rotates_tests_and_deletes(
    client_for, admin, endpoint, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    old_secret = endpoint.secret
    client.post(
        reverse("webhooks:edit", args=[endpoint.pk]),
        {"url": URL + "/v2", "description": "ERP v2", "events": ["task.done"]},
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == (
        URL + "/v2",
        ["task.done"],
        False,
    )

    client.post(reverse("webhooks:rotate_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("webhooks:send_test", args=[endpoint.pk]))
    assert response.url == reverse("webhooks:deliveries", args=[endpoint.pk])
    assert WebhookDelivery.objects.get().event.type == "ping"
    assert len(queued) == 1

    response = client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert response.url == reverse("webhooks:list")
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()


def test_delivery_log_filters_by_status_and_pages_in_constant_queries(
    client_for, admin, endpoint, django_assert_max_num_queries
):
    make_deliveries(endpoint, 60)
    failed = WebhookDelivery.objects.order_by("pk")[:3]
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in failed]).update(status=Status.FAILED)
    client = client_for(admin)
    url = reverse("webhooks:deliveries", args=[endpoint.pk])
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert len(page.context["page"]) == 50 and page.context["page"].paginator.count == 60
    with django_assert_max_num_queries(10):
        second = client.get(url, {"page": 2})
    assert len(second.context["page"]) == 10
    only_failed = client.get(url, {"status": "failed"})
    assert only_failed.context["page"].paginator.count == 3
    assert client.get(url, {"status": "nonsense"}).context["page"].paginator.count == 60
    # HTMX asks for the table only.
    partial = client.get(url, {"status": "failed"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="webhook-log"') and "<html" not in partial


def test_delivery_detail_shows_body_headers_and_answer(client_for, admin, endpoint):
    make_deliveries(endpoint, 1)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        response_excerpt="thanks", error="", request_headers={"X-Salesmgmt-Event": "deal.won"}
    )
    page = client_for(admin).get(reverse("webhooks:delivery", args=[delivery.pk])).content.decode()
    assert "X-Salesmgmt-Event: deal.won" in page
    assert str(delivery.event.uuid) in page and "thanks" in page


def test_redeliver_resets_the_delivery_and_queues_it(
    client_for, admin, endpoint, django_capture_on_commit_callbacks
):
    make_deliveries(endpoint, 1, status=Status.FAILED)
    delivery = WebhookDelivery.objects.get()
    client = client_for(admin)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("webhooks:redeliver", args=[delivery.pk]))
    assert response.url == reverse("webhooks:delivery", args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.attempts == 0
    assert delivery.requeued_at is not None and len(queued) == 1
    # HTMX: the row comes back, to replace the old one.
    row = client.post(
        reverse("webhooks:redeliver", args=[delivery.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert row.lstrip().startswith("{#") is False and f'id="delivery-{delivery.pk}"' in row


@pytest.mark.parametrize(("role", "offered"), [("rep", False), ("manager", False), ("admin", True)])
def test_only_admins_may_choose_how_they_hear_of_a_disabled_endpoint(
    cast, client_for, role, offered
):
    form = client_for(cast[role]).get(reverse("notifications:preferences")).context["form"]
    assert ("webhook_disabled" in [kind for kind, _ in form.kinds]) is offered
