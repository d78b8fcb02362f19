"""The recognition suggestions job: which wins it finds (a goal beaten, the month's
biggest deal of each team, a KPI green N weeks running), that it nudges the rep's
manager once per win and never gives anything, and that it runs as a task and as a
command with --now.

The clock is pinned to Wednesday 11 June 2025, noon (company time): last month is May;
the last whole weeks start on Mondays 12, 19, 26 May and 2 June.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from activities.models import Metric
from coaching.jobs import suggest_recognition_task
from coaching.models import Award, CoachingSettings, Kudos, RecognitionSuggestion
from coaching.recognition.services import suggest_recognition
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.models import Kpi, KpiKind, KpiPeriod
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.factories import ActivityFactory, UserFactory
from tests.reporting.commissions.test_selectors import won

TODAY = date(2025, 6, 11)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CompanySettings.load().tzinfo)


def calls(rep, day, n):
    ActivityFactory(rep=rep, metric=Metric.objects.get(key="calls"), day=day, quantity=Decimal(n))


def goal(rep, by, start, end, target, period=GoalPeriod.MONTH):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=Metric.objects.get(key="calls"),
        period=period,
        start=start,
        end=end,
        target=Decimal(target),
        created_by=by,
    )


@pytest.fixture
def wins(cast):
    """Rita beat her May calls goal (120 of 100); Tom missed his (50 of 100). Rita won
    May's biggest Alpha deal (5,000; Tom's was 2,000); Otto Beta's only one (1,000).
    Rita's weekly calls KPI (10 a week) was green the last 3 weeks, not the week before."""
    rep, mate, manager = cast["rep"], cast["teammate"], cast["manager"]
    beaten = goal(rep, manager, date(2025, 5, 1), date(2025, 5, 31), 100)
    goal(mate, manager, date(2025, 5, 1), date(2025, 5, 31), 100)
    calls(rep, date(2025, 5, 2), 60)
    calls(mate, date(2025, 5, 2), 50)
    for monday in (date(2025, 5, 19), date(2025, 5, 26), date(2025, 6, 2)):
        calls(rep, monday, 20)  # May: 60 + 40 = 100 ... and June's 20
    calls(rep, date(2025, 5, 14), 2)  # the week of 12 May: 2 calls, red
    calls(rep, date(2025, 5, 28), 18)  # May reaches 120
    biggest = won(rep, "5000.00", date(2025, 5, 20), title="Harbour")
    won(mate, "2000.00", date(2025, 5, 21))
    beta = won(cast["other_team_rep"], "1000.00", date(2025, 5, 22), title="Beta deal")
    won(rep, "9000.00", date(2025, 6, 3), title="June deal")  # this month: not last month's
    Kpi.objects.update(active=False)
    kpi = Kpi.objects.create(
        key="calls-week",
        name="Calls per week",
        kind=KpiKind.METRIC_TOTAL,
        metric=Metric.objects.get(key="calls"),
        period=KpiPeriod.WEEK,
        target=Decimal(10),
        amber_threshold=Decimal(8),
        red_threshold=Decimal(5),
    )
    settings = CoachingSettings.load()
    settings.recognition_streak_weeks = 3
    settings.save()
    return {"goal": beaten, "deal": biggest, "beta": beta, "kpi": kpi}


def made() -> set[tuple[str, str, str]]:
    return {
        (s.manager.username, s.rep.username, s.key)
        for s in RecognitionSuggestion.objects.select_related("manager", "rep")
    }


