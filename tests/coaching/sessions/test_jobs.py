"""The coaching jobs: session reminders and overdue action-item reminders, through the
Celery task and the management command with --now; each person once, a second run 0."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import Task
from coaching.jobs import send_action_item_reminders_task, send_session_reminders_task
from coaching.models import CoachingSettings, SessionStatus
from coaching.sessions import services
from salesmgmt.calendar import local_time
from salesmgmt.models import CompanySettings, Notification
from tests.coaching.sessions.conftest import PRIVATE

pytestmark = pytest.mark.django_db


def _run(command, now):
    out = StringIO()
    call_command(command, "--now", now.isoformat(), stdout=out)
    return out.getvalue()


def test_session_reminder_once_to_coach_and_rep(book, cast):
    session = book(cast["rep"], cast["manager"], days=5)
    before = session.starts_at - timedelta(hours=25)
    assert _run("send_session_reminders", before) == "0 session reminder(s) sent.\n"
    within = session.starts_at - timedelta(hours=23)
    assert _run("send_session_reminders", within) == "2 session reminder(s) sent.\n"
    assert (
        _run("send_session_reminders", within + timedelta(minutes=15))
        == "0 session reminder(s) sent.\n"
    )
    told = Notification.objects.filter(key=services.reminder_key(session))
    assert {n.user for n in told} == {cast["rep"], cast["manager"]}
    assert all(PRIVATE not in n.title + n.body for n in told)
    assert _run("send_session_reminders", session.starts_at + timedelta(minutes=1)).startswith("0")


def test_reminder_hours_are_configurable_and_cancelled_sessions_are_skipped(book, cast):
    settings = CoachingSettings.load()
    settings.session_reminder_hours = 2
    settings.save()
    session = book(cast["rep"], cast["manager"], days=1)
    assert send_session_reminders_task((session.starts_at - timedelta(hours=3)).isoformat()) == 0
    services.cancel_session(session=session, by=cast["manager"], version=1)
    assert send_session_reminders_task((session.starts_at - timedelta(hours=1)).isoformat()) == 0


def test_overdue_action_item_once_to_owner_and_coach(book, cast):
    session = book(cast["rep"], cast["manager"], days=-2, status=SessionStatus.HELD)
    today = CompanySettings.load().today()
    item = services.add_action_item(
        session=session, by=cast["manager"], text="Rework the pitch", owner=cast["rep"], due=today
    )
    done = services.add_action_item(
        session=session, by=cast["manager"], text="Done already", owner=cast["rep"], due=today
    )
    services.complete_action_item(item=done, by=cast["rep"])
    not_yet = item.task.due_at - timedelta(minutes=1)
    assert send_action_item_reminders_task(not_yet.isoformat()) == 0
    later = item.task.due_at + timedelta(hours=1)
    assert _run("send_action_item_reminders", later) == "2 action item reminder(s) sent.\n"
    assert (
        _run("send_action_item_reminders", later + timedelta(hours=1))
        == "0 action item reminder(s) sent.\n"
    )
    told = Notification.objects.filter(key=f"action-item-overdue:{item.pk}")
    assert {n.user for n in told} == {cast["rep"], cast["manager"]}
    assert not Notification.objects.filter(key=f"action-item-overdue:{done.pk}").exists()


def test_coach_owned_overdue_item_tells_the_coach_once(book, cast):
    session = book(cast["rep"], cast["manager"], days=-1, status=SessionStatus.HELD)
    item = services.add_action_item(
        session=session,
        by=cast["manager"],
        text="Send the deck",
        owner=cast["manager"],
        due=CompanySettings.load().today(),
    )
    assert send_action_item_reminders_task((item.task.due_at + timedelta(hours=1)).isoformat()) == 1
    assert Task.objects.get(pk=item.task_id).assignee == cast["manager"]


def test_tasks_without_now_use_the_clock(book, cast):
    book(cast["rep"], cast["manager"], starts_at=timezone.now() + timedelta(hours=1))
    assert send_session_reminders_task() == 2
    assert send_session_reminders_task() == 0


def test_a_moved_session_is_told_and_reminded_of_again(book, cast):
    """Moving a planned session tells the rep its new time (once per change), and the
    reminder sent for the old time does not stop the one for the new time."""
    rep, manager = cast["rep"], cast["manager"]
    session = book(rep, manager, days=1)
    assert services.send_session_reminders(now=session.starts_at - timedelta(hours=1)) == 2
    later = session.starts_at + timedelta(days=2)
    services.update_session(session=session, by=manager, version=1, starts_at=later)
    moved = Notification.objects.get(user=rep, key__startswith="session-moved:")
    assert moved.key == f"session-moved:{session.pk}:2"
    assert str(local_time(later, rep)) in moved.title
    services.update_session(session=session, by=manager, version=2, shared_notes="v3")
    assert Notification.objects.filter(key__startswith="session-moved:").count() == 1
    assert services.send_session_reminders(now=later - timedelta(hours=1)) == 2
    assert services.send_session_reminders(now=later - timedelta(minutes=30)) == 0
