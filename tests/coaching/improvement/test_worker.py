"""The checkpoint reminder job through a real Celery worker on Redis (``.ci/run`` starts
the worker; the pattern of tests/test_celery_worker.py)."""

import os
from datetime import timedelta

import pytest

from coaching.jobs import send_checkpoint_reminders_task
from coaching.models import ImprovementCheckpoint, ImprovementPlan
from salesmgmt.models import CompanySettings, Notification

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_reminds_of_a_checkpoint_once(real_queue, rep, manager):
    """Run twice by the real worker: rep and manager are told once each."""
    today = CompanySettings.load().today()
    plan = ImprovementPlan.objects.create(
        rep=rep,
        manager=manager,
        goals_text="Reach 40 calls",
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    checkpoint = ImprovementCheckpoint.objects.create(
        plan=plan, due=today + timedelta(days=1), what="Call review"
    )
    now = f"{today.isoformat()}T09:00"  # reminders go out from 07:00 company time

    assert send_checkpoint_reminders_task.delay(now=now).get(timeout=30) == 2
    assert send_checkpoint_reminders_task.delay(now=now).get(timeout=30) == 0
    told = Notification.objects.filter(key=f"checkpoint-due:{checkpoint.pk}")
    assert {n.user_id for n in told} == {rep.pk, manager.pk}
