"""The reminder jobs as management commands and as Celery tasks (eager here).

Both call the same services; ``--now`` (or the task's ``now``) pins the time,
read in company time when it has no offset. The company runs on Berlin time.
"""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from activities.jobs import (
    send_overdue_digests_task,
    send_stale_deal_alerts_task,
    send_task_reminders_task,
)
from plans.jobs import send_plan_reminders_task, send_review_reminders_task
from plans.models import PlanStatus
from salesmgmt.celery import app
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from salesmgmt.schedule import BEAT_SCHEDULE
from tests.factories import WeeklyPlanFactory
from tests.factories.reminders import DealFactory, TaskFactory

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def scene(db, rep, teammate, manager):
    """Week of Monday 3 March 2025, Berlin time. Rita has no plan; Tom's plan waits
    for review since Monday 08:00; Rita has a task due Tuesday 10:30 and one overdue
    since Monday; Tom owns a deal stuck in its stage since 1 March."""
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()
    WeeklyPlanFactory(
        rep=teammate,
        week_start=date(2025, 3, 3),
        status=PlanStatus.SUBMITTED,
        submitted_at=berlin(3, 8),
    )
    TaskFactory(assignee=rep, title="Call Anna", due_at=berlin(4, 10, 30))
    TaskFactory(assignee=rep, title="Send quote", due_at=berlin(3, 15))
    DealFactory(owner=teammate, stage_entered_at=berlin(1, 9), next_step_date=date(2025, 3, 20))


COMMANDS = [
    # command, --now (company time), sent, what it says, the kinds it sent
    (
        "send_plan_reminders",
        "2025-03-04T12:00",
        2,
        "2 plan reminder(s) sent.",
        {NotificationKind.PLAN_REMINDER, NotificationKind.PLAN_MISSING},
    ),
    (
        "send_review_reminders",
        "2025-03-04T09:00",
        1,
        "1 review reminder(s) sent.",
        {NotificationKind.REVIEW_REMINDER},
    ),
    (
        "send_task_reminders",
        "2025-03-04T10:00",
        1,
        "1 task reminder(s) sent.",
        {NotificationKind.TASK_REMINDER},
    ),
    (
        "send_overdue_digests",
        "2025-03-04T07:00",
        2,
        "2 overdue digest(s) sent.",
        {NotificationKind.OVERDUE_DIGEST, NotificationKind.TEAM_OVERDUE_DIGEST},
    ),
    (
        "send_stale_deal_alerts",
        "2025-03-15T09:00",
        2,
        "2 stale deal alert(s) sent.",
        {NotificationKind.STALE_DEAL},
    ),
]


@pytest.mark.parametrize(("command", "now", "sent", "says", "kinds"), COMMANDS)
def test_command_sends_once_and_prints_the_count(scene, command, now, sent, says, kinds):
    out = StringIO()
    call_command(command, "--now", now, stdout=out)
    assert out.getvalue() == f"{says}\n"
    assert set(Notification.objects.values_list("kind", flat=True)) == kinds
    assert Notification.objects.count() == sent

    out = StringIO()
    call_command(command, "--now", now, stdout=out)
    assert out.getvalue().startswith("0 ")
    assert Notification.objects.count() == sent


def test_now_without_an_offset_is_company_time_and_with_one_is_exact(scene):
    """07:00 Berlin is 06:00 UTC: an hour earlier in UTC is too early for the digest."""
    out = StringIO()
    call_command("send_overdue_digests", "--now", "2025-03-04T05:59:00+00:00", stdout=out)
    call_command("send_overdue_digests", "--now", "2025-03-04T06:59", stdout=out)
    assert out.getvalue() == "0 overdue digest(s) sent.\n0 overdue digest(s) sent.\n"
    call_command("send_overdue_digests", "--now", "2025-03-04T06:00:00+00:00", stdout=out)
    assert out.getvalue().endswith("2 overdue digest(s) sent.\n")


def test_commands_run_now_without_now(scene):
    """Without --now the commands act on the present (long after March 2025)."""
    out = StringIO()
    call_command("send_stale_deal_alerts", stdout=out)
    assert out.getvalue() == "2 stale deal alert(s) sent.\n"


def test_a_malformed_now_is_refused(scene):
    with pytest.raises(CommandError, match="not an ISO date-time"):
        call_command("send_task_reminders", "--now", "next tuesday")


TASKS = [
    (send_plan_reminders_task, "2025-03-04T12:00:00+01:00", 2),
    (send_review_reminders_task, "2025-03-04T09:00:00+01:00", 1),
    (send_task_reminders_task, "2025-03-04T10:00:00+01:00", 1),
    (send_overdue_digests_task, "2025-03-04T07:00:00+01:00", 2),
    (send_stale_deal_alerts_task, "2025-03-15T09:00:00+01:00", 2),
]


@pytest.mark.parametrize(("task", "now", "sent"), TASKS)
def test_celery_task_returns_the_count_and_a_redelivery_sends_nothing(scene, task, now, sent):
    assert task.apply(kwargs={"now": now}).get() == sent
    assert task.apply(kwargs={"now": now}).get() == 0  # a redelivered message
    assert Notification.objects.count() == sent


def test_celery_tasks_run_without_arguments_as_beat_sends_them(scene):
    """Beat calls each task with no arguments; the present is long after March 2025."""
    assert send_stale_deal_alerts_task.apply().get() == 2
    for task in (
        send_plan_reminders_task,
        send_review_reminders_task,
        send_task_reminders_task,
        send_overdue_digests_task,
    ):
        assert isinstance(task.apply().get(), int)


def test_beat_schedule_names_every_job():

    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert names == {
        "plans.tasks.send_plan_reminders_task",
        "plans.tasks.send_review_reminders_task",
        "plans.tasks.notify_unnotified_plan_events_task",
        "activities.tasks.send_task_reminders_task",
        "activities.tasks.send_overdue_digests_task",
        "activities.tasks.emit_overdue_task_events_task",
        "activities.tasks.send_stale_deal_alerts_task",
        "reporting.tasks.send_deviation_alerts_task",
        "reporting.tasks.generate_monthly_reviews_task",
        "reporting.tasks.compute_commission_statements_task",
        "reporting.tasks.send_report_packs_task",
        "coaching.tasks.open_feedback_periods_task",
        "coaching.tasks.send_checkpoint_reminders_task",
        "coaching.tasks.assign_onboarding_task",
        "coaching.tasks.send_training_reminders_task",
        "coaching.tasks.suggest_recognition_task",
        "coaching.tasks.send_session_reminders_task",
        "coaching.tasks.send_action_item_reminders_task",
    }
    app.loader.import_default_modules()
    assert names <= set(app.tasks)
