"""The feedback period job on a real Celery worker (Redis; ``.ci/run`` starts the
worker): run twice, it opens one period and tells each rep once; the 'ready' notice
goes out once."""

import os
from datetime import date

import pytest

from coaching.feedback import services
from coaching.jobs import open_feedback_periods_task
from coaching.models import FeedbackPeriod
from salesmgmt.models import Notification
from tests.coaching.feedback.conftest import ratings
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_the_feedback_job_once(real_queue, cast, team):
    """Two runs on the worker for the same day: the period once, four 'open' notices
    once; after three of Alpha's answers, one 'ready' notice, once."""
    assert open_feedback_periods_task.delay("2025-04-02T08:00").get(timeout=60) == 4
    assert open_feedback_periods_task.delay("2025-04-02T09:00").get(timeout=60) == 0
    period = FeedbackPeriod.objects.get()
    assert Notification.objects.filter(key=f"feedback-open:{period.pk}").count() == 4

    third = UserFactory(team=team)
    for user in (cast["rep"], cast["teammate"], third):
        services.submit_feedback(by=user, ratings=ratings(4), today=date(2025, 4, 5))
    first = open_feedback_periods_task.delay("2025-04-06T08:00")
    second = open_feedback_periods_task.delay("2025-04-06T08:00")
    # Only Maria's 'ready' (the third rep, new, has answered: no 'open' notice for them).
    assert first.get(timeout=60) + second.get(timeout=60) == 1
    assert Notification.objects.filter(key__startswith="feedback-ready:").count() == 1
