"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: admins only, secret write-only."""

import pytest

from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent

Status = WebhookDeliveryStatus
URL = "https://hooks.example.com/salesmgmt"


@pytest.fixture(autouse=True)
def public_dns(fake_dns):
    fake_dns({"hooks.example.com": ["8.8.8.8"], "internal.example.com": ["192.168.0.9"]})


@pytest.fixture
def endpoint(make_endpoint):
    return make_endpoint(URL, description="ERP")


@pytest.fixture
def delivery(endpoint):
    event = WebhookEvent.objects.create(
        uuid="11111111-2222-3333-4444-555555555555",
        type="deal.won",
        object_type="deal",
        object_id="7",
        data={"id": 7},
    )
    return WebhookDelivery.objects.create(
        event=event, endpoint=endpoint, status=Status.FAILED, attempts=3, response_code=500
    )


@pytest.mark.parametrize("role", ["rep", "manager", "director"])
def test_non_admins_are_refused_everywhere(cast, api_for, endpoint, delivery, role):
    api = api_for(cast[role])
    calls = [
        api.get("/api/v1/webhooks/"),
        api.post("/api/v1/webhooks/", {"url": URL, "events": ["deal.won"]}),
        api.get(f"/api/v1/webhooks/{endpoint.pk}/"),
        api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"description": "x"}),
        api.delete(f"/api/v1/webhooks/{endpoint.pk}/"),
        api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/"),
        api.get(f"/api/v1/webhook-deliveries/{delivery.pk}/"),
        api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/"),
    ]
    assert [c.status_code for c in calls] == [403] * len(calls)
    assert calls[0].json()["detail"] == "Only admins manage webhooks."
    endpoint.refresh_from_db()
    assert endpoint.description == "ERP"
    assert WebhookDelivery.objects.get().status == Status.FAILED


def test_anonymous_gets_401(client, endpoint):
    assert client.get("/api/v1/webhooks/").status_code == 401


def test_admin_creates_an_endpoint_and_sees_the_secret_only_then(api_for, admin):
    api = api_for(admin)
    created = api.post(
        "/api/v1/webhooks/",
        {"url": URL, "events": ["task.done", "deal.won", "deal.won"], "description": "BI"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret and body["secret"].startswith("whsec_")
    assert body["events"] == ["deal.won", "task.done"] and body["is_active"] is True
    assert "secret" not in api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert "secret" not in api.get("/api/v1/webhooks/").json()["results"][0]


def test_admin_may_choose_the_secret_and_rotate_it(api_for, admin):
    api = api_for(admin)
    body = api.post(
        "/api/v1/webhooks/",
        {"url": URL, "events": ["deal.won"], "secret": "my-own-secret-of-32-characters!!"},
    ).json()
    assert body["secret"] == "my-own-secret-of-32-characters!!"
    response = api.patch(f"/api/v1/webhooks/{body['id']}/", {"secret": "another-secret-0123456789"})
    assert response.status_code == 200 and "secret" not in response.json()
    assert WebhookEndpoint.objects.get().secret == "another-secret-0123456789"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"url": "http://internal.example.com/"}, "url"),
        ({"url": "gopher://hooks.example.com/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["ping"]}, "events"),
        ({"events": ["deal.nope"]}, "events"),
        ({"secret": "short"}, "secret"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, admin, data, field):
    response = api_for(admin).post(
        "/api/v1/webhooks/", {"url": URL, "events": ["deal.won"], **data}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not WebhookEndpoint.objects.exists()


def test_admin_updates_and_deletes(api_for, admin, endpoint):
    api = api_for(admin)
    response = api.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": False, "events": ["task.done"]}
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["task.done"] and response.json()["is_active"] is False
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_list_filters_by_status(
    api_for, admin, endpoint, delivery, django_assert_max_num_queries
):
    event = WebhookEvent.objects.create(
        uuid="11111111-2222-3333-4444-666666666666",
        type="deal.won",
        object_type="deal",
        object_id="8",
    )
    WebhookDelivery.objects.create(event=event, endpoint=endpoint, status=Status.SUCCEEDED)
    api = api_for(admin)
    with django_assert_max_num_queries(7):
        everything = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert everything["count"] == 2
    failed = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/", {"status": "failed"}).json()
    assert [d["id"] for d in failed["results"]] == [delivery.pk]
    assert failed["results"][0]["event"]["id"] == "11111111-2222-3333-4444-555555555555"
    assert failed["results"][0]["response_code"] == 500
    bad = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_redeliver_resets_and_queues(api_for, admin, delivery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        response = api_for(admin).post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 0
    assert len(queued) == 1
    assert api_for(admin).post("/api/v1/webhook-deliveries/999999/redeliver/").status_code == 404
