"""Task reminders and daily overdue digests.

The company runs on New York time (UTC-5 in early March 2025); people may read
in a timezone of their own.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from activities.models import Task
from activities.tasks.reminders import send_overdue_digests, send_task_reminders
from salesmgmt.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.factories.reminders import CustomerFactory, TaskFactory, set_company, told

NEW_YORK = ZoneInfo("America/New_York")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def body_of(username: str, kind: str) -> str:
    return Notification.objects.get(user__username=username, kind=kind).body


# --- Task reminders ---------------------------------------------------------------------------


@pytest.fixture
def tasks_due(db, rep, teammate):
    """Now is Monday 3 March 2025 14:00 UTC; reminders reach 60 minutes ahead."""
    set_company(timezone="America/New_York", task_reminder_minutes=60)
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])
    teammate.timezone = "America/Los_Angeles"
    teammate.save(update_fields=["timezone"])
    acme = CustomerFactory(name="Acme Hardware", owner=rep)
    return {
        "call": TaskFactory(assignee=rep, title="Call Anna", due_at=utc(3, 14, 30), customer=acme),
        "edge": TaskFactory(assignee=rep, title="Send quote", due_at=utc(3, 15)),
        "later": TaskFactory(assignee=rep, title="Prepare demo", due_at=utc(3, 15, 1)),
        "past": TaskFactory(assignee=rep, title="Overdue one", due_at=utc(3, 13, 59)),
        "done": TaskFactory(
            assignee=rep, title="Done one", due_at=utc(3, 14, 20), done_at=utc(3, 9)
        ),
        "tom": TaskFactory(assignee=teammate, title="Visit depot", due_at=utc(3, 14, 45)),
    }


def test_task_reminders_go_to_assignees_of_open_tasks_due_within_the_window(tasks_due):
    assert send_task_reminders(now=utc(3, 14)) == 3
    assert told() == [
        ("rep", "Due at 15:30: Call Anna"),
        ("rep", "Due at 16:00: Send quote"),
        ("teammate", "Due at 06:45: Visit depot"),
    ]
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.TASK_REMINDER
    }


def test_task_reminder_shows_the_due_time_in_the_assignees_timezone(tasks_due):
    send_task_reminders(now=utc(3, 14))
    call = tasks_due["call"]
    reminder = Notification.objects.get(key__startswith=f"task-reminder:{call.pk}:")
    assert reminder.key == f"task-reminder:{call.pk}:2025-03-03T14:30:00+00:00"
    assert reminder.body == (
        "“Call Anna” is due at 15:30 (Europe/Berlin), Monday 3 March 2025.\nCustomer: Acme Hardware"
    )
    assert reminder.url == f"/tasks/#task-{call.pk}"
    depot = Notification.objects.get(user__username="teammate")
    assert depot.body == "“Visit depot” is due at 06:45 (America/Los_Angeles), Monday 3 March 2025."


def test_task_reminders_are_sent_once_and_mailed_once(
    tasks_due, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_task_reminders(now=utc(3, 14)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert send_task_reminders(now=utc(3, 14)) == 0
        assert send_task_reminders(now=utc(3, 14, 15)) == 1  # "Prepare demo" now in range
    assert [m.subject for m in mail.outbox] == [
        "Due at 15:30: Call Anna",
        "Due at 06:45: Visit depot",
        "Due at 16:00: Send quote",
        "Due at 16:01: Prepare demo",
    ]


def test_a_task_moved_to_another_time_is_reminded_again(tasks_due):
    send_task_reminders(now=utc(3, 14))
    Task.objects.filter(pk=tasks_due["call"].pk).update(due_at=utc(3, 17))
    assert send_task_reminders(now=utc(3, 16, 15)) == 1
    latest = Notification.objects.first()
    assert (latest.user, latest.title) == (tasks_due["call"].assignee, "Due at 18:00: Call Anna")


def test_no_task_reminder_for_people_who_left(tasks_due, teammate):
    teammate.is_active = False
    teammate.save(update_fields=["is_active"])
    assert send_task_reminders(now=utc(3, 14)) == 2
    assert not Notification.objects.filter(user=teammate).exists()


# --- Daily overdue digests --------------------------------------------------------------------


@pytest.fixture
def overdue(db, rep, teammate, other_team_rep, south_rep, manager, other_manager, south_manager):
    """New York company; now is around Tuesday 4 March 2025, 07:00 in New York (12:00 UTC)."""
    set_company(timezone="America/New_York")
    acme = CustomerFactory(name="Acme Hardware", owner=rep)
    TaskFactory(assignee=rep, title="Call Anna", due_at=utc(3, 15), customer=acme)
    TaskFactory(assignee=rep, title="Send quote", due_at=utc(4, 11, 30))
    TaskFactory(assignee=rep, title="Later today", due_at=utc(4, 16))  # not overdue yet
    TaskFactory(assignee=rep, title="Done", due_at=utc(2, 9), done_at=utc(2, 10))
    TaskFactory(assignee=teammate, title="Visit depot", due_at=utc(1, 14))
    TaskFactory(assignee=other_team_rep, title="Renewal call", due_at=utc(3, 20))
    TaskFactory(assignee=south_rep, title="Next week", due_at=utc(10, 9))


def test_no_overdue_digest_before_seven_in_company_time(overdue):
    """06:59 in New York is 11:59 UTC."""
    assert send_overdue_digests(now=utc(4, 11, 59)) == 0
    assert told() == []


def test_from_seven_every_rep_and_manager_gets_one_digest(overdue):
    assert send_overdue_digests(now=utc(4, 12)) == 5
    assert told() == [
        ("manager", "Your team has 3 overdue tasks"),
        ("other_manager", "Your team has 1 overdue task"),
        ("other_rep", "You have 1 overdue task"),
        ("rep", "You have 2 overdue tasks"),
        ("teammate", "You have 1 overdue task"),
    ]
    assert body_of("rep", NotificationKind.OVERDUE_DIGEST) == (
        "- Call Anna (Acme Hardware): due Mon 3 Mar 15:00\n- Send quote: due Tue 4 Mar 11:30"
    )
    assert body_of("manager", NotificationKind.TEAM_OVERDUE_DIGEST) == (
        "Overdue per rep: Rita Rep: 2, Tom Teammate: 1.\n"
        "\n"
        "- Rita Rep: Call Anna (Acme Hardware): due Mon 3 Mar 15:00\n"
        "- Rita Rep: Send quote: due Tue 4 Mar 11:30\n"
        "- Tom Teammate: Visit depot: due Sat 1 Mar 14:00"
    )
    digest = Notification.objects.get(user__username="rep")
    assert (digest.key, digest.url) == (f"overdue-digest:{digest.user_id}:2025-03-04", "/tasks/")
    team = Notification.objects.get(user__username="manager")
    assert (team.key, team.url) == (f"team-overdue:{team.user_id}:2025-03-04", "/tasks/team/")


def test_digest_times_read_in_the_recipients_timezone(overdue, rep, manager):
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])
    manager.timezone = "America/New_York"
    manager.save(update_fields=["timezone"])
    send_overdue_digests(now=utc(4, 12))
    assert body_of("rep", NotificationKind.OVERDUE_DIGEST) == (
        "- Call Anna (Acme Hardware): due Mon 3 Mar 16:00\n- Send quote: due Tue 4 Mar 12:30"
    )
    assert body_of("manager", NotificationKind.TEAM_OVERDUE_DIGEST).endswith(
        "- Tom Teammate: Visit depot: due Sat 1 Mar 09:00"
    )


def test_one_digest_a_day_mailed_once(overdue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_digests(now=utc(4, 12)) == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_digests(now=utc(4, 13)) == 0
        assert send_overdue_digests(now=utc(5, 4, 59)) == 0  # 23:59 in New York: same day
    assert len(mail.outbox) == 5
    # Wednesday 07:00 New York: a new day, a new digest for those still overdue.
    assert send_overdue_digests(now=utc(5, 11, 59)) == 0
    assert send_overdue_digests(now=utc(5, 12)) == 5
    assert told(NotificationKind.OVERDUE_DIGEST)[-1] == ("teammate", "You have 1 overdue task")
    assert ("rep", "You have 3 overdue tasks") in told()  # "Later today" is late now


def test_a_long_digest_lists_twenty_tasks_then_says_how_many_more(db, rep):
    set_company(timezone="America/New_York")
    for n in range(22):
        TaskFactory(assignee=rep, title=f"Task {n:02}", due_at=utc(3, 12) + timedelta(minutes=n))
    assert send_overdue_digests(now=utc(4, 12)) == 2  # Rita's, and her manager's
    lines = body_of("rep", NotificationKind.OVERDUE_DIGEST).splitlines()
    assert len(lines) == 21
    assert lines[0] == "- Task 00: due Mon 3 Mar 12:00"
    assert lines[-1] == "… and 2 more."
    team_lines = body_of("manager", NotificationKind.TEAM_OVERDUE_DIGEST).splitlines()
    assert team_lines[0] == "Overdue per rep: Rita Rep: 22."
    assert team_lines[-1] == "… and 2 more."


def test_overdue_digest_queries_do_not_grow_with_the_number_of_tasks(
    db, team, django_assert_max_num_queries
):
    set_company(timezone="America/New_York")
    for size in (2, 10):
        for _ in range(size):
            TaskFactory(assignee=UserFactory(team=team), due_at=utc(3, 12))
        send_overdue_digests(now=utc(4, 12))
        with django_assert_max_num_queries(3):
            assert send_overdue_digests(now=utc(4, 13)) == 0
