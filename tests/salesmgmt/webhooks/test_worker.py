"""Webhooks through real Celery workers on Redis and a real receiver on loopback.

The first test uses the CI worker (``.ci/run`` starts it with private networks allowed).
The second starts its own worker, on its own Redis database (WEBHOOK_TEST_REDIS_URL) so
the CI worker never takes its tasks, kills it with SIGKILL while a slow receiver holds a
delivery, starts another and checks that every event arrived, signed, at least once, in
order per object.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection, transaction

from salesmgmt.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEventType
from salesmgmt.webhooks import services
from tests.salesmgmt.webhooks.conftest import emit, verify

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]

OWN_REDIS = os.environ.get("WEBHOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
LEASE_SECONDS = 4


def _wait_for(condition, timeout=30.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def _emit_committed(event_type, object_id):
    """Each event in its own transaction, as a service would record it."""
    with transaction.atomic():
        return emit(event_type, object_id=object_id)


def _check_arrivals(receiver, endpoint, events_by_object):
    """Every event arrived, signed; per object, first arrivals are in event order."""
    arrived = [r.json["id"] for r in receiver.received]
    for r in receiver.received:
        assert verify(endpoint.secret, r.headers["X-Salesmgmt-Signature"], r.body)
        assert r.headers["X-Salesmgmt-Event-Id"] == r.json["id"]
    for events in events_by_object.values():
        ids = [str(e.uuid) for e in events]
        firsts = [i for n, i in enumerate(arrived) if i in ids and i not in arrived[:n]]
        assert firsts == ids


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ci_worker_delivers_signed_events_in_order(real_queue, receiver, make_endpoint):
    endpoint = make_endpoint(receiver.url)
    events = {
        n: [
            _emit_committed(WebhookEventType.DEAL_CREATED, n),
            _emit_committed(WebhookEventType.DEAL_WON, n),
        ]
        for n in (1, 2)
    }
    succeeded = WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.SUCCEEDED)
    assert _wait_for(lambda: succeeded.count() == 4)
    _check_arrivals(receiver, endpoint, events)


# --- Our own worker, killed mid-delivery ----------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict  # the test database, e.g. test_wh
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class OwnWorker:
    def __init__(self, app: Celery, log: Path):
        self.app, self.log, self.process, self.started = app, log, None, 0

    def start(self):
        self.started += 1
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "webhook-worker-test",
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": OWN_REDIS,
            "REDIS_CACHE_URL": OWN_REDIS,
            "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
            "WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
            "WEBHOOK_READ_TIMEOUT": "20",
        }
        env.pop("CELERY_LIVE_WORKER", None)
        name = f"webhook-test-{os.getpid()}-{self.started}@%h"
        command = [sys.executable, "-m", "celery", "-A", "salesmgmt", "worker"]
        command += ["--concurrency=1", "--pool=prefork", "--loglevel=INFO", "-n", name]
        with self.log.open("a") as log:
            # Its own process group: SIGKILL takes the worker and its child together.
            self.process = subprocess.Popen(
                command,
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert _wait_for(lambda: self.app.control.ping(timeout=0.5), timeout=60), (
            self.log.read_text()[-3000:]
        )

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.kill(signal.SIGTERM)


@pytest.fixture
def own_worker(transactional_db, tmp_path):
    """A worker of our own (torn down before the test database is flushed)."""
    # Not the current app: the project's tasks must keep going to the CI worker's broker.
    app = Celery("webhook-worker-test", broker=OWN_REDIS, backend=OWN_REDIS, set_as_current=False)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # our own database: leftovers of a past run
    worker = OwnWorker(app, tmp_path / "worker.log")
    yield worker
    try:
        worker.stop()
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_worker_every_event_arrives_signed_at_least_once_in_order(
    own_worker, receiver, make_endpoint, monkeypatch
):
    app = own_worker.app

    def queue_to_own_worker(delivery_ids):
        for delivery_id in delivery_ids:
            app.send_task("salesmgmt.tasks.deliver_webhook_task", args=[delivery_id])

    # This process hands deliveries to our worker (not the CI worker, not eagerly).
    monkeypatch.setattr(services, "queue_deliveries", queue_to_own_worker)
    receiver.hold = 8.0  # the first request is held until long after the kill
    endpoint = make_endpoint(receiver.url)
    own_worker.start()

    kinds = [WebhookEventType.DEAL_CREATED, WebhookEventType.DEAL_WON]
    events = {n: [_emit_committed(kind, n) for kind in kinds] for n in (1, 2, 3)}
    assert receiver.holding.wait(timeout=30), own_worker.log.read_text()[-3000:]
    held_id = receiver.received[0].json["id"]
    own_worker.kill()  # SIGKILL, mid-delivery

    held = WebhookDelivery.objects.get(event__uuid=held_id)
    assert held.status == WebhookDeliveryStatus.PENDING and held.attempts == 1
    assert WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).count() >= 1

    # A new worker; the sweep (as beat would run it) finds the leased row once the lease
    # has passed, and every delivery the dead worker never took.
    own_worker.start()
    pending = WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING)

    def sweep_until_done():
        app.send_task("salesmgmt.tasks.deliver_due_webhooks_task")
        return _wait_for(lambda: not pending.exists(), timeout=2, every=0.2)

    assert _wait_for(sweep_until_done, timeout=90, every=0), own_worker.log.read_text()[-3000:]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        WebhookDeliveryStatus.SUCCEEDED
    }
    arrived = [r.json["id"] for r in receiver.received]
    assert arrived.count(held_id) >= 2  # sent before the kill, and again after
    _check_arrivals(receiver, endpoint, events)
