"""The recognition suggestions job through a real Celery worker on Redis (``.ci/run``
starts the worker; see tests/test_celery_worker.py)."""

import os
from datetime import date
from decimal import Decimal

import pytest

from coaching.jobs import suggest_recognition_task
from coaching.models import RecognitionSuggestion
from salesmgmt.models import Notification, NotificationKind
from tests.reporting.commissions.test_selectors import won

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_suggests_the_months_biggest_deal_once(real_queue, rep, manager):
    """Run twice by the real worker: one suggestion, one nudge to the manager."""
    deal = won(rep, "4000.00", date(2025, 5, 20), title="Harbour")
    assert deal.amount == Decimal("4000.00")
    assert suggest_recognition_task.delay("2025-06-11T12:00").get(timeout=60) >= 1
    assert suggest_recognition_task.delay("2025-06-11T13:00").get(timeout=60) == 0
    key = f"deal-month:{rep.team_id}:2025-05"
    assert RecognitionSuggestion.objects.filter(key=key, manager=manager).count() == 1
    nudges = Notification.objects.filter(user=manager, kind=NotificationKind.RECOGNITION_NUDGE)
    assert nudges.count() == RecognitionSuggestion.objects.filter(manager=manager).count()
