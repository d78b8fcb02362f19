"""The e-mail outbox: a notification that wants e-mail is sent exactly once, even when
its delivery task is lost (worker killed, broker down), a send fails, or two sweeps
and the delivery task run at the same moment."""

import logging
import smtplib
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery import Celery
from django.core import mail
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from salesmgmt import jobs as tasks
from salesmgmt.celery import app
from salesmgmt.models import Notification, NotificationKind
from salesmgmt.notifications.services import deliver_email, notify, send_pending_emails

CLOSED = "redis://127.0.0.1:9/5"  # the discard port: nothing listens there


def tell(user, n=1):
    return notify(
        user=user, kind=NotificationKind.TASK_ASSIGNED, key=f"outbox-test:{n}", title=f"News {n}"
    )


def recipients():
    return sorted(m.to[0] for m in mail.outbox)


@pytest.fixture
def worker_dies():
    """The delivery task is queued but never runs (the worker was killed)."""
    with mock.patch.object(tasks.deliver_notification_task, "apply_async") as apply_async:
        yield apply_async


def test_sweep_sends_what_a_dead_worker_left_exactly_once(
    worker_dies, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for who in ("rep", "teammate", "manager"):
            tell(cast[who])
    assert worker_dies.call_count == 3
    assert mail.outbox == []

    assert send_pending_emails().sent == 3
    assert recipients() == ["manager@example.com", "rep@example.com", "teammate@example.com"]
    assert send_pending_emails().sent == 0
    assert len(mail.outbox) == 3
    assert not Notification.objects.email_pending().exists()


def test_a_broker_outage_logs_a_warning_and_the_sweep_sends_later(
    rep, django_capture_on_commit_callbacks, caplog
):
    down = BrokerUnavailable("Error 111 connecting to 127.0.0.1:9. Connection refused.")
    with (
        mock.patch.object(tasks.deliver_notification_task, "apply_async", side_effect=down),
        caplog.at_level(logging.WARNING, logger="salesmgmt.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tell(rep) is not None  # the caller does not see the outage
    assert "Could not queue salesmgmt.tasks.deliver_notification_task" in caplog.text
    assert mail.outbox == []
    call_command("send_pending_emails")
    assert recipients() == ["rep@example.com"]


def test_the_fast_path_sends_at_once_and_the_sweep_then_sends_nothing(
    rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = tell(rep)
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_attempts == 1
    assert send_pending_emails().sent == 0
    assert deliver_email(notification_id=notification.pk) is False  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_later_with_growing_pauses(worker_dies, rep):
    notification = tell(rep)
    t0 = timezone.now()
    smtp_down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch("salesmgmt.notifications.services.send_mail", side_effect=smtp_down):
        assert send_pending_emails(now=t0).failed == 1
        notification.refresh_from_db()
        assert notification.email_attempts == 1
        assert notification.email_next_attempt_at == t0 + timedelta(minutes=1)
        assert "SMTPServerDisconnected: Connection unexpectedly closed" in (
            notification.email_last_error
        )
        # Not due yet: the sweep leaves it, and so does a redelivered task.
        assert send_pending_emails(now=t0 + timedelta(seconds=30)).failed == 0
        assert deliver_email(notification_id=notification.pk, now=t0) is False
        assert send_pending_emails(now=t0 + timedelta(minutes=1)).failed == 1
        notification.refresh_from_db()
        assert notification.email_next_attempt_at == t0 + timedelta(minutes=3)  # 1 + 2
    assert mail.outbox == []

    assert send_pending_emails(now=t0 + timedelta(minutes=3)).sent == 1
    assert send_pending_emails(now=t0 + timedelta(days=1)).sent == 0
    assert recipients() == ["rep@example.com"]
    notification.refresh_from_db()
    assert notification.email_state == "sent" and notification.email_attempts == 3


def test_an_email_is_given_up_after_the_last_attempt(worker_dies, rep, settings):
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 3
    notification = tell(rep)
    later = timezone.now()
    with mock.patch("salesmgmt.notifications.services.send_mail", side_effect=OSError("no route")):
        for _ in range(5):
            later += timedelta(days=1)
            send_pending_emails(now=later)
    notification.refresh_from_db()
    assert notification.email_attempts == 3
    assert notification.email_state == "failed"
    assert notification.email_failed_at is not None
    assert list(Notification.objects.email_failed()) == [notification]
    assert not Notification.objects.email_pending().exists()


def test_admins_see_failed_emails_and_retry_them(
    worker_dies, rep, admin, client_for, django_capture_on_commit_callbacks
):
    failed = tell(rep, 1)
    Notification.objects.filter(pk=failed.pk).update(
        email_attempts=8, email_failed_at=timezone.now(), email_last_error="OSError: no route"
    )
    tell(rep, 2)  # pending, not failed
    pages = client_for(admin)
    url = reverse("admin:salesmgmt_notification_changelist")

    page = pages.get(url)
    assert "1 e-mail failed and was given up" in page.content.decode()
    listed = pages.get(url, {"email_state": "failed"}).context["cl"].result_list
    assert [n.pk for n in listed] == [failed.pk]

    worker_dies.side_effect = lambda args, kwargs, **options: deliver_email(notification_id=args[0])
    with django_capture_on_commit_callbacks(execute=True):
        pages.post(url, {"action": "retry_email", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.email_state == "sent"
    assert recipients() == ["rep@example.com"]
    assert "failed and were given up" not in pages.get(url).content.decode()


def test_sweep_is_a_beat_job_with_a_command():

    entry = app.conf.beat_schedule["send-pending-emails"]
    assert entry["task"] == "salesmgmt.tasks.send_pending_emails_task"
    assert entry["schedule"] <= 60
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_send_pending_emails_task_reports_what_it_did(worker_dies, rep):
    tell(rep)
    assert tasks.send_pending_emails_task.apply().get() == {"sent": 1, "failed": 0}
    assert tasks.send_pending_emails_task.apply().get() == {"sent": 0, "failed": 0}


# --- A broker that is away does not hold the request -----------------------------------


@pytest.fixture
def app_on_a_closed_port():
    """A Celery app configured like ours, but publishing for real to a port nobody serves."""
    app = Celery("outbox-probe", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=CLOSED, result_backend=CLOSED, task_always_eager=False)

    @app.task(name="outbox-probe.noop")
    def noop(n):  # pragma: no cover - never runs
        return n

    yield noop
    app.close()


def test_enqueue_gives_up_quickly_and_logs_when_redis_is_away(app_on_a_closed_port, caplog):
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="salesmgmt.jobs"):
        assert tasks.enqueue(app_on_a_closed_port, 1) is False
    assert time.monotonic() - start < 3
    assert "Could not queue outbox-probe.noop" in caplog.text


def test_a_plain_delay_does_not_hang_for_long_when_redis_is_away(app_on_a_closed_port):
    """Our result-backend retry policy is short: ~20 s with Celery's default."""
    start = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017 - broker or result backend, both say "away"
        app_on_a_closed_port.delay(1)
    assert time.monotonic() - start < 5


# --- Racing (PostgreSQL: SQLite runs one writer at a time and has no row locks) ---------

needs_row_locks = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SKIP LOCKED races need PostgreSQL; SQLite serialises writers, nothing to race",
)


def _in_threads(*jobs):
    """Run the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def _slow_send_mail(*args, **kwargs):

    time.sleep(0.02)  # long enough for the other sweep to reach the same rows
    return send_mail(*args, **kwargs)


@needs_row_locks
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_each_email_once(worker_dies, cast):
    people = [u for u in cast.values() if u.email]
    for n, user in enumerate(people * 3):
        tell(user, n)
    pending = Notification.objects.email_pending().count()
    assert pending == len(people) * 3

    with mock.patch("salesmgmt.notifications.services.send_mail", _slow_send_mail):
        first, second = _in_threads(send_pending_emails, send_pending_emails)

    assert first.sent + second.sent == pending
    assert len(mail.outbox) == pending
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == pending
    assert not Notification.objects.email_pending().exists()


@needs_row_locks
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_delivery_task_and_the_sweep_at_once_send_each_email_once(worker_dies, cast):
    ids = [tell(user, n).pk for n, user in enumerate(cast.values())]

    def tasks_one_by_one():
        return sum(deliver_email(notification_id=pk) for pk in ids)

    with mock.patch("salesmgmt.notifications.services.send_mail", _slow_send_mail):
        by_tasks, sweep = _in_threads(tasks_one_by_one, send_pending_emails)

    assert by_tasks + sweep.sent == len(ids)
    assert len(mail.outbox) == len(ids)
    assert len({m.to[0] for m in mail.outbox}) == len(ids)