def test_the_job_nudges_each_manager_about_each_win_once(wins, cast):
    now = at(TODAY, 12)
    assert suggest_recognition(now=now) == 4
    assert made() == {
        ("manager", "rep", f"goal:{wins['goal'].pk}:2025-05-01"),
        ("manager", "rep", f"deal-month:{cast['rep'].team_id}:2025-05"),
        ("other_manager", "other_rep", f"deal-month:{cast['other_team_rep'].team_id}:2025-05"),
        ("manager", "rep", f"kpi:{wins['kpi'].pk}:{cast['rep'].pk}:2025-05-19"),
    }
    nudges = Notification.objects.filter(kind=NotificationKind.RECOGNITION_NUDGE)
    assert sorted(n.user.username for n in nudges) == ["manager"] * 3 + ["other_manager"]
    texts = {
        s.reason: s.text for s in RecognitionSuggestion.objects.filter(manager=cast["manager"])
    }
    assert "120.00 of 100.00" in texts["goal_beaten"]
    assert "Harbour" in texts["biggest_deal"] and "5,000.00" in texts["biggest_deal"]
    assert "3 weeks" in texts["kpi_streak"]
    # Never recognition itself.
    assert not Kudos.objects.exists() and not Award.objects.exists()

    assert suggest_recognition(now=at(TODAY, 13)) == 0  # the day's later runs
    cache.clear()  # and with the day's shortcut gone, still nobody is told twice
    assert suggest_recognition(now=at(TODAY, 14)) == 0
    assert nudges.count() == 4


def test_a_bigger_deal_entered_late_for_the_month_is_not_a_second_nudge(wins, cast):
    """The biggest-deal nudge is one per team and month: when a bigger May deal is entered
    later (Tom's 8,000, so the top deal changes hands too), the manager is not nudged
    about Alpha's May again."""
    suggest_recognition(now=at(TODAY, 12))
    won(cast["teammate"], "8000.00", date(2025, 5, 25), title="Late big one")
    cache.clear()
    assert suggest_recognition(now=at(TODAY + timedelta(days=1), 12)) == 0
    deal_nudges = RecognitionSuggestion.objects.filter(
        reason="biggest_deal", manager=cast["manager"]
    )
    assert deal_nudges.count() == 1


def test_nothing_before_the_alert_hour(wins):
    company = CompanySettings.load()
    assert suggest_recognition(now=at(TODAY, company.alert_hour - 1)) == 0
    assert not RecognitionSuggestion.objects.exists()


def test_a_dismissed_win_is_not_suggested_again(wins, cast):
    suggest_recognition(now=at(TODAY, 12))
    RecognitionSuggestion.objects.update(dismissed_at=at(TODAY, 12))
    cache.clear()
    assert suggest_recognition(now=at(TODAY, 14)) == 0


def test_a_longer_streak_is_not_suggested_again_every_week(wins, cast):
    """The next Wednesday the streak is four weeks long: already suggested, nothing new."""
    suggest_recognition(now=at(TODAY, 12))
    calls(cast["rep"], date(2025, 6, 9), 20)
    assert suggest_recognition(now=at(date(2025, 6, 18), 12)) == 0


def test_a_rep_without_a_manager_is_nobodys_nudge(wins, cast):
    cast["rep"].team.manager = None
    cast["rep"].team.save(update_fields=["manager"])
    suggest_recognition(now=at(TODAY, 12))
    assert {rep for _, rep, _ in made()} == {"other_rep"}


def test_task_and_command_run_the_job_once(wins):
    assert suggest_recognition_task.delay("2025-06-11T12:00").get() == 4
    assert suggest_recognition_task.delay("2025-06-11T12:00").get() == 0
    out = StringIO()
    call_command("suggest_recognition", "--now", "2025-06-11T15:00", stdout=out)
    assert out.getvalue().strip() == "0 recognition suggestion(s) made."


def test_command_with_now_makes_the_suggestions(wins):
    out = StringIO()
    call_command("suggest_recognition", "--now", "2025-06-11T12:00", stdout=out)
    assert out.getvalue().strip() == "4 recognition suggestion(s) made."


def test_the_job_reads_a_fixed_number_of_queries(wins, cast, django_assert_max_num_queries):
    """However many reps, teams and goals: the same queries on a run that finds nothing new."""
    suggest_recognition(now=at(TODAY, 12))
    cache.clear()  # the full evaluation, not the day's shortcut
    with django_assert_max_num_queries(80) as before:
        suggest_recognition(now=at(TODAY, 13))
    cache.clear()
    for n in range(5):
        rep = UserFactory(username=f"extra{n}", team=cast["rep"].team)
        goal(rep, cast["manager"], date(2025, 5, 1), date(2025, 5, 31), 100)
        calls(rep, date(2025, 5, 5), 10)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert suggest_recognition(now=at(TODAY, 14)) == 0
