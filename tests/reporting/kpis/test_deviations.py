"""Deviation episodes on a hand-built November 2026 (Thanksgiving, the 26th, a holiday:
20 working days). Rita's monthly calls goal is 200, i.e. 10 a working day.

The job reads what the pages read: everything logged up to now against what was due by
the end of the day before (the day under way is not due yet). A run on Friday 6 Nov
expects 40 calls (4 of the 20 working days are over) and counts Friday's calls so far.
"""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Metric
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.kpis.selectors import evaluate_kpis, kpi_period
from reporting.kpis.services import send_deviation_alerts
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.models import CompanySettings, Holiday, Notification, NotificationKind, Role
from tests.factories import ActivityFactory, UserFactory

D = Decimal


def nov(day: int) -> date:
    return date(2026, 11, day)


def run(day: int, hour: int = 8, month: int = 11) -> int:
    moment = datetime(2026, month, day, hour, tzinfo=CompanySettings.load().tzinfo)
    return send_deviation_alerts(now=moment)


def calls() -> Metric:
    return Metric.objects.get(key="calls")


def log(rep, day: date, quantity) -> None:
    ActivityFactory(rep=rep, metric=calls(), day=day, quantity=D(quantity))


def goal(*, by, target=200, **owner) -> Goal:
    return Goal.objects.create(
        metric=calls(),
        period=GoalPeriod.MONTH,
        start=nov(1),
        end=nov(30),
        target=D(target),
        created_by=by,
        **owner,
    )


def told(key_prefix: str = "deviation:") -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(key__startswith=key_prefix).values_list("user__username", "key")
    )


@pytest.fixture
def november(db):
    Holiday.objects.create(day=nov(26), name="Thanksgiving")
    Kpi.objects.update(active=False)  # goals alone unless a test switches a KPI on


@pytest.fixture
def rita_goal(rep, manager, november):
    return goal(by=manager, scope=GoalScope.REP, rep=rep)


def test_an_episode_starts_once_worsens_once_and_a_fall_back_starts_another(
    rep, manager, teammate, rita_goal
):
    log(rep, nov(2), 34)

    assert run(4) == 0  # as of Tue 3 Nov only 2 of 20 working days (10%) are done
    assert not DeviationEpisode.objects.exists()

    assert run(6, hour=6) == 0  # before the alert hour (7)
    assert run(6) == 2  # 34 of 40 expected: 85% -> amber; the rep and her manager
    first = DeviationEpisode.objects.get()
    assert (first.severity, first.opened_on, first.closed_on) == ("amber", nov(6), None)
    assert (first.actual, first.expected, first.rep, first.goal) == (34, 40, rep, rita_goal)
    assert first.url == f"/goals/{rita_goal.pk}/"
    assert told() == [
        ("manager", f"deviation:{first.pk}:open"),
        ("rep", f"deviation:{first.pk}:open"),
    ]
    notice = Notification.objects.get(user=rep)
    assert notice.kind == NotificationKind.DEVIATION
    assert notice.title == "Behind: Calls goal (Rita Rep)"
    assert notice.body == (
        "Calls: 34 logged, 40 expected by the end of Thu 5 Nov (85.0% of pace; "
        "target 200 by Mon 30 Nov)."
    )
    assert notice.url == f"/goals/{rita_goal.pk}/"

    assert run(6, hour=15) == 0  # the same day again: nothing new

    assert run(7) == 2  # Sat: as of Fri, 34 of 50 = 68% -> red: told once more
    first.refresh_from_db()
    assert (first.severity, first.worsened_on, first.expected) == ("red", nov(7), 50)
    assert Notification.objects.get(user=rep, key=f"deviation:{first.pk}:red").title == (
        "Far behind: Calls goal (Rita Rep)"
    )
    assert run(8) == 0  # still red: no news

    log(rep, nov(9), 16)  # 50 of 60 on Monday: 83% -> amber again, kept open, no notice
    assert run(10) == 0
    first.refresh_from_db()
    assert (first.severity, first.closed_on, first.actual) == ("red", None, 50)

    log(rep, nov(10), 20)  # 70 of 70: recovered -> closed, no notice
    assert run(11) == 0
    first.refresh_from_db()
    assert first.closed_on == nov(11)

    assert run(13) == 2  # 70 of 90 by Thursday 12th: 77.8% -> amber: a NEW episode
    second = DeviationEpisode.objects.open().get()
    assert second.pk != first.pk and second.opened_on == nov(13)
    assert Notification.objects.count() == 6
    assert run(13, hour=20) == 0


def test_an_episode_that_starts_red_is_told_once(rep, manager, rita_goal):
    log(rep, nov(2), 10)  # 10 of 40: 25%
    assert run(6) == 2
    episode = DeviationEpisode.objects.get()
    assert (episode.severity, episode.worsened_on) == ("red", nov(6))
    assert Notification.objects.get(user=rep).title == "Far behind: Calls goal (Rita Rep)"
    assert run(9) == 0


def test_on_track_opens_nothing(rep, rita_goal):
    log(rep, nov(2), 40)
    assert run(6) == 0
    assert not DeviationEpisode.objects.exists()


