"""The checkpoint reminder job: rep and manager told once when a checkpoint of an open
plan is due within two days, once when it is overdue; done checkpoints and closed plans
are left alone. Through the service, the Celery task and the command with --now."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from coaching.improvement import services
from coaching.jobs import send_checkpoint_reminders_task
from salesmgmt.models import CompanySettings, Notification, NotificationKind

pytestmark = pytest.mark.django_db


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=CompanySettings.load().tzinfo)


def reminders(key_prefix=""):
    return Notification.objects.filter(
        kind=NotificationKind.IMPROVEMENT_PLAN, key__startswith=f"checkpoint-{key_prefix}"
    )


def test_due_soon_then_overdue_each_told_once_to_rep_and_manager(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    first = plan.checkpoints.first()  # due today + 14

    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=11))) == 0
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=12))) == 2
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=13))) == 0
    due = reminders("due")
    assert {(n.user, n.key) for n in due} == {
        (cast["rep"], f"checkpoint-due:{first.pk}"),
        (cast["manager"], f"checkpoint-due:{first.pk}"),
    }
    assert "Call review" in due.get(user=cast["rep"]).title
    assert due.get(user=cast["rep"]).url == f"/improvement-plans/{plan.pk}/"

    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=15))) == 2
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=16))) == 0
    assert reminders("overdue").count() == 2


def test_done_checkpoints_and_closed_plans_are_not_reminded(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    services.record_checkpoint(
        checkpoint=plan.checkpoints.first(), by=cast["manager"], version=1, done=True
    )
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=20))) == 0
    other = open_plan(cast["teammate"], cast["manager"])
    services.close_plan(plan=other, by=cast["manager"], version=1, outcome="met", note="ok")
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=50))) == 2
    assert {n.user for n in reminders()} == {cast["rep"], cast["manager"]}


def test_an_extended_plan_is_still_reminded(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    services.extend_plan(
        plan=plan, by=cast["manager"], version=1, ends_on=plan.ends_on + timedelta(days=9)
    )
    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=13))) == 2


def test_query_count_does_not_grow_with_checkpoints(
    cast, open_plan, today, django_assert_num_queries
):
    """The already-sent keys are read in one query; a rerun over many costs the same."""
    for i in range(5):
        open_plan(cast["rep"], cast["manager"], reason=f"r{i}")
    services.send_checkpoint_reminders(now=at(today + timedelta(days=13)))
    with django_assert_num_queries(2):  # checkpoints, keys already sent (settings cached)
        assert services.send_checkpoint_reminders(now=at(today + timedelta(days=13))) == 0


def test_task_runs_the_job_once(cast, open_plan, today):
    open_plan(cast["rep"], cast["manager"])
    now = at(today + timedelta(days=13)).isoformat()
    assert send_checkpoint_reminders_task.delay(now=now).get() == 2
    assert send_checkpoint_reminders_task.delay(now=now).get() == 0


def test_command_with_now_runs_once(cast, open_plan, today):
    open_plan(cast["rep"], cast["manager"])
    when = f"{today + timedelta(days=16):%Y-%m-%d}T08:00"
    out = StringIO()
    call_command("send_checkpoint_reminders", "--now", when, stdout=out)
    assert out.getvalue().strip() == "2 checkpoint reminder(s) sent."
    out = StringIO()
    call_command("send_checkpoint_reminders", "--now", when, stdout=out)
    assert out.getvalue().strip() == "0 checkpoint reminder(s) sent."
    assert reminders("overdue").count() == 2


def test_reminders_go_to_the_reps_current_manager(cast, open_plan, today):
    """The rep moved team after the plan opened: the new team's manager is reminded, the
    former one (who can no longer open the plan) is not."""
    open_plan(cast["rep"], cast["manager"])
    cast["rep"].team = cast["other_team_rep"].team
    cast["rep"].save(update_fields=["team"])

    assert services.send_checkpoint_reminders(now=at(today + timedelta(days=13))) == 2
    assert {n.user for n in reminders()} == {cast["rep"], cast["other_manager"]}


def test_reminders_wait_for_the_morning_company_time(cast, open_plan, today):
    """Around midnight company time nothing goes out; from 07:00 the reminders do (the
    command with --now, read in company time)."""
    open_plan(cast["rep"], cast["manager"])
    day = f"{today + timedelta(days=13):%Y-%m-%d}"
    for hour, sent in (("00:30", 0), ("06:59", 0), ("07:00", 2)):
        out = StringIO()
        call_command("send_checkpoint_reminders", "--now", f"{day}T{hour}", stdout=out)
        assert out.getvalue().strip() == f"{sent} checkpoint reminder(s) sent."
