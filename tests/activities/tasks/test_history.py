"""Task history and team-board counts, pinned on hand-built tasks.

Period: March 2026 (company dates, inclusive). Every task has an explicit
``due_at`` and ``done_at``, so each figure below can be checked by hand.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from activities.tasks.selectors import task_counts_by_rep, task_history_by_rep, task_history_by_team
from salesmgmt.models import CompanySettings, Team, User
from tests.factories.tasks import TaskFactory

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def utc(month, day, hour=0, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def done(rep, due, finished):
    return TaskFactory(assignee=rep, due_at=due, done_at=finished)


@pytest.fixture
def history(rep, teammate, other_team_rep, south_rep):
    # Rita: 2 on time (one early, one exactly at the due time), 2 late (3 h and 25 h).
    done(rep, utc(3, 2, 10), utc(3, 2, 9))
    done(rep, utc(3, 3, 10), utc(3, 3, 10))
    done(rep, utc(3, 4, 10), utc(3, 4, 13))
    done(rep, utc(3, 5, 10), utc(3, 6, 11))
    # ...and three that do not count for March: done in February, done in April, still open.
    done(rep, utc(2, 27, 10), utc(2, 28, 10))
    done(rep, utc(3, 31, 10), utc(4, 1, 0, 30))
    TaskFactory(assignee=rep, due_at=utc(3, 9, 10))
    # Tom: 2 on time, 1 late by 1.5 h.
    done(teammate, utc(3, 10, 10), utc(3, 10, 8))
    done(teammate, utc(3, 11, 10), utc(3, 11, 11, 30))
    done(teammate, utc(3, 12, 10), utc(3, 12, 9))
    # Otto (Beta): one, late by 2 h. Sofia (Gamma): one, on time.
    done(other_team_rep, utc(3, 15, 10), utc(3, 15, 12))
    done(south_rep, utc(3, 16, 10), utc(3, 16, 10))


def figures(rows) -> dict[str, tuple]:
    return {
        str(r.subject): (r.completed, r.on_time, r.late, r.on_time_rate, r.avg_lateness_hours)
        for r in rows
    }


def test_history_per_rep(history):
    rows = task_history_by_rep(User.objects.sales_reps(), **MARCH)

    assert figures(rows) == {
        "Rita Rep": (4, 2, 2, 50.0, 14.0),  # (3 h + 25 h) / 2
        "Tom Teammate": (3, 2, 1, 66.7, 1.5),
        "Otto Beta": (1, 0, 1, 0.0, 2.0),
        "Sofia Gamma": (1, 1, 0, 100.0, None),
    }
    assert [str(r.subject) for r in rows] == [
        "Rita Rep",
        "Tom Teammate",
        "Otto Beta",
        "Sofia Gamma",
    ]


def test_average_lateness_is_exact_before_rounding(history, rep):
    (rita,) = task_history_by_rep(User.objects.filter(pk=rep.pk), **MARCH)

    assert rita.avg_lateness == timedelta(hours=14)


def test_history_per_team(history):
    rows = task_history_by_team(Team.objects.all(), **MARCH)

    assert figures(rows) == {
        "Alpha": (7, 4, 3, 57.1, 9.8),  # 4/7 on time; (3 + 25 + 1.5) / 3 = 9.83 h late
        "Beta": (1, 0, 1, 0.0, 2.0),
        "Gamma": (1, 1, 0, 100.0, None),
    }


def test_a_period_without_completed_tasks_has_no_rates(history, rep):
    rows = task_history_by_rep(
        User.objects.filter(pk=rep.pk), start=date(2026, 1, 1), end=date(2026, 1, 31)
    )

    assert figures(rows) == {"Rita Rep": (0, 0, 0, None, None)}


def test_a_departed_rep_shows_only_with_completed_tasks(history, teammate, rep):
    for person in (rep, teammate):
        person.is_active = False
        person.save(update_fields=["is_active"])

    march = task_history_by_rep(User.objects.sales_reps(), **MARCH)
    january = task_history_by_rep(
        User.objects.sales_reps(), start=date(2026, 1, 1), end=date(2026, 1, 31)
    )

    assert "Rita Rep" in figures(march)
    assert [str(r.subject) for r in january] == ["Otto Beta", "Sofia Gamma"]


def test_period_days_follow_the_company_timezone(rep):
    """Berlin is UTC+1 in winter: 28 Feb 23:30 UTC is already 1 March there."""
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()
    done(rep, utc(3, 1, 12), utc(2, 28, 23, 30))  # 1 Mar 00:30 in Berlin: March
    done(rep, utc(3, 31, 12), utc(3, 31, 22, 30))  # 1 Apr 00:30 in Berlin (summer time): April

    (rita,) = task_history_by_rep(User.objects.filter(pk=rep.pk), **MARCH)

    assert rita.completed == 1


def test_board_counts_per_rep(rep, teammate, monkeypatch):
    """Wednesday 11 March 2026, 10:00 UTC; the company week began Monday 9 March."""
    monkeypatch.setattr(timezone, "now", lambda: utc(3, 11, 10))
    TaskFactory(assignee=rep, due_at=utc(3, 10, 9))  # overdue
    TaskFactory(assignee=rep, due_at=utc(3, 11, 9))  # due today, already overdue: overdue only
    TaskFactory(assignee=rep, due_at=utc(3, 11, 23, 59))  # due today
    TaskFactory(assignee=rep, due_at=utc(3, 12, 0))  # tomorrow
    done(rep, utc(3, 11, 8), utc(3, 11, 7))  # due today but done: not "due"; done this week
    done(rep, utc(3, 6, 9), utc(3, 9, 0))  # done this week (Monday 00:00)
    done(rep, utc(3, 6, 9), utc(3, 8, 23, 59))  # done last week
    company = CompanySettings.load()

    reps = task_counts_by_rep(
        User.objects.filter(pk__in=[rep.pk, teammate.pk]).order_by("pk"),
        now=timezone.now(),
        company=company,
    )

    assert [(r.open_tasks, r.overdue_tasks, r.due_today, r.done_this_week) for r in reps] == [
        (4, 2, 1, 2),
        (0, 0, 0, 0),
    ]


def test_each_figure_family_is_one_query(history, django_assert_num_queries):
    CompanySettings.load()

    with django_assert_num_queries(1):
        task_history_by_rep(User.objects.sales_reps(), **MARCH)
    with django_assert_num_queries(1):
        task_history_by_team(Team.objects.all(), **MARCH)