def test_the_responsible_manager_of_each_goal_level_is_told(
    cast, team, north, november, manager, director, admin
):
    goal(by=manager, scope=GoalScope.TEAM, team=team)
    goal(by=admin, scope=GoalScope.DIVISION, division=north)
    goal(by=admin, scope=GoalScope.COMPANY)

    assert run(6) == 3  # nothing logged: all three are red

    by_goal = {
        e.goal.scope: e for e in DeviationEpisode.objects.select_related("goal", "team", "division")
    }
    assert (by_goal["team"].team, by_goal["division"].division) == (team, north)
    assert sorted(Notification.objects.values_list("user__username", "title")) == [
        ("admin", "Far behind: Calls goal (the company)"),
        ("director", "Far behind: Calls goal (division North)"),
        ("manager", "Far behind: Calls goal (team Alpha)"),
    ]


def test_a_kpi_behind_tells_the_rep_and_links_to_their_dashboard(rep, teammate, manager, november):
    kpi = Kpi.objects.get(key="calls-per-week")  # 120 a week, amber below 100, red below 80
    kpi.active = True
    kpi.save()
    for day in (16, 17, 18):
        log(rep, nov(day), 24)  # 72 by Wednesday: 72 of 72 expected (3/5 of 120)
        log(teammate, nov(day), 20)  # 60 of 72: amber line 60 -> green, exactly on it

    assert run(19) == 0  # as of Wed 18th, 3 of 5 days

    log(teammate, nov(19), 2)  # Thu: 62 of 96 expected; amber 80, red 64 -> red
    log(rep, nov(19), 6)  # 78 of 96: amber
    assert run(20) == 4

    episodes = {e.rep: e for e in DeviationEpisode.objects.select_related("rep", "kpi")}
    assert {r.username: e.severity for r, e in episodes.items()} == {
        "rep": "amber",
        "teammate": "red",
    }
    mine = episodes[rep]
    assert (mine.kpi, mine.period_start, mine.actual, mine.expected) == (kpi, nov(16), 78, 96)
    assert mine.url == f"/dashboard/reps/{rep.pk}/"
    body = Notification.objects.get(user=rep).body
    assert (
        body == "Calls per rep per week: 78 logged, 96 expected by the end of Thu 19 Nov (81.3%)."
    )
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "rep",
        "teammate",
        "manager",
    }


def test_a_ratio_kpi_is_told_against_its_target(rep, manager, november):
    kpi = Kpi.objects.get(key="hit-rate")  # 30%, amber below 25, red below 20
    kpi.active = True
    kpi.save()
    ActivityFactory(
        rep=rep, metric=Metric.objects.get(key="appointments-held"), day=nov(3), quantity=10
    )
    ActivityFactory(rep=rep, metric=Metric.objects.get(key="sales-closed"), day=nov(4), quantity=2)

    assert run(10) == 2
    assert Notification.objects.get(user=rep).body == (
        "Hit rate (sales / appointments held): 20.0% against a target of 30.0% "
        "(amber 25.0%, red 20.0%), as of Tue 10 Nov."
    )
    assert Notification.objects.get(user=rep).title.startswith("Behind: Hit rate")


def test_a_team_is_not_judged_on_metrics_outside_its_focus(rep, team, november):
    Kpi.objects.filter(key__in=["calls-per-week", "held-rate"]).update(active=True)
    held, appointments_set = (
        Metric.objects.get(key=key) for key in ("appointments-held", "appointments-set")
    )
    ActivityFactory(rep=rep, metric=appointments_set, day=nov(3), quantity=10)  # held: 0%
    team.focus_metrics.set([appointments_set, Metric.objects.get(key="meetings")])

    assert run(20) == 0  # Alpha focuses on neither calls nor appointments held

    team.focus_metrics.add(held)
    assert run(20) == 2  # now the held rate counts: 0 of 10, red


def test_episodes_of_an_ended_period_are_closed(rep, manager, rita_goal):
    old = DeviationEpisode.objects.create(
        goal=rita_goal,
        rep=rep,
        period_start=date(2026, 10, 1),
        severity="red",
        opened_on=date(2026, 10, 20),
        actual=1,
        expected=2,
    )
    log(rep, nov(2), 40)
    run(6)
    old.refresh_from_db()
    assert old.closed_on == nov(6)


def test_a_second_run_costs_the_same_queries_for_5_or_50_reps(team, manager, november):
    Kpi.objects.filter(key__in=["calls-per-week", "hit-rate", "task-on-time"]).update(active=True)

    def behind(n):
        for _ in range(n):
            person = UserFactory(team=team)
            goal(by=manager, scope=GoalScope.REP, rep=person)
            log(person, nov(16), 5)

    def second_run_queries():
        run(19)
        with CaptureQueriesContext(connection) as captured:
            assert run(19, hour=10) == 0
        return len(captured)

    behind(5)
    few = second_run_queries()
    behind(45)
    assert second_run_queries() == few
    assert DeviationEpisode.objects.open().count() == 100  # a goal and a KPI per rep


