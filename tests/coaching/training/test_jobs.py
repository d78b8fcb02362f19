"""Training jobs: the onboarding track (new reps with a team, once; off by setting) and
the reminders (overdue to rep and manager once, due-soon to the rep once; from 07:00),
through the service, the Celery task and the command with --now."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from coaching.jobs import assign_onboarding_task, send_training_reminders_task
from coaching.models import AssignmentSource, CoachingSettings, TrainingAssignment
from coaching.training.services import assign_onboarding, send_training_reminders
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.coaching.training.conftest import days, make_assignment, today
from tests.factories import UserFactory


def morning(day=None, hour=9):
    """``day`` (default today) at ``hour`` on the company's clock."""
    return datetime.combine(day or today(), time(hour), CompanySettings.load().tzinfo)


def told(key_prefix: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(key__startswith=key_prefix).values_list("user__username", "key")
    )


# --- Onboarding ---------------------------------------------------------------------------------


@pytest.fixture
def newcomer(team):
    return UserFactory(username="newbie", team=team, date_joined=timezone.now() - timedelta(days=3))


def test_onboarding_assigns_the_track_to_new_reps_once(catalogue, cast, newcomer, team):
    """The newcomer (joined 3 days ago, in a team) gets the onboarding module, due 14 days
    from when it is assigned (never less than the module's window); reps who joined long
    ago, or have no team, get nothing."""
    UserFactory(username="teamless", team=None, date_joined=timezone.now())
    for name in ("rep", "teammate", "other_team_rep", "south_rep"):
        cast[name].date_joined = timezone.now() - timedelta(days=200)
        cast[name].save(update_fields=["date_joined"])

    assert assign_onboarding() == 1
    assert assign_onboarding() == 0

    assignment = TrainingAssignment.objects.get()
    assert (assignment.rep, assignment.module) == (newcomer, catalogue["welcome"])
    assert assignment.due == today() + timedelta(days=14)
    assert assignment.source == AssignmentSource.ONBOARDING
    assert told("training-assigned:") == [("newbie", f"training-assigned:{assignment.pk}")]


@pytest.fixture
def only_newcomer(cast, newcomer):
    """The cast's reps joined long ago: only the newcomer is new."""
    for name in ("rep", "teammate", "other_team_rep", "south_rep"):
        cast[name].date_joined = timezone.now() - timedelta(days=200)
        cast[name].save(update_fields=["date_joined"])
    return newcomer


def test_onboarding_never_repeats_a_module_once_done(catalogue, only_newcomer):
    newcomer = only_newcomer
    make_assignment(catalogue["welcome"], newcomer, due=days(-1), done=True)
    assert assign_onboarding() == 0


def test_onboarding_is_never_assigned_already_overdue(catalogue, only_newcomer):
    """A rep who joined 60 days ago (the module joined the track since) is not handed a
    module due 46 days ago: it is due the module's 14 days from the day it is assigned,
    that day read from --now in company time."""
    newcomer = only_newcomer
    newcomer.date_joined = timezone.now() - timedelta(days=60)
    newcomer.save(update_fields=["date_joined"])
    later = days(5)
    call_command("assign_onboarding", "--now", f"{later.isoformat()}T10:00", stdout=StringIO())

    assignment = TrainingAssignment.objects.get(rep=newcomer)
    assert assignment.due == later + timedelta(days=14)


def test_onboarding_is_off_when_the_setting_is_off(catalogue, only_newcomer):
    settings = CoachingSettings.load()
    settings.onboarding_track = False
    settings.save()
    assert assign_onboarding() == 0
    assert not TrainingAssignment.objects.exists()


def test_onboarding_task_and_command(catalogue, only_newcomer):
    """The task and the command with --now (a week after joining: still within 90 days)."""
    later = (timezone.now() + timedelta(days=7)).isoformat()
    out = StringIO()
    call_command("assign_onboarding", "--now", later, stdout=out)
    assert out.getvalue().strip() == "1 onboarding assignment(s) made."
    assert assign_onboarding_task.delay(later).get() == 0
    # 100 days on the newcomer is no longer new, and nothing more is made.
    far = (timezone.now() + timedelta(days=100)).isoformat()
    assert assign_onboarding_task.delay(far).get() == 0


# --- Reminders ----------------------------------------------------------------------------------


def test_overdue_tells_rep_and_manager_once_and_due_soon_tells_the_rep(catalogue, cast):
    overdue = make_assignment(catalogue["product"], cast["rep"], due=days(-1))
    soon = make_assignment(catalogue["competition"], cast["rep"], due=days(3))
    make_assignment(catalogue["welcome"], cast["rep"], due=days(4))  # not yet
    make_assignment(catalogue["welcome"], cast["teammate"], due=days(-5), done=True)  # done

    assert send_training_reminders(now=morning()) == 3
    assert send_training_reminders(now=morning(hour=15)) == 0

    assert told("training-overdue:") == [
        ("manager", f"training-overdue:{overdue.pk}"),
        ("rep", f"training-overdue:{overdue.pk}"),
    ]
    assert told("training-due:") == [("rep", f"training-due:{soon.pk}")]
    assert set(Notification.objects.values_list("kind", flat=True)) == {NotificationKind.TRAINING}


def test_reminders_wait_for_the_morning(catalogue, cast):
    make_assignment(catalogue["product"], cast["rep"], due=days(-1))
    assert send_training_reminders(now=morning(hour=5)) == 0
    assert send_training_reminders(now=morning(hour=7)) == 2


def test_a_due_soon_reminder_later_becomes_an_overdue_one(catalogue, cast):
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(1))
    assert send_training_reminders(now=morning()) == 1
    assert send_training_reminders(now=morning(days(2))) == 2
    assert send_training_reminders(now=morning(days(3))) == 0
    assert len(told(f"training-overdue:{assignment.pk}")) == 2


def test_inactive_reps_are_not_reminded(catalogue, cast):
    make_assignment(catalogue["product"], cast["rep"], due=days(-1))
    cast["rep"].is_active = False
    cast["rep"].save(update_fields=["is_active"])
    assert send_training_reminders(now=morning()) == 0


def test_reminder_task_and_command_with_now(catalogue, cast):
    make_assignment(catalogue["product"], cast["rep"], due=days(-1))
    out = StringIO()
    call_command("send_training_reminders", "--now", f"{today().isoformat()}T09:00", stdout=out)
    assert out.getvalue().strip() == "2 training reminder(s) sent."
    assert send_training_reminders_task.delay(f"{today().isoformat()}T10:00").get() == 0
