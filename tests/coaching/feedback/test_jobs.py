"""The feedback period job (task coaching.tasks.open_feedback_periods_task, command
open_feedback_periods): opens calendar-aligned periods, tells reps once, reminds those
who have not answered 5 days before it closes, and tells a manager once that their
team's feedback is ready. Running it again tells nobody again."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from coaching.feedback import selectors, services
from coaching.jobs import open_feedback_periods_task
from coaching.models import CoachingSettings, FeedbackPeriod
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from salesmgmt.schedule import BEAT_SCHEDULE
from tests.coaching.feedback.conftest import ratings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(now: str) -> str:
    out = StringIO()
    call_command("open_feedback_periods", f"--now={now}", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "months, day, bounds",
    [
        (3, date(2025, 5, 17), (date(2025, 4, 1), date(2025, 6, 30))),
        (3, date(2025, 1, 1), (date(2025, 1, 1), date(2025, 3, 31))),
        (3, date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        (1, date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        (6, date(2025, 9, 3), (date(2025, 7, 1), date(2025, 12, 31))),
    ],
)
def test_periods_follow_the_calendar(months, day, bounds):
    assert selectors.period_bounds(day, months) == bounds


def test_the_job_opens_the_quarter_and_tells_each_rep_once(cast):
    """On 2 April the quarter April-June opens (closing 30 June); every rep with a
    manager hears it once, with the command and again with the task."""
    assert _run("2025-04-02T08:00") == "4 feedback notification(s) sent.\n"
    period = FeedbackPeriod.objects.get()
    assert (period.start, period.end, period.closes_on) == (
        date(2025, 4, 1),
        date(2025, 6, 30),
        date(2025, 6, 30),
    )
    told = Notification.objects.filter(key=f"feedback-open:{period.pk}")
    assert sorted(told.values_list("user__username", flat=True)) == sorted(
        cast[r].username for r in ("rep", "teammate", "other_team_rep", "south_rep")
    )
    assert set(told.values_list("kind", flat=True)) == {NotificationKind.FEEDBACK}
    assert _run("2025-04-03T08:00") == "0 feedback notification(s) sent.\n"
    assert open_feedback_periods_task.delay("2025-04-04T08:00").get() == 0
    assert FeedbackPeriod.objects.count() == 1


def test_the_length_comes_from_the_coaching_settings(cast):
    settings = CoachingSettings.load()
    settings.feedback_period_months = 1
    settings.save()
    _run("2025-05-20T08:00")
    period = FeedbackPeriod.objects.get()
    assert (period.start, period.closes_on) == (date(2025, 5, 1), date(2025, 5, 31))


def test_a_changed_length_waits_for_the_running_period(cast):
    """Switching to monthly periods mid-quarter keeps the quarter until it ends."""
    _run("2025-04-02T08:00")
    settings = CoachingSettings.load()
    settings.feedback_period_months = 1
    settings.save()
    _run("2025-05-20T08:00")
    assert FeedbackPeriod.objects.count() == 1
    _run("2025-07-02T08:00")
    latest = FeedbackPeriod.objects.order_by("-start").first()
    assert (latest.start, latest.end) == (date(2025, 7, 1), date(2025, 7, 31))


def test_quarterly_to_half_yearly_opens_a_period_without_overlap(db):
    """Q1 ran Jan-Mar; switched to half years, 2 April opens a period from 1 April to
    30 June (the day after Q1, to the half year's end): one period open, none overlap."""
    settings = CoachingSettings.load()
    settings.feedback_period_months = 3
    settings.save()
    first = services.ensure_period(today=date(2026, 2, 10))
    settings.feedback_period_months = 6
    settings.save()
    period = services.ensure_period(today=date(2026, 4, 2))
    assert (first.start, first.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (period.start, period.end, period.closes_on) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        date(2026, 6, 30),
    )
    assert selectors.open_period(date(2026, 4, 2)) == period
    assert services.ensure_period(today=date(2026, 5, 2)) == period
    nxt = services.ensure_period(today=date(2026, 7, 1))
    assert (nxt.start, nxt.end) == (date(2026, 7, 1), date(2026, 12, 31))


def test_monthly_to_quarterly_opens_a_period_without_overlap(db):
    """January monthly; switched to quarters, 10 February opens 1 February - 31 March."""
    settings = CoachingSettings.load()
    settings.feedback_period_months = 1
    settings.save()
    services.ensure_period(today=date(2026, 1, 10))
    settings.feedback_period_months = 3
    settings.save()
    period = services.ensure_period(today=date(2026, 2, 10))
    assert (period.start, period.end) == (date(2026, 2, 1), date(2026, 3, 31))
    assert selectors.open_period(date(2026, 2, 10)) == period
    assert FeedbackPeriod.objects.count() == 2


def test_reps_who_have_not_answered_are_reminded_before_it_closes(cast):
    """Five days before 30 June those who have not answered are reminded once; Rita,
    who answered, is not. Earlier, nobody is."""
    _run("2025-04-02T08:00")
    period = FeedbackPeriod.objects.get()
    services.submit_feedback(by=cast["rep"], ratings=ratings(4), today=date(2025, 6, 1))
    assert _run("2025-06-24T08:00") == "0 feedback notification(s) sent.\n"
    assert _run("2025-06-25T08:00") == "3 feedback notification(s) sent.\n"
    closing = Notification.objects.filter(key=f"feedback-closing:{period.pk}")
    assert cast["rep"].pk not in set(closing.values_list("user", flat=True))
    assert closing.count() == 3
    assert _run("2025-06-26T08:00") == "0 feedback notification(s) sent.\n"
    # After the period, nobody is reminded of it.
    assert (
        not Notification.objects.filter(key__startswith="feedback-closing:")
        .exclude(key=f"feedback-closing:{period.pk}")
        .exists()
    )


def test_the_manager_hears_once_that_feedback_is_ready(cast, team):
    """Alpha (four reps) reaches three answers: Maria is told once, by the job, with
    the count and nothing else; Beta (one rep) never reaches it on its own."""
    alpha = [cast["rep"], cast["teammate"], UserFactory(team=team), UserFactory(team=team)]
    _run("2025-04-02T08:00")
    period = FeedbackPeriod.objects.get()
    for user in alpha[:2]:
        services.submit_feedback(by=user, ratings=ratings(3), today=date(2025, 4, 10))
    services.submit_feedback(by=cast["other_team_rep"], ratings=ratings(3), today=date(2025, 4, 10))
    _run("2025-04-11T08:00")
    assert not Notification.objects.filter(key__startswith="feedback-ready:").exists()
    services.submit_feedback(by=alpha[2], ratings=ratings(3), today=date(2025, 4, 11))
    assert not Notification.objects.filter(key__startswith="feedback-ready:").exists()
    assert _run("2025-04-12T08:00") == "1 feedback notification(s) sent.\n"
    ready = Notification.objects.get(key=f"feedback-ready:{period.pk}:{team.pk}")
    assert ready.user == cast["manager"]
    assert "3 answers" in ready.title
    services.submit_feedback(by=alpha[3], ratings=ratings(3), today=date(2025, 4, 12))
    assert _run("2025-04-13T08:00") == "0 feedback notification(s) sent.\n"


def test_the_task_is_the_command(cast):
    assert open_feedback_periods_task.delay("2025-07-01T08:00").get() == 4
    assert FeedbackPeriod.objects.get().start == date(2025, 7, 1)


def test_the_hourly_job_acts_once_a_company_day_from_seven(cast, team):
    """Beat runs it every hour (UTC); it acts only from 07:00 company time, once a day:
    at 06:46 nothing (no period yet), at 07:46 reps are told, later that day nothing,
    not even the 'ready' notice of a team that reached the threshold at noon; that
    comes the next morning, from the job, never at the moment of an answer."""
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()
    alpha = [cast["rep"], cast["teammate"], UserFactory(team=team)]
    assert _run("2025-04-02T06:46") == "0 feedback notification(s) sent.\n"
    assert not FeedbackPeriod.objects.exists()
    # 05:46 UTC is 07:46 in Berlin (summer time).
    assert _run("2025-04-02T05:46+00:00") == "5 feedback notification(s) sent.\n"
    for user in alpha:
        services.submit_feedback(by=user, ratings=ratings(3), today=date(2025, 4, 2))
    assert not Notification.objects.filter(key__startswith="feedback-ready:").exists()
    for hour in ("12:46", "18:46", "23:46"):
        assert _run(f"2025-04-02T{hour}") == "0 feedback notification(s) sent.\n"
    assert _run("2025-04-03T06:46") == "0 feedback notification(s) sent.\n"
    assert _run("2025-04-03T07:46") == "1 feedback notification(s) sent.\n"
    assert Notification.objects.filter(key__startswith="feedback-ready:").count() == 1
    assert _run("2025-04-03T08:46") == "0 feedback notification(s) sent.\n"


def test_the_beat_entry_is_hourly():
    """Hourly at :46, expiring within the hour: company time is the service's business."""
    entry = BEAT_SCHEDULE["open-feedback-periods"]
    assert entry["options"]["expires"] == 3600
    assert entry["schedule"].hour == set(range(24)) and entry["schedule"].minute == {46}
