"""Delivery to a real HTTP server on loopback: body, headers, signature, retries, give-up,
disabling, order per object, redelivery, the lease left by a worker killed mid-send."""

from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from salesmgmt.jobs import deliver_due_webhooks_task, deliver_webhook_task
from salesmgmt.models import (
    Notification,
    NotificationKind,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from salesmgmt.webhooks import delivery as wire
from salesmgmt.webhooks import services
from tests.salesmgmt.webhooks.conftest import emit, verify

Status = WebhookDeliveryStatus
pytestmark = pytest.mark.usefixtures("private_ok")


def only_delivery() -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("event", "endpoint").get()


def test_delivery_is_signed_json_with_the_event_and_its_object(receiver, make_endpoint):
    """The receiver gets the envelope and headers; the signature verifies with the
    endpoint's secret and fails with another secret or a changed body."""
    endpoint = make_endpoint(receiver.url)
    event = emit(object_id=42, title="Big deal")

    assert deliver_webhook_task(only_delivery().pk) == Status.SUCCEEDED

    [got] = receiver.received
    assert got.path == "/hooks/salesmgmt"
    assert got.json == {
        "id": str(event.uuid),
        "type": "deal.won",
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "object": {"type": "deal", "id": "42"},
        "data": {"id": 42, "title": "Big deal"},
    }
    assert got.json["occurred_at"].endswith("Z")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Salesmgmt-Event"] == "deal.won"
    assert got.headers["X-Salesmgmt-Event-Id"] == str(event.uuid)
    assert got.headers["X-Salesmgmt-Delivery"] == str(only_delivery().pk)
    signature = got.headers["X-Salesmgmt-Signature"]
    assert verify(endpoint.secret, signature, got.body)
    assert not verify("whsec_someone-else", signature, got.body)
    assert not verify(endpoint.secret, signature, got.body.replace(b"Big", b"Small"))
    delivery = only_delivery()
    assert delivery.status == Status.SUCCEEDED and delivery.attempts == 1
    assert delivery.response_code == 200 and delivery.response_excerpt == "ok"
    assert delivery.delivered_at is not None and delivery.duration_ms is not None
    assert delivery.request_headers["X-Salesmgmt-Signature"] == signature


def test_an_old_signature_is_refused_by_the_receiver_check():
    """The timestamp is signed: a replay of an old delivery fails the tolerance check."""
    body = b'{"id":"x"}'
    old = int(timezone.now().timestamp()) - 3600
    header = wire.sign("whsec_abc", body, timestamp=old)
    assert header.startswith(f"t={old},v1=")
    assert not verify("whsec_abc", header, body)
    assert verify("whsec_abc", header, body, tolerance=7200)


def test_only_endpoints_wanting_the_event_get_it(receiver, make_endpoint):
    make_endpoint(receiver.url, events=[WebhookEventType.TASK_DONE])
    assert emit() is None
    assert not WebhookDelivery.objects.exists()


def test_backoff_doubles_from_30_seconds_to_at_most_an_hour():
    pauses = [services.backoff(n).total_seconds() for n in range(1, 10)]
    assert pauses == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_failed_attempts_are_retried_with_backoff_then_given_up_after_a_day(
    receiver, make_endpoint
):
    """A 500 schedules the next attempt 30 s, then 60 s later; a retry that would fall
    more than a day after the event fails the delivery for good."""
    receiver.status = 500
    receiver.answer = b"x" * 1000
    make_endpoint(receiver.url)
    emit()
    delivery = only_delivery()
    start = timezone.now()

    assert services.deliver(delivery_id=delivery.pk, now=start) == Status.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.response_code == 500
    assert len(delivery.response_excerpt) == 300
    assert delivery.error == "The receiver answered 500."
    first_pause = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=28) < first_pause <= timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert services.deliver(delivery_id=delivery.pk, now=start) is None
    later = delivery.next_attempt_at
    assert services.deliver(delivery_id=delivery.pk, now=later) == Status.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert (
        timedelta(seconds=58) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    )

    # A day after the event, the next retry would be too late: failed.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=20)
    delivery.event.occurred_at = timezone.now() - timedelta(hours=23, minutes=30)
    delivery.event.save(update_fields=["occurred_at"])
    soon = timezone.now() + timedelta(minutes=2)
    assert services.deliver(delivery_id=delivery.pk, now=soon) == Status.FAILED
    assert len(receiver.received) == 3


