"""Weekly plan reminders, escalation to managers, and review reminders.

The company runs on Berlin time (UTC+1 in early March 2025); the week of
Monday 3 March 2025 is the current week in every test. Reminders go out from
Monday 10:00, the list to managers from Tuesday 12:00 (the defaults).
"""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.models import F

from plans.jobs import notify_plan_event_task
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from plans.weekly import services
from plans.weekly.reminders import (
    notify_unnotified_plan_events,
    send_plan_reminders,
    send_review_reminders,
)
from salesmgmt.jobs import deliver_notification_task
from salesmgmt.models import CompanySettings, Notification, NotificationKind, Weekday
from salesmgmt.notifications import services as notification_services
from salesmgmt.notifications.services import send_pending_emails
from tests.factories import PlanTargetFactory, UserFactory, WeeklyPlanFactory

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = date(2025, 3, 3)  # a Monday


def berlin(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def company(db):
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()
    return CompanySettings.load()


def told(kind=None) -> list[tuple[str, str, str]]:
    """(recipient, title, key) of every notification, in a stable order."""
    rows = Notification.objects.select_related("user").order_by("user__username", "key")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.user.username, n.title, n.key) for n in rows]


def plan(rep, status, week=WEEK, submitted_at=None):
    return WeeklyPlanFactory(rep=rep, week_start=week, status=status, submitted_at=submitted_at)


@pytest.fixture
def week_of_plans(company, rep, teammate, other_team_rep, south_rep):
    """rep: no plan; teammate: draft; other_team_rep: returned; south_rep: submitted."""
    plan(rep, PlanStatus.APPROVED, week=WEEK - timedelta(weeks=1))  # last week's counts not
    plan(teammate, PlanStatus.DRAFT)
    plan(other_team_rep, PlanStatus.RETURNED)
    plan(south_rep, PlanStatus.SUBMITTED, submitted_at=berlin(3, 8))
    UserFactory(username="left", is_active=False, team=rep.team)  # has left: never reminded


# --- Weekly plan reminder ---------------------------------------------------------------------


def test_no_reminder_before_the_reminder_hour_in_company_time(week_of_plans):
    """Monday 09:59 in Berlin is 08:59 UTC: too early, nobody is reminded."""
    assert send_plan_reminders(now=datetime(2025, 3, 3, 8, 59, tzinfo=UTC)) == 0
    assert send_plan_reminders(now=berlin(3, 9, 59)) == 0
    assert told() == []


def test_from_the_reminder_hour_every_rep_without_a_submitted_plan_is_reminded(
    week_of_plans, rep, teammate, other_team_rep
):
    """10:00 Berlin (09:00 UTC): no plan, a draft and a returned plan are reminded;
    a submitted plan and a rep who left are not; managers not yet."""
    assert send_plan_reminders(now=datetime(2025, 3, 3, 9, 0, tzinfo=UTC)) == 3

    title = "Your plan for the week of 3 Mar is not submitted"
    assert told() == [
        ("other_rep", title, f"plan-reminder:{other_team_rep.pk}:2025-03-03"),
        ("rep", title, f"plan-reminder:{rep.pk}:2025-03-03"),
        ("teammate", title, f"plan-reminder:{teammate.pk}:2025-03-03"),
    ]
    bodies = {n.user.username: n.body for n in Notification.objects.select_related("user")}
    assert bodies == {
        "rep": "Week of 3 March 2025. Write your plan and submit it for review.",
        "teammate": "Week of 3 March 2025. Your draft is not submitted yet: submit it for review.",
        "other_rep": (
            "Week of 3 March 2025. Your plan was returned: change it and submit it again "
            "for review."
        ),
    }
    assert {n.url for n in Notification.objects.all()} == {"/plans/week/2025-03-03/"}
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.PLAN_REMINDER
    }