def test_command_runs_the_job_once(rep, manager, rita_goal):
    log(rep, nov(2), 34)
    out = StringIO()
    call_command("send_deviation_alerts", "--now", "2026-11-06T08:00", stdout=out)
    assert out.getvalue() == "2 deviation alert(s) sent.\n"
    out = StringIO()
    call_command("send_deviation_alerts", "--now", "2026-11-06T09:00", stdout=out)
    assert out.getvalue() == "0 deviation alert(s) sent.\n"


def test_a_rep_who_left_is_not_judged(rep, rita_goal):
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert run(6) == 0
    assert not DeviationEpisode.objects.exists()


def test_a_director_without_a_division_sees_no_ones_alerts(rep, rita_goal, director, admin):
    """Reading episodes: a director not yet given a division sees nothing of the others'."""

    log(rep, nov(2), 10)
    run(18)
    assert DeviationEpisode.objects.visible_to(director).exists()
    loose = UserFactory(username="new_director", role=Role.DIRECTOR, division=None)

    assert not DeviationEpisode.objects.visible_to(loose).exists()
    assert DeviationEpisode.objects.visible_to(admin).count() == 1


def test_a_director_without_a_division_sees_only_company_goals(rep, manager, admin, november):

    goal(by=manager, scope=GoalScope.REP, rep=rep)
    loner = UserFactory(username="teamless", team=None)
    goal(by=admin, scope=GoalScope.REP, rep=loner)
    company = goal(by=admin, scope=GoalScope.COMPANY)
    loose = UserFactory(username="new_director", role=Role.DIRECTOR, division=None)

    assert list(Goal.objects.visible_to(loose)) == [company]


def test_pages_say_too_early_exactly_while_the_alerts_stay_silent(rep, manager, rita_goal):
    """One rule (a fifth of the working days) for the goal's label and for its alert:
    the job run on the morning after each day reads that day as the page did."""
    log(rep, nov(2), 1)  # far behind from the first day
    seen = []
    for day in range(2, 10):
        (progress,) = goal_progress(Goal.objects.filter(pk=rita_goal.pk), as_of=nov(day))
        alerted = run(day + 1) > 0 or DeviationEpisode.objects.exists()
        seen.append((day, progress.status, alerted))
    # 20 working days: from the 4th done (Thursday the 5th) it is judged.
    assert seen == [
        (2, "early", False),
        (3, "early", False),
        (4, "early", False),
        (5, "red", True),
        (6, "red", True),
        (7, "red", True),
        (8, "red", True),
        (9, "red", True),
    ]


def test_the_alert_reads_the_figures_the_pages_read_at_the_same_moment(rep, manager, rita_goal):
    """One cut-off: at three in the afternoon of Fri 6 Nov the episode holds what the goal
    page and the KPI page show then: Friday's calls count, Friday is not due yet."""
    Kpi.objects.filter(key="calls-per-week").update(active=True)
    log(rep, nov(2), 30)
    log(rep, nov(6), 2)  # logged this morning

    run(6, hour=15)

    episodes = {e.kpi_id is None: e for e in DeviationEpisode.objects.all()}
    (page,) = goal_progress(Goal.objects.filter(pk=rita_goal.pk), as_of=nov(6), today=nov(6))
    assert (episodes[True].actual, episodes[True].expected) == (page.actual, page.expected)
    assert (page.actual, page.expected) == (D("32.00"), D("40.00"))
    kpi = Kpi.objects.get(key="calls-per-week")
    start, end = kpi_period(kpi, nov(6))
    (value,) = evaluate_kpis(
        [kpi], groups={"rita": [rep.pk]}, start=start, end=end, today=nov(6)
    ).values()
    assert (episodes[False].actual, episodes[False].expected) == (value.value, value.target)
    assert value.value == D("32.00")  # the week's calls, Friday's two of this morning too
    # Mon-Thu of the week are over: 4/5 of the weekly target is due.
    assert value.target == kpi.target * 4 / 5


def test_a_snoozed_alert_turns_red_silently_and_is_back_on_its_day(rep, manager, rita_goal):
    """A manager's snooze holds the "far behind" notice back; the judging is unchanged."""
    log(rep, nov(2), 34)
    assert run(6) == 2  # 34 of 40: amber, told
    episode = DeviationEpisode.objects.get()
    episode.snoozed_until = nov(9)  # as reporting.alerts.services.snooze stores it
    episode.save(update_fields=["snoozed_until"])

    assert run(7) == 0  # 34 of 50: red, but snoozed until Monday: nobody is told
    episode.refresh_from_db()
    assert (episode.severity, episode.worsened_on) == ("red", nov(7))
    assert told() == [
        ("manager", f"deviation:{episode.pk}:open"),
        ("rep", f"deviation:{episode.pk}:open"),
    ]
    assert not DeviationEpisode.objects.awake(nov(8)).exists()
    assert list(DeviationEpisode.objects.awake(nov(9))) == [episode]  # back on the day
    assert run(9) == 0  # no notice after the fact either: the alert is back in the list
