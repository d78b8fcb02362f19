"""Jobs through a real Celery worker on Redis (``.ci/run`` starts the worker).

The worker is a separate process sharing the test database, so these tests
commit their data (``transaction=True``) and wait for the worker's effect.
"""

import os
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from activities.jobs import send_task_reminders_task
from activities.models import Task
from plans.jobs import notify_plan_event_task
from plans.models import PlanEvent
from plans.weekly import services
from reporting.jobs import generate_monthly_reviews_task
from reporting.models import MonthlyReview
from salesmgmt.jobs import deliver_notification_task, send_pending_emails_task
from salesmgmt.models import CompanySettings, Notification
from salesmgmt.notifications.services import notify
from tests.factories import PlanTargetFactory, WeeklyPlanFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_LIVE_WORKER"),
        reason="needs Redis and a running Celery worker (.ci/run starts one)",
    ),
]


# Django's file backend ends each message with a line of 79 dashes; it may append several
# messages, from several tasks, to one file (its name is the second and the backend's id).
MESSAGE_END = "\n" + "-" * 79 + "\n"


def _mails_about(subject_part: str) -> list[str]:
    """Every message the worker wrote whose text holds ``subject_part``, one per item."""
    folder = Path(os.environ["WORKER_MAIL_DIR"])
    messages = [m for p in folder.glob("*.log") for m in p.read_text().split(MESSAGE_END)]
    return [m for m in messages if subject_part in m]


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


# serialized_rollback: earlier transactional tests flush the seeded metrics.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_emails_manager_once_when_plan_is_submitted(real_queue, rep, manager):
    """Submitting queues the e-mail after commit; a redelivered task sends nothing."""
    manager.email = "maria.manager@example.com"
    manager.save(update_fields=["email"])
    plan = WeeklyPlanFactory(rep=rep)
    PlanTargetFactory(plan=plan)

    services.submit_plan(plan=plan, by=rep)
    event = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.SUBMITTED)

    assert _wait_for(lambda: PlanEvent.objects.get(pk=event.pk).notified_at is not None)
    # The e-mail goes out in its own job, queued when the notification is saved.
    assert _wait_for(lambda: len(_mails_about(f"{rep} submitted the plan")) == 1)
    assert Notification.objects.get(user=manager).emailed_at is not None

    # A second delivery of the same job (retry, redelivery) must not e-mail again.
    assert notify_plan_event_task.delay(event.pk).get(timeout=30) is False
    assert len(_mails_about(f"{rep} submitted the plan")) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_the_task_reminder_job_once(real_queue, rep):
    """The beat job, run twice by the real worker, reminds the rep once and e-mails once."""
    due = timezone.now() + timedelta(minutes=30)
    task = Task.objects.create(title="Call Acme back", assignee=rep, created_by=rep, due_at=due)

    assert send_task_reminders_task.delay().get(timeout=30) == 1
    assert send_task_reminders_task.delay().get(timeout=30) == 0
    assert (
        Notification.objects.filter(user=rep, key__startswith=f"task-reminder:{task.pk}:").count()
        == 1
    )
    assert _wait_for(lambda: len(_mails_about("Call Acme back")) == 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_builds_monthly_reviews_once(real_queue, rep, teammate, manager):
    """The monthly review job, run twice by the real worker, builds each review once and
    tells the manager once."""

    company = CompanySettings.load()
    today = company.today()
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    now = f"{first_of_next.isoformat()}T12:00"  # reviews the current month

    reviews = MonthlyReview.objects.filter(month=today.replace(day=1))
    ready = Notification.objects.filter(user=manager, key__startswith="reviews-ready:")
    # The job queues the reps in pieces (one here: both are in the team) and says how many.
    assert generate_monthly_reviews_task.delay(now).get(timeout=60) == 2
    assert _wait_for(lambda: reviews.count() == 2 and ready.exists(), timeout=60)
    assert generate_monthly_reviews_task.delay(now).get(timeout=60) == 0
    assert reviews.count() == 2
    assert ready.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_sweep_sends_lost_emails_once_even_two_at_once(real_queue, cast):
    """Notifications whose delivery task was lost are e-mailed by the outbox sweep; two
    sweeps running at once on the worker's two processes send each e-mail once."""

    people = [u for u in cast.values() if u.email]
    with mock.patch.object(deliver_notification_task, "apply_async"):  # the task is lost
        for user in people:
            notify(user=user, kind="task_assigned", key="outbox-live", title="Outbox live test")
    assert Notification.objects.filter(emailed_at__isnull=True).count() == len(people)

    first, second = send_pending_emails_task.delay(), send_pending_emails_task.delay()
    sent = first.get(timeout=60)["sent"] + second.get(timeout=60)["sent"]
    assert sent == len(people)
    assert send_pending_emails_task.delay().get(timeout=60) == {"sent": 0, "failed": 0}
    # Each person's message once (another test's message to them may share its file).
    mails = _mails_about("Subject: Outbox live test")
    assert len(mails) == len(people)
    assert sorted(m.split("\nTo: ", 1)[1].split("\n", 1)[0] for m in mails) == sorted(
        u.email for u in people
    )
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