def test_endpoint_is_disabled_after_n_failures_in_a_row_and_admins_are_told(
    receiver, make_endpoint, settings, cast
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver.status = 503
    endpoint = make_endpoint(receiver.url, description="ERP")
    for object_id in (1, 2, 3):
        emit(object_id=object_id)
    for delivery in WebhookDelivery.objects.order_by("pk"):
        deliver_webhook_task(delivery.pk)

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 3
    told = Notification.objects.filter(kind=NotificationKind.WEBHOOK_DISABLED)
    assert sorted(told.values_list("user__username", flat=True)) == ["admin"]
    assert told.get().title == "Webhook endpoint ERP was disabled"
    assert told.get().url == f"/webhooks/{endpoint.pk}/"
    # Disabled: nothing more is sent, but new events wait for it (none is lost).
    waiting = emit(object_id=4)
    assert waiting is not None and deliver_due_webhooks_task()["queued"] == 0
    assert WebhookDelivery.objects.get(event=waiting).status == Status.PENDING


def test_an_endpoint_an_admin_switched_off_records_nothing(receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url)
    services.update_endpoint(endpoint=endpoint, is_active=False)
    assert emit() is None and not WebhookDelivery.objects.exists()


def test_a_success_resets_the_failure_count(receiver, make_endpoint):
    receiver.status = [500, 200]
    endpoint = make_endpoint(receiver.url)
    emit()
    delivery = only_delivery()
    services.deliver(delivery_id=delivery.pk)
    assert WebhookEndpoint.objects.get().consecutive_failures == 1
    services.deliver(delivery_id=delivery.pk, now=timezone.now() + timedelta(minutes=1))
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
    assert only_delivery().status == Status.SUCCEEDED


def test_events_of_one_object_are_delivered_in_order(receiver, make_endpoint):
    """The second event of deal 1 waits while the first is pending (failing); another
    deal's event goes out meanwhile; once the first succeeds the second follows."""
    receiver.status = [500, 200]
    make_endpoint(receiver.url)
    first = emit(WebhookEventType.DEAL_CREATED, object_id=1)
    second = emit(WebhookEventType.DEAL_WON, object_id=1)
    other = emit(WebhookEventType.DEAL_CREATED, object_id=2)
    d1, d2, d3 = (WebhookDelivery.objects.get(event=e) for e in (first, second, other))

    assert services.deliver(delivery_id=d1.pk) == Status.PENDING  # 500
    assert services.deliver(delivery_id=d2.pk) is None  # waits for d1
    assert services.deliver(delivery_id=d3.pk) == Status.SUCCEEDED  # another object
    # The sweep queues only the head of each object's line: d1, once due.
    with mock.patch.object(services, "queue_deliveries") as queued:
        services.deliver_due_webhooks(now=timezone.now() + timedelta(minutes=1))
    queued.assert_called_once_with([d1.pk])

    # d1 succeeds and queues d2 (eager here), which goes out after it.
    services.deliver(delivery_id=d1.pk, now=timezone.now() + timedelta(minutes=1))
    ids = [r.json["id"] for r in receiver.received]
    assert ids == [str(first.uuid), str(other.uuid), str(first.uuid), str(second.uuid)]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {Status.SUCCEEDED}


def test_a_worker_killed_mid_delivery_leaves_a_lease_the_sweep_retries(
    receiver, make_endpoint, settings
):
    """The row is claimed and leased before the request: a second task does nothing
    while the lease runs; after it, the sweep sends the delivery again."""
    make_endpoint(receiver.url)
    emit()
    delivery = only_delivery()
    now = timezone.now()
    killed = mock.patch.object(wire, "post", side_effect=SystemExit("worker killed"))
    with killed, pytest.raises(SystemExit):
        services.deliver(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)

    assert services.deliver(delivery_id=delivery.pk, now=now) is None
    assert services.deliver_due_webhooks(now=now).queued == 0
    after_lease = now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS + 1)
    with mock.patch.object(timezone, "now", return_value=after_lease):
        assert deliver_due_webhooks_task() == {"queued": 1}
    assert only_delivery().status == Status.SUCCEEDED
    assert len(receiver.received) == 1


def test_redeliver_sends_the_same_event_id_again(receiver, make_endpoint):
    make_endpoint(receiver.url)
    event = emit()
    delivery = only_delivery()
    services.deliver(delivery_id=delivery.pk)

    services.redeliver(delivery=only_delivery())
    assert only_delivery().status == Status.PENDING and only_delivery().attempts == 0
    deliver_webhook_task(delivery.pk)

    assert [r.json["id"] for r in receiver.received] == [str(event.uuid)] * 2
    assert only_delivery().status == Status.SUCCEEDED


def test_the_test_event_goes_to_one_endpoint_whatever_it_subscribes_to(
    receiver, make_endpoint, admin
):
    endpoint = make_endpoint(receiver.url, events=[WebhookEventType.TASK_DONE])
    delivery = services.send_test_event(endpoint=endpoint, by=admin)
    deliver_webhook_task(delivery.pk)
    [got] = receiver.received
    assert got.json["type"] == "ping"
    assert got.json["object"] == {"type": "webhook_endpoint", "id": str(endpoint.pk)}
    assert got.json["data"]["sent_by"] == "admin"


def test_redirects_are_not_followed(receiver, make_endpoint):
    receiver.status = 302
    receiver.extra_headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    make_endpoint(receiver.url)
    emit()
    assert deliver_webhook_task(only_delivery().pk) == Status.PENDING
    assert len(receiver.received) == 1
    assert only_delivery().response_code == 302


def test_a_slow_receiver_times_out(receiver, make_endpoint, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.3
    receiver.hold = 1.0
    make_endpoint(receiver.url)
    emit()
    assert deliver_webhook_task(only_delivery().pk) == Status.PENDING
    delivery = only_delivery()
    assert delivery.error == "Timed out waiting for the answer."
    assert delivery.response_code is None


def test_the_guard_runs_at_every_delivery(receiver, make_endpoint, settings):
    """An endpoint saved while private networks were allowed is refused once they are
    not: nothing is sent, the attempt fails with the reason."""
    make_endpoint(receiver.url)
    emit()
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert deliver_webhook_task(only_delivery().pk) == Status.PENDING
    assert receiver.received == []
    assert "private" in only_delivery().error


def test_reactivating_an_endpoint_resumes_its_waiting_deliveries(
    receiver, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    emit()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_at=timezone.now(), consecutive_failures=15
    )
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_endpoint(endpoint=endpoint, is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.disabled_at is None
    assert only_delivery().status == Status.SUCCEEDED
