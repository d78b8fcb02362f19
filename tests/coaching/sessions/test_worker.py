"""The coaching jobs through a real Celery worker on Redis (``.ci/run`` starts the
worker): each reminder is sent once, and e-mailed once, however often the job runs."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from coaching.jobs import send_action_item_reminders_task, send_session_reminders_task
from coaching.models import SessionStatus
from coaching.sessions import services
from salesmgmt.models import CompanySettings, Notification
from tests.test_celery_worker import _mails_about, _wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_sends_session_and_action_item_reminders_once(real_queue, rep, manager):
    rep.email, manager.email = "rita.rep@example.com", "maria.manager@example.com"
    rep.save(update_fields=["email"])
    manager.save(update_fields=["email"])
    soon = timezone.now() + timedelta(hours=2)
    session = services.create_session(by=manager, rep=rep, kind="one_to_one", starts_at=soon)
    assert send_session_reminders_task.delay().get(timeout=30) == 2
    assert send_session_reminders_task.delay().get(timeout=30) == 0
    assert Notification.objects.filter(key=services.reminder_key(session)).count() == 2
    assert _wait_for(lambda: len(_mails_about("Coaching session with")) == 2)

    held = services.create_session(
        by=manager,
        rep=rep,
        kind="call_review",
        starts_at=timezone.now() - timedelta(days=3),
        status=SessionStatus.HELD,
    )
    item = services.add_action_item(
        session=held,
        by=manager,
        text="Qualify three leads",
        owner=rep,
        due=CompanySettings.load().today(),
    )
    later = (item.task.due_at + timedelta(hours=1)).isoformat()
    assert send_action_item_reminders_task.delay(later).get(timeout=30) == 2
    assert send_action_item_reminders_task.delay(later).get(timeout=30) == 0
    assert _wait_for(lambda: len(_mails_about("action item is overdue: Qualify three leads")) == 2)