def test_plan_reminder_runs_twice_sends_nothing_new_and_mails_once(
    week_of_plans, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders(now=berlin(3, 10)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders(now=berlin(3, 11)) == 0
        assert send_plan_reminders(now=berlin(4, 11, 59)) == 0  # the next day
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "other_rep@example.com",
        "rep@example.com",
        "teammate@example.com",
    ]
    assert mail.outbox[0].subject == "Your plan for the week of 3 Mar is not submitted"


def test_next_week_is_a_new_occasion(week_of_plans):
    assert send_plan_reminders(now=berlin(3, 10)) == 3
    # Next week nobody has a plan: four reps, each reminded once more.
    assert send_plan_reminders(now=berlin(10, 9, 59)) == 0
    assert send_plan_reminders(now=berlin(10, 10)) == 4
    assert Notification.objects.filter(key__endswith=":2025-03-10").count() == 4


def test_managers_get_one_list_from_the_escalation_hour(
    week_of_plans, rep, manager, other_manager, south_manager
):
    """Tuesday 12:00 Berlin: each manager gets one list of their reps still without
    a submitted plan; a rep who submitted in between is not on it."""
    assert send_plan_reminders(now=berlin(3, 10)) == 3
    plan(rep, PlanStatus.SUBMITTED, submitted_at=berlin(4, 9))  # Rita submits Tuesday morning
    assert send_plan_reminders(now=berlin(4, 11, 59)) == 0

    assert send_plan_reminders(now=berlin(4, 12)) == 2

    lists = {
        n.user.username: (n.title, n.body, n.url, n.key)
        for n in Notification.objects.filter(kind=NotificationKind.PLAN_MISSING)
    }
    assert lists == {
        "manager": (
            "1 rep without a submitted plan for the week of 3 Mar",
            "No submitted plan for the week of 3 March 2025:\n- Tom Teammate: draft not submitted",
            "/plans/team/?week=2025-03-03",
            f"plan-missing:{manager.pk}:2025-03-03",
        ),
        "other_manager": (
            "1 rep without a submitted plan for the week of 3 Mar",
            "No submitted plan for the week of 3 March 2025:\n"
            "- Otto Beta: returned, not submitted again",
            "/plans/team/?week=2025-03-03",
            f"plan-missing:{other_manager.pk}:2025-03-03",
        ),
    }
    # One list: later runs that week add nothing, even if the list would change.
    WeeklyPlan.objects.filter(rep__username="teammate").update(status=PlanStatus.SUBMITTED)
    assert send_plan_reminders(now=berlin(6, 12)) == 0


def test_a_job_first_run_after_the_escalation_sends_reminders_and_lists(
    week_of_plans, django_capture_on_commit_callbacks
):
    """Beat was down on Monday: the first run on Tuesday afternoon catches up, once."""
    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders(now=berlin(4, 15)) == 5
        assert send_plan_reminders(now=berlin(4, 16)) == 0
    missing = told(NotificationKind.PLAN_MISSING)
    assert [(user, title) for user, title, _ in missing] == [
        ("manager", "2 reps without a submitted plan for the week of 3 Mar"),
        ("other_manager", "1 rep without a submitted plan for the week of 3 Mar"),
    ]
    assert (
        Notification.objects.get(user__username="manager", kind=NotificationKind.PLAN_MISSING).body
        == "No submitted plan for the week of 3 March 2025:\n"
        "- Rita Rep: no plan yet\n"
        "- Tom Teammate: draft not submitted"
    )
    assert len(mail.outbox) == 5


def test_reminder_day_and_hour_follow_the_company_settings_and_week_start(db, rep, manager):
    """New York, weeks starting Sunday, reminders Friday 16:00 and the list Saturday 09:00."""
    company = CompanySettings.load()
    company.timezone = "America/New_York"
    company.week_start = Weekday.SUNDAY
    company.plan_reminder_weekday, company.plan_reminder_hour = Weekday.FRIDAY, 16
    company.plan_escalation_weekday, company.plan_escalation_hour = Weekday.SATURDAY, 9
    company.save()
    new_york = ZoneInfo("America/New_York")

    assert send_plan_reminders(now=datetime(2025, 3, 7, 15, 59, tzinfo=new_york)) == 0
    assert send_plan_reminders(now=datetime(2025, 3, 7, 16, 0, tzinfo=new_york)) == 1
    assert Notification.objects.get().key == f"plan-reminder:{rep.pk}:2025-03-02"  # a Sunday
    assert send_plan_reminders(now=datetime(2025, 3, 8, 8, 59, tzinfo=new_york)) == 0
    assert send_plan_reminders(now=datetime(2025, 3, 8, 9, 0, tzinfo=new_york)) == 1
    # Sunday starts a new week: before Friday, nobody is reminded of it.
    assert send_plan_reminders(now=datetime(2025, 3, 9, 12, 0, tzinfo=new_york)) == 0


def test_plan_reminder_queries_do_not_grow_with_the_number_of_reps(
    company, team, django_assert_max_num_queries
):
    """A run over reps already reminded reads reps and sent keys, nothing per rep."""
    for size in (3, 15):
        for _ in range(size):
            UserFactory(team=team)
        send_plan_reminders(now=berlin(4, 13))
        with django_assert_max_num_queries(3):
            assert send_plan_reminders(now=berlin(4, 14)) == 0


# --- Review reminder --------------------------------------------------------------------------


@pytest.fixture
def waiting_plans(company, rep, teammate, other_team_rep, south_rep, manager):
    """Submitted Monday 09:00 (Rita), 11:00 (Tom), Tuesday 08:00 (Otto) Berlin time;
    Sofia's plan is approved; the manager reads times in New York."""
    manager.timezone = "America/New_York"
    manager.save(update_fields=["timezone"])
    return {
        "rita": plan(rep, PlanStatus.SUBMITTED, submitted_at=berlin(3, 9)),
        "tom": plan(teammate, PlanStatus.SUBMITTED, submitted_at=berlin(3, 11)),
        "otto": plan(other_team_rep, PlanStatus.SUBMITTED, submitted_at=berlin(4, 8)),
        "sofia": plan(south_rep, PlanStatus.APPROVED, submitted_at=berlin(3, 7)),
    }


def test_no_review_reminder_until_a_plan_has_waited_longer_than_the_setting(waiting_plans):
    assert send_review_reminders(now=berlin(4, 9)) == 0  # exactly 24 hours is not longer
    assert told() == []


def test_review_reminder_lists_the_waiting_plans_in_the_managers_timezone(waiting_plans, manager):
    assert send_review_reminders(now=berlin(4, 9, 1)) == 1
    rita = waiting_plans["rita"]
    reminder = Notification.objects.get()
    assert (reminder.user, reminder.kind, reminder.key) == (
        manager,
        NotificationKind.REVIEW_REMINDER,
        f"review-reminder:{rita.pk}:{rita.version}",
    )
    assert reminder.title == "1 plan waiting for your review"
    assert (
        reminder.body == "- Rita Rep, week of 3 Mar: submitted Mon 3 Mar, 03:00, waiting 24 hours"
    )
    assert reminder.url == "/plans/?status=submitted"


def test_review_reminder_once_per_plan_crossing_the_line(
    waiting_plans, manager, other_manager, django_capture_on_commit_callbacks
):
    """Another plan crossing the line brings a new list of all; reruns send nothing;
    a plan reviewed meanwhile drops off."""
    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_reminders(now=berlin(4, 9, 30)) == 1
        assert send_review_reminders(now=berlin(4, 10, 30)) == 0
        assert send_review_reminders(now=berlin(4, 11, 30)) == 1  # Tom's plan crossed
        assert send_review_reminders(now=berlin(4, 12, 30)) == 0
    newest = Notification.objects.filter(user=manager).first()
    assert newest.title == "2 plans waiting for your review"
    assert newest.body == (
        "- Rita Rep, week of 3 Mar: submitted Mon 3 Mar, 03:00, waiting 26 hours\n"
        "- Tom Teammate, week of 3 Mar: submitted Mon 3 Mar, 05:00, waiting 24 hours"
    )
    assert [m.subject for m in mail.outbox] == [
        "1 plan waiting for your review",
        "2 plans waiting for your review",
    ]

    WeeklyPlan.objects.filter(pk=waiting_plans["tom"].pk).update(status=PlanStatus.APPROVED)
    assert send_review_reminders(now=berlin(5, 8, 30)) == 1  # Otto's plan, other manager
    assert told(NotificationKind.REVIEW_REMINDER)[-1][:2] == (
        "other_manager",
        "1 plan waiting for your review",
    )
    assert Notification.objects.filter(user=manager).count() == 2


def test_a_plan_submitted_again_is_a_new_occasion(waiting_plans, manager):
    rita = waiting_plans["rita"]
    assert send_review_reminders(now=berlin(4, 9, 30)) == 1
    # Returned and submitted again on Wednesday: a new version, reminded again a day later.
    WeeklyPlan.objects.filter(pk=rita.pk).update(
        submitted_at=berlin(5, 10), version=F("version") + 2
    )
    WeeklyPlan.objects.exclude(pk=rita.pk).update(status=PlanStatus.APPROVED)
    assert send_review_reminders(now=berlin(6, 9)) == 0
    assert send_review_reminders(now=berlin(6, 10, 1)) == 1
    assert Notification.objects.filter(user=manager).first().key == (
        f"review-reminder:{rita.pk}:{rita.version + 2}"
    )


def test_review_reminder_queries_do_not_grow_with_the_number_of_plans(
    company, team, django_assert_max_num_queries
):
    for size in (2, 12):
        for _ in range(size):
            plan(UserFactory(team=team), PlanStatus.SUBMITTED, submitted_at=berlin(3, 9))
        send_review_reminders(now=berlin(5, 9))
        with django_assert_max_num_queries(3):
            assert send_review_reminders(now=berlin(5, 10)) == 0


# --- A worker killed at any moment: nothing lost, nothing twice -------------------------------


@pytest.fixture
def delivery_lost():
    """Every e-mail delivery task is queued and lost (its worker dies before running it)."""

    with mock.patch.object(deliver_notification_task, "apply_async") as apply_async:
        yield apply_async


def test_plan_reminders_killed_half_way_lose_and_repeat_nothing(
    week_of_plans, delivery_lost, django_capture_on_commit_callbacks
):
    """Killed after the first reminder (its e-mail task lost too): the redelivered job
    reminds the other two, and the outbox sweep e-mails each of the three once."""

    real_notify, calls = notification_services.notify, []

    def killed_after_one(**kwargs):
        if calls:
            raise SystemExit("worker killed")
        calls.append(kwargs["key"])
        return real_notify(**kwargs)

    with (
        django_capture_on_commit_callbacks(execute=True),
        mock.patch.object(notification_services, "notify", killed_after_one),
        pytest.raises(SystemExit),
    ):
        send_plan_reminders(now=berlin(3, 10))
    assert Notification.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders(now=berlin(3, 10)) == 2  # the redelivered job
        assert send_plan_reminders(now=berlin(3, 11)) == 0
    assert mail.outbox == []  # every delivery task was lost
    assert send_pending_emails().sent == 3
    assert send_pending_emails().sent == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "other_rep@example.com",
        "rep@example.com",
        "teammate@example.com",
    ]


def test_a_plan_event_whose_task_was_lost_is_told_by_the_catch_up_once(
    company, rep, manager, django_capture_on_commit_callbacks
):

    week_plan = WeeklyPlanFactory(rep=rep)
    PlanTargetFactory(plan=week_plan)
    with (
        mock.patch.object(notify_plan_event_task, "apply_async") as lost,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.submit_plan(plan=week_plan, by=rep)
    assert lost.call_count == 1 and not Notification.objects.exists()
    event = PlanEvent.objects.get(plan=week_plan, kind=PlanEvent.Kind.SUBMITTED)

    soon, later = event.at + timedelta(minutes=1), event.at + timedelta(minutes=10)
    assert notify_unnotified_plan_events(now=soon) == 0  # the task still has its chance
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_unnotified_plan_events(now=later) == 1
        assert notify_unnotified_plan_events(now=later) == 0
    assert [n.user for n in Notification.objects.all()] == [manager]
    assert [m.to[0] for m in mail.outbox] == [manager.email]
    # News older than a week is not sent late.
    PlanEvent.objects.filter(pk=event.pk).update(notified_at=None)
    assert notify_unnotified_plan_events(now=event.at + timedelta(days=8)) == 0
