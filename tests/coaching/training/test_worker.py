"""The training jobs through a real Celery worker on Redis (``.ci/run`` starts the
worker; skipped without CELERY_LIVE_WORKER). The worker shares the test database, so
the data is committed (``transaction=True``)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from coaching.jobs import assign_onboarding_task, send_training_reminders_task
from coaching.models import TrainingAssignment
from salesmgmt.models import Notification
from tests.coaching.training.conftest import days, make_assignment, make_module
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_sends_training_reminders_once(real_queue, rep, manager):
    """Run twice by the real worker: the overdue training is told to rep and manager
    once each."""
    assignment = make_assignment(make_module("Product knowledge"), rep, due=days(-2))
    now = f"{days(0).isoformat()}T09:00"

    assert send_training_reminders_task.delay(now).get(timeout=30) == 2
    assert send_training_reminders_task.delay(now).get(timeout=30) == 0
    told = Notification.objects.filter(key=f"training-overdue:{assignment.pk}")
    assert sorted(told.values_list("user__username", flat=True)) == ["manager", "rep"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_assigns_onboarding_once(real_queue, team):
    module = make_module("Welcome", onboarding=True, onboarding_due_days=10)
    newcomer = UserFactory(team=team, date_joined=timezone.now() - timedelta(days=1))

    assert assign_onboarding_task.delay().get(timeout=30) == 1
    assert assign_onboarding_task.delay().get(timeout=30) == 0
    assert TrainingAssignment.objects.filter(rep=newcomer, module=module).count() == 1
