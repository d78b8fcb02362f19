"""Monthly review figures, services and the monthly job, on a hand-built March 2025.

One file because every test stands on the same Berlin `company` and the March 2025
below, built with the same helpers (`march`, `log`, `task`); splitting it would copy
that month.

Company timezone Europe/Berlin (UTC+1 in March). Company weeks start on Monday, so
the plan weeks of March are those of the 3rd, 10th, 17th, 24th and 31st. Rita (rep):

Plans: 3 Mar submitted Sun 2 Mar 18:00 and approved (on time); 10 Mar submitted
Mon 10 Mar 23:30 (on time, still submitted); 17 Mar first submitted Tue 18 Mar
00:30 Berlin (= Mon 23:30 UTC: late in company time), then returned; 24 Mar a draft;
31 Mar no plan. Planned: calls 50+50+50, appointments set 4+4, sales value 5,000.

Logged: calls 100 (Sat 1 Mar, before the first plan week), 40 (4 Mar), 50 (12 Mar),
30 (2 Apr, in the week of 31 Mar); contacts 7 (6 Mar, at prospect Beta Cafe);
appointments set 10 (5 Mar); proposals 3 (14 Mar); sales value 3,000 (20 Mar) and
1,200 (25 Mar).

Goals (Rita's): calls March 200; sales value March 10,000; proposals March 2 (stretch
3); appointments set Q1 12; contacts year 2025 100 (64 of 261 working days by 31 Mar,
so 24.52 expected).

Deals (all Rita's, new-business pipeline, transitions at noon Berlin):
  D1 3,000  lead 10 Feb -> proposal 20 Feb -> won 20 Mar
  D2 1,200  lead 2 Mar -> contacted 10 Mar -> won 25 Mar
  D3   800  lead 5 Mar -> lost 15 Mar (price)
  D4   500  lead 10 Jan -> contacted 20 Jan -> lost 28 Mar (competitor)
  D5 2,000  lead 1 Feb -> contacted 3 Feb, open; next step 14 Mar
  D6   700  lead 12 Mar -> appointment set 26 Mar -> contacted 27 Mar, open; next step 3 Apr
  D7   400  lead 15 Feb -> won 5 Apr (open at March's end); next step 31 Mar
  D8 (teammate) 5,000 won 20 Mar — not Rita's

Tasks (due, Berlin): 5 Mar 10:00 done 09:00; 10 Mar 10:00 done 11 Mar; 20 Mar 10:00
open; 1 Apr 00:30 open (April in company time); 28 Feb open.

Customers (prospects unless said): Alpha Foods (1 Feb, untouched), Beta Cafe (1 Feb,
contacts logged 6 Mar), Gamma Hotel (1 Feb, D6's customer), Delta Bar (active),
Epsilon (3 Apr, after the month).
"""

import re
import threading
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Customer, LostReason, Metric, Task
from plans.models import Goal, GoalPeriod, GoalScope, PlanEvent, PlanStatus, PlanTarget
from reporting.jobs import build_monthly_review_piece_task, generate_monthly_reviews_task
from reporting.models import MonthlyReview, ReviewActionItem, ReviewMiss, ReviewStatus
from reporting.reviews import selectors as reviews_selectors
from reporting.reviews import services as reviews
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Notification, NotificationKind, User
from tests.factories import ActivityFactory, UserFactory, WeeklyPlanFactory
from tests.factories.deals import CustomerFactory, DealFactory, walk

MARCH = date(2025, 3, 1)
BERLIN = "Europe/Berlin"


def berlin(month, day, hour=12, minute=0, year=2025):
    return datetime(year, month, day, hour, minute, tzinfo=CompanySettings.load().tzinfo)


@pytest.fixture
def company(db):
    settings = CompanySettings.load()
    settings.timezone = BERLIN
    settings.save()
    cache.clear()
    return CompanySettings.load()


def metric(key):
    return Metric.objects.get(key=key)


def plan(rep, week, status, *, submitted=None, targets=()):
    p = WeeklyPlanFactory(rep=rep, week_start=week, status=status, submitted_at=submitted)
    if submitted:
        event = PlanEvent.objects.create(plan=p, kind=PlanEvent.Kind.SUBMITTED, by=rep)
        PlanEvent.objects.filter(pk=event.pk).update(at=submitted)
    for key, planned in targets:
        PlanTarget.objects.create(plan=p, metric=metric(key), planned=Decimal(planned))
    return p


def log(rep, day, key, quantity, **fields):
    return ActivityFactory(
        rep=rep, day=day, metric=metric(key), quantity=Decimal(quantity), **fields
    )


def goal(rep, key, period, start, end, target, by, stretch=None):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric(key),
        period=period,
        start=start,
        end=end,
        target=Decimal(target),
        stretch_target=Decimal(stretch) if stretch else None,
        created_by=by,
    )


def customer(rep, name, created, status="prospect"):
    c = CustomerFactory(owner=rep, name=name, status=status)
    Customer.objects.filter(pk=c.pk).update(created_at=created)
    return c


def task(rep, due, done=None):
    return Task.objects.create(
        title=f"Task due {due:%d %b %H:%M}", assignee=rep, created_by=rep, due_at=due, done_at=done
    )


@pytest.fixture
def march(company, rep, teammate, manager):
    plan(
        rep,
        date(2025, 3, 3),
        PlanStatus.APPROVED,
        submitted=berlin(3, 2, 18),
        targets=[("calls", 50), ("appointments-set", 4), ("sales-value", 5000)],
    )
    plan(
        rep,
        date(2025, 3, 10),
        PlanStatus.SUBMITTED,
        submitted=berlin(3, 10, 23, 30),
        targets=[("calls", 50), ("appointments-set", 4)],
    )
    plan(
        rep,
        date(2025, 3, 17),
        PlanStatus.RETURNED,
        submitted=berlin(3, 18, 0, 30),
        targets=[("calls", 50)],
    )
    plan(rep, date(2025, 3, 24), PlanStatus.DRAFT, targets=[("calls", 999)])
    plan(
        rep,
        date(2025, 2, 24),
        PlanStatus.APPROVED,
        submitted=berlin(2, 23),
        targets=[("calls", 77)],
    )

    people = {
        "alpha": customer(rep, "Alpha Foods", berlin(2, 1)),
        "beta": customer(rep, "Beta Cafe", berlin(2, 1)),
        "gamma": customer(rep, "Gamma Hotel", berlin(2, 1)),
        "delta": customer(rep, "Delta Bar", berlin(2, 1), status="active"),
        "epsilon": customer(rep, "Epsilon", berlin(4, 3)),
    }
    log(rep, date(2025, 3, 1), "calls", 100)
    log(rep, date(2025, 3, 4), "calls", 40)
    log(rep, date(2025, 3, 12), "calls", 50)
    log(rep, date(2025, 4, 2), "calls", 30)
    log(rep, date(2025, 3, 6), "contacts", 7, customer=people["beta"])
    log(rep, date(2025, 3, 5), "appointments-set", 10)
    log(rep, date(2025, 3, 14), "proposals", 3)
    log(rep, date(2025, 3, 20), "sales-value", 3000, source="deal")
    log(rep, date(2025, 3, 25), "sales-value", 1200, source="deal")
    log(teammate, date(2025, 3, 20), "calls", 500)

    goals = {
        "calls": goal(rep, "calls", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 200, manager),
        "value": goal(
            rep, "sales-value", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 10000, manager
        ),
        "proposals": goal(
            rep, "proposals", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 2, manager, stretch=3
        ),
        "appointments": goal(
            rep,
            "appointments-set",
            GoalPeriod.QUARTER,
            date(2025, 1, 1),
            date(2025, 3, 31),
            12,
            manager,
        ),
        "contacts": goal(
            rep, "contacts", GoalPeriod.YEAR, date(2025, 1, 1), date(2025, 12, 31), 100, manager
        ),
    }
    goal(rep, "calls", GoalPeriod.MONTH, date(2025, 2, 1), date(2025, 2, 28), 10, manager)
    goal(teammate, "calls", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 10, manager)

    price, competitor = (
        LostReason.objects.get(key="price"),
        LostReason.objects.get(key="competitor"),
    )

    def deal(title, owner, amount, steps, lost_reason=None, **fields):
        return walk(
            DealFactory(owner=owner, title=title, amount=Decimal(amount), **fields),
            steps,
            by=owner,
            lost_reason=lost_reason,
        )

    deals = {
        "D1": deal(
            "D1",
            rep,
            3000,
            [("lead", berlin(2, 10)), ("proposal", berlin(2, 20)), ("won", berlin(3, 20))],
        ),
        "D2": deal(
            "D2",
            rep,
            1200,
            [("lead", berlin(3, 2)), ("contacted", berlin(3, 10)), ("won", berlin(3, 25))],
        ),
        "D3": deal("D3", rep, 800, [("lead", berlin(3, 5)), ("lost", berlin(3, 15))], price),
        "D4": deal(
            "D4",
            rep,
            500,
            [("lead", berlin(1, 10)), ("contacted", berlin(1, 20)), ("lost", berlin(3, 28))],
            competitor,
        ),
        "D5": deal(
            "D5",
            rep,
            2000,
            [("lead", berlin(2, 1)), ("contacted", berlin(2, 3))],
            next_step_date=date(2025, 3, 14),
        ),
        "D6": deal(
            "D6",
            rep,
            700,
            [
                ("lead", berlin(3, 12)),
                ("appointment-set", berlin(3, 26)),
                ("contacted", berlin(3, 27)),
            ],
            customer=people["gamma"],
            next_step_date=date(2025, 4, 3),
        ),
        "D7": deal(
            "D7",
            rep,
            400,
            [("lead", berlin(2, 15)), ("won", berlin(4, 5))],
            next_step_date=date(2025, 3, 31),
        ),
        "D8": deal("D8", teammate, 5000, [("lead", berlin(3, 1)), ("won", berlin(3, 20))]),
    }
    # Deal customers made by the factory exist "now", after March: not March's leads.
    tasks = [
        task(rep, berlin(3, 5, 10), done=berlin(3, 5, 9)),
        task(rep, berlin(3, 10, 10), done=berlin(3, 11, 9)),
        task(rep, berlin(3, 20, 10)),
        task(rep, berlin(4, 1, 0, 30)),
        task(rep, berlin(2, 28, 10)),
    ]
    return {"goals": goals, "deals": deals, "customers": people, "tasks": tasks}


def test_plans_weeks_submitted_approved_on_time_and_missing(march, rep):
    """On time = first submission before the end of the week's first day, company time."""
    figures = reviews_selectors.compute_figures(rep, MARCH)
    plans = figures["plans"]
    assert {k: plans[k] for k in ("weeks", "submitted", "approved", "on_time", "missing")} == {
        "weeks": 5,
        "submitted": 3,
        "approved": 1,
        "on_time": 2,
        "missing": 2,
    }
    assert [(w["week_start"], w["status"], w["on_time"]) for w in plans["rows"]] == [
        ("2025-03-03", "approved", True),
        ("2025-03-10", "submitted", True),
        ("2025-03-17", "returned", False),
        ("2025-03-24", "draft", False),
        ("2025-03-31", None, False),
    ]


def test_plan_vs_actual_per_metric(march, rep):
    """Planned over the month's submitted plans vs logged in those weeks (3 Mar - 6 Apr)."""
    rows = reviews_selectors.compute_figures(rep, MARCH)["metrics"]
    assert [(r["key"], r["planned"], r["actual"], r["attainment"]) for r in rows] == [
        ("calls", "150.00", "120.00", "80.0"),
        ("contacts", None, "7.00", None),
        ("appointments-set", "8.00", "10.00", "125.0"),
        ("proposals", None, "3.00", None),
        ("sales-value", "5000.00", "4200.00", "84.0"),
    ]


def test_goal_attainment_as_of_month_end_month_goals_first(march, rep):
    goals = reviews_selectors.compute_figures(rep, MARCH)["goals"]
    assert [
        (g["metric_key"], g["period"], g["actual"], g["attainment"], g["pace"], g["final"])
        for g in goals
    ] == [
        ("calls", "month", "190.00", "95.0", "95.0", True),
        ("sales-value", "month", "4200.00", "42.0", "42.0", True),
        ("proposals", "month", "3.00", "150.0", "150.0", True),
        ("appointments-set", "quarter", "10.00", "83.3", "83.3", True),
        ("contacts", "year", "7.00", "7.0", "28.5", False),
    ]
    contacts = goals[-1]
    assert contacts["expected"] == "24.52"  # 100 x 64 / 261 working days
    assert contacts["status"] == "red"
    assert goals[2]["reaches_stretch"] is True


def test_pipeline_movement(march, rep):
    pipeline = reviews_selectors.compute_figures(rep, MARCH)["pipeline"]
    assert pipeline == {
        "new": 3,  # D2, D3, D6
        "new_value": "2700.00",
        "advanced": 3,  # D1 (to won), D2, D6 (a step back after a step on still counts once)
        "won": 2,
        "won_value": "4200.00",
        "lost": 2,
        "lost_value": "1300.00",
        "lost_by_reason": [
            {"reason": "Price", "count": 1, "value": "800.00"},
            {"reason": "Competitor", "count": 1, "value": "500.00"},
        ],
    }


def test_missed_opportunities(march, rep):
    missed = reviews_selectors.compute_figures(rep, MARCH)["missed"]
    deals = march["deals"]
    assert missed["stalled"]["count"] == 2
    assert [(d["id"], d["days"]) for d in missed["stalled"]["items"]] == [
        (deals["D5"].pk, 56),  # last change 3 Feb noon, month ends 1 Apr 00:00
        (deals["D7"].pk, 44),
    ]
    assert missed["overdue_next_steps"]["count"] == 2
    assert [d["id"] for d in missed["overdue_next_steps"]["items"]] == [
        deals["D5"].pk,
        deals["D7"].pk,
    ]
    assert missed["overdue_tasks"]["count"] == 2
    assert [t["done"] for t in missed["overdue_tasks"]["items"]] == [True, False]
    assert missed["leads_not_worked"] == {
        "count": 1,
        "items": [{"id": march["customers"]["alpha"].pk, "name": "Alpha Foods"}],
    }


def test_tasks_on_time(march, rep):
    """Due in March in company time: the task due 1 Apr 00:30 Berlin is April's."""
    assert reviews_selectors.compute_figures(rep, MARCH)["tasks"] == {
        "due": 3,
        "on_time": 1,
        "late": 1,
        "open": 1,
        "on_time_rate": "33.3",
    }


def test_biggest_gaps_and_wins(march, rep):
    figures = reviews_selectors.compute_figures(rep, MARCH)
    goals, deals = march["goals"], march["deals"]
    assert [(g["key"], g["expected"], g["actual"], g["short"]) for g in figures["gaps"]] == [
        (f"goal:{goals['contacts'].pk}", "24.52", "7.00", "71.5"),
        (f"goal:{goals['value'].pk}", "10000.00", "4200.00", "58.0"),
        ("metric:calls", "150.00", "120.00", "20.0"),
    ]
    assert [w["key"] for w in figures["wins"]] == [
        f"goal:{goals['proposals'].pk}",
        f"deal:{deals['D1'].pk}",
        "metric:appointments-set",
    ]
    assert figures["wins"][0]["detail"] == "150.0% of target — stretch reached"
    assert figures["summary"] == {
        "goal_attainment": "95.0",
        "goal_metric": "Calls",
        "plans_submitted": 3,
        "weeks": 5,
        "won": 2,
        "won_value": "4200.00",
        "task_on_time_rate": "33.3",
        "gaps": 3,
    }


def test_build_creates_misses_from_gaps(march, rep):
    review = reviews.build_monthly_review(rep=rep, month=MARCH)
    assert review.status == ReviewStatus.DRAFT
    assert list(review.misses.values_list("key", "position", "stale")) == [
        (f"goal:{march['goals']['contacts'].pk}", 0, False),
        (f"goal:{march['goals']['value'].pk}", 1, False),
        ("metric:calls", 2, False),
    ]


def test_review_query_count_does_not_grow_with_history(company, rep, manager):
    """One month of data or a year of it: the same number of queries per review."""

    def count():
        with CaptureQueriesContext(connection) as ctx:
            reviews.build_monthly_review(rep=rep, month=MARCH)
        return len(ctx.captured_queries)

    log(rep, date(2025, 3, 4), "calls", 10)
    goal(rep, "calls", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 5, manager)
    goal(rep, "leads", GoalPeriod.MONTH, MARCH, date(2025, 3, 31), 5, manager)  # a gap
    plan(rep, date(2025, 3, 3), "approved", submitted=berlin(3, 2), targets=[("calls", 5)])
    reviews.build_monthly_review(rep=rep, month=MARCH)  # created; later builds update
    small = count()
    for month in range(1, 13):
        for key in ("calls", "contacts", "sales-value"):
            log(rep, date(2024, month, 5), key, 10)
        d = DealFactory(owner=rep, amount=Decimal("100"))
        walk(
            d,
            [("lead", berlin(month, 2, year=2024)), ("won", berlin(month, 9, year=2024))],
            by=rep,
        )
        task(rep, berlin(month, 3, year=2024))
        first = date(2024, month, 1)
        goal(rep, "calls", GoalPeriod.MONTH, first, date(2024, month, 28), 5, manager)
        plan(rep, first, "approved", submitted=berlin(month, 1, year=2024), targets=[("calls", 5)])
    for week in (10, 17, 24, 31):
        plan(
            rep,
            date(2025, 3, week),
            "approved",
            submitted=berlin(3, week - 1),
            targets=[("calls", 5), ("contacts", 3)],
        )
    reviews.build_monthly_review(rep=rep, month=MARCH)  # new gaps become misses once
    assert count() == small


# --- Regeneration ---------------------------------------------------------------------------


def test_regeneration_refreshes_figures_and_keeps_peoples_text(march, rep, manager):
    review = reviews.build_monthly_review(rep=rep, month=MARCH)
    reviews.annotate_review(
        review=review,
        by=manager,
        version=review.version,
        manager_notes="Solid month on appointments.",
        coaching_remarks="Plan calls you can make.",
    )
    calls_miss = review.misses.get(key="metric:calls")
    reviews.set_miss_cause(miss=calls_miss, by=manager, root_cause="effort", note="Overplanned")
    action = reviews.add_action_item(
        review=review, by=manager, text="Book a call block every morning", due=date(2999, 1, 4)
    )
    review.refresh_from_db()
    reviews.share_review(review=review, by=manager, version=review.version)

    # A late correction: 500 calls of 20 March were logged after the month closed.
    log(rep, date(2025, 3, 20), "calls", 500)
    review = reviews.regenerate_review(review=review, by=manager)

    review.refresh_from_db()
    assert review.figures["metrics"][0]["actual"] == "620.00"
    assert review.manager_notes == "Solid month on appointments."
    assert review.coaching_remarks == "Plan calls you can make."
    assert review.status == ReviewStatus.SHARED
    assert list(review.actions.all()) == [action]
    calls_miss.refresh_from_db()
    # calls: 620 of 150 planned, no longer a miss: kept (with its cause) but stale.
    assert (calls_miss.stale, calls_miss.root_cause, calls_miss.note) == (
        True,
        "effort",
        "Overplanned",
    )
    assert MonthlyReview.objects.filter(rep=rep, month=MARCH).count() == 1
    assert list(review.misses.filter(stale=False).values_list("key", flat=True)) == [
        f"goal:{march['goals']['contacts'].pk}",
        f"goal:{march['goals']['value'].pk}",
        f"goal:{march['goals']['appointments'].pk}",
    ]


# --- Services -------------------------------------------------------------------------------


@pytest.fixture
def review(company, rep):
    return reviews.build_monthly_review(rep=rep, month=MARCH)


def test_annotate_needs_the_current_version(review, manager):
    reviews.annotate_review(review=review, by=manager, version=1, manager_notes="First")
    with pytest.raises(ConflictError):
        reviews.annotate_review(review=review, by=manager, version=1, manager_notes="Second")
    review.refresh_from_db()
    assert (review.manager_notes, review.version) == ("First", 2)


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager", "south_manager"])
def test_only_managers_in_scope_annotate(review, cast, who):
    with pytest.raises(PermissionDenied):
        reviews.annotate_review(review=review, by=cast[who], version=1, manager_notes="x")


@pytest.mark.parametrize("who", ["manager", "director", "admin"])
def test_managers_directors_and_admins_in_scope_annotate(review, cast, who):
    reviews.annotate_review(review=review, by=cast[who], version=1, coaching_remarks="Keep on")
    review.refresh_from_db()
    assert review.coaching_remarks == "Keep on"


def test_action_item_becomes_the_reps_task(review, rep, manager, company):
    action = reviews.add_action_item(
        review=review, by=manager, text="Shadow Tom on two demos", due=date(2999, 5, 7)
    )
    task = action.task
    assert (task.assignee, task.created_by, task.title) == (rep, manager, "Shadow Tom on two demos")
    assert task.due_at == datetime(2999, 5, 7, 17, tzinfo=company.tzinfo)
    assert Notification.objects.filter(user=rep, kind=NotificationKind.TASK_ASSIGNED).exists()
    reviews.remove_action_item(action=action, by=manager)
    assert not ReviewActionItem.objects.exists()
    assert not Task.objects.filter(pk=task.pk).exists()


def test_action_item_needs_text_and_a_due_date_from_today(review, manager):
    with pytest.raises(RuleViolation) as exc:
        reviews.add_action_item(review=review, by=manager, text=" ", due=date(2000, 1, 1))
    assert set(exc.value.message_dict) == {"text", "due"}


def test_done_task_survives_removing_its_action_item(review, manager):
    action = reviews.add_action_item(review=review, by=manager, text="Do it", due=date(2999, 1, 1))
    Task.objects.filter(pk=action.task_id).update(done_at=datetime(2999, 1, 1, tzinfo=UTC))
    reviews.remove_action_item(action=action, by=manager)
    assert Task.objects.filter(pk=action.task_id).exists()


def test_miss_cause_must_be_a_listed_one(review, manager):
    miss = ReviewMiss.objects.create(review=review, key="metric:x", label="x", expected=1, actual=0)
    with pytest.raises(RuleViolation):
        reviews.set_miss_cause(miss=miss, by=manager, root_cause="weather")
    reviews.set_miss_cause(miss=miss, by=manager, root_cause="pricing", note=" Too dear ")
    miss.refresh_from_db()
    assert (miss.root_cause, miss.note) == ("pricing", "Too dear")


def test_share_acknowledge_and_comment_cycle(
    review, rep, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.share_review(review=review, by=manager, version=1)
    assert (review.status, review.shared_by) == (ReviewStatus.SHARED, manager)
    told = Notification.objects.get(user=rep, kind=NotificationKind.REVIEW_SHARED)
    assert told.url == f"/reviews/{review.pk}/"
    with pytest.raises(RuleViolation):
        reviews.share_review(review=review, by=manager, version=review.version)

    with pytest.raises(PermissionDenied):
        reviews.acknowledge_review(review=review, by=manager, version=review.version)
    with pytest.raises(ConflictError):
        reviews.acknowledge_review(review=review, by=rep, version=1)
    with django_capture_on_commit_callbacks(execute=True):
        review = reviews.acknowledge_review(
            review=review, by=rep, version=review.version, comment="Fair. I'll plan lower."
        )
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert review.acknowledged_at is not None
    told.refresh_from_db()
    assert told.read_at is not None  # the bell no longer asks the rep to acknowledge it
    ack = Notification.objects.get(user=manager, kind=NotificationKind.REVIEW_ACKNOWLEDGED)
    assert ack.body == "Fair. I'll plan lower."

    review = reviews.comment_on_review(
        review=review, by=rep, version=review.version, comment="And book more demos."
    )
    assert review.rep_comment == "And book more demos."
    # Acknowledged is closed to the manager's writes.
    with pytest.raises(RuleViolation):
        reviews.annotate_review(
            review=review, by=manager, version=review.version, manager_notes="x"
        )


def test_rep_cannot_acknowledge_a_draft_or_comment_before_acknowledging(review, rep):
    with pytest.raises(RuleViolation):
        reviews.acknowledge_review(review=review, by=rep, version=1)
    with pytest.raises(RuleViolation):
        reviews.comment_on_review(review=review, by=rep, version=1, comment="x")


# --- The monthly job ------------------------------------------------------------------------


@pytest.fixture
def month_of_reps(company, cast, team):
    """Every rep of the cast joined before March; one departed rep logged in March."""

    User.objects.update(date_joined=datetime(2025, 1, 1, tzinfo=UTC))
    gone = UserFactory(username="gone", team=team, is_active=False)
    log(gone, date(2025, 3, 3), "calls", 5)
    UserFactory(username="newcomer", team=team)  # joined "now": after March
    return gone


def test_job_reviews_the_previous_month_once(month_of_reps, cast, manager):
    now = datetime(2025, 4, 1, 0, 30, tzinfo=CompanySettings.load().tzinfo)  # 31 Mar 22:30 UTC
    assert reviews.generate_monthly_reviews(now=now).built == 5  # 4 cast reps + the departed one
    assert set(MonthlyReview.objects.values_list("month", flat=True)) == {MARCH}
    assert reviews.generate_monthly_reviews(now=now) == reviews.ReviewRun(built=0, existing=5)
    assert MonthlyReview.objects.count() == 5
    ready = Notification.objects.filter(kind=NotificationKind.REVIEW_READY)
    assert sorted(ready.values_list("user__username", flat=True)) == [
        "manager",
        "other_manager",
        "south_manager",
    ]
    alpha = ready.get(user=manager)
    assert alpha.key == f"reviews-ready:{cast['rep'].team_id}:2025-03"
    assert alpha.url == f"/reviews/?team={cast['rep'].team_id}&month=2025-03"


def test_regenerate_refreshes_every_review_and_keeps_text(month_of_reps, cast, manager):
    reviews.generate_monthly_reviews(month=MARCH)
    review = MonthlyReview.objects.get(rep=cast["rep"])
    reviews.annotate_review(review=review, by=manager, version=1, manager_notes="Keep me")
    log(cast["rep"], date(2025, 3, 20), "calls", 9)
    assert reviews.generate_monthly_reviews(month=MARCH, regenerate=True).built == 5
    review.refresh_from_db()
    assert review.manager_notes == "Keep me"
    assert review.figures["metrics"][0]["actual"] == "9.00"
    assert Notification.objects.filter(kind=NotificationKind.REVIEW_READY).count() == 3


def test_command_takes_now_month_and_regenerate(month_of_reps, capsys):
    call_command("generate_monthly_reviews", "--now", "2025-04-01T08:00")
    assert capsys.readouterr().out == (
        "5 monthly review(s) built for March 2025; "
        "0 already there, 0 left to another run building them.\n"
    )
    call_command("generate_monthly_reviews", "--month", "2025-03", "--regenerate")
    assert "5 monthly review(s) built" in capsys.readouterr().out
    assert MonthlyReview.objects.count() == 5


def test_job_query_count_is_per_review_not_per_history(company, cast, team):
    """Once March is done, an hourly run costs a few queries, however many reps."""

    User.objects.update(date_joined=datetime(2025, 1, 1, tzinfo=UTC))
    assert reviews.generate_monthly_reviews(month=MARCH).built == 4
    with CaptureQueriesContext(connection) as few:
        reviews.generate_monthly_reviews(month=MARCH)
    for n in range(10):
        UserFactory(team=team, username=f"extra{n}")
    User.objects.update(date_joined=datetime(2025, 1, 1, tzinfo=UTC))
    reviews.generate_monthly_reviews(month=MARCH)
    with CaptureQueriesContext(connection) as many:
        reviews.generate_monthly_reviews(month=MARCH)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The job in pieces: killed half-way, redelivered, or beside another run -----------


def test_a_run_killed_half_way_is_finished_by_the_next_without_rebuilding(month_of_reps):
    """Each piece commits on its own: a run that dies in its second piece keeps the first
    piece's reviews, and the rerun builds the other reps only."""
    real_build, built = reviews.build_monthly_reviews, []

    def dies_in_the_second_piece(*, reps, month, now=None):
        if built:
            raise SystemExit("worker killed")
        built.extend(rep.pk for rep in reps)
        return real_build(reps=reps, month=month, now=now)

    with (
        mock.patch.object(reviews, "PIECE_SIZE", 2),
        mock.patch.object(reviews, "build_monthly_reviews", dies_in_the_second_piece),
        pytest.raises(SystemExit),
    ):
        reviews.generate_monthly_reviews(month=MARCH)
    assert len(built) == 2
    assert set(MonthlyReview.objects.values_list("rep_id", flat=True)) == set(built)

    with mock.patch.object(reviews, "build_monthly_reviews", wraps=real_build) as build:
        assert reviews.generate_monthly_reviews(month=MARCH) == reviews.ReviewRun(
            built=3, existing=2
        )
    rebuilt = {rep.pk for c in build.call_args_list for rep in c.kwargs["reps"]}
    assert len(rebuilt) == 3 and not rebuilt & set(built)
    assert MonthlyReview.objects.count() == 5


def test_a_piece_computes_all_its_reps_in_a_fixed_number_of_queries(month_of_reps, cast):
    """The figures of a piece come from grouped queries: 5 reps cost what 1 rep costs."""
    reps = list(reps_to_review_ids())
    with CaptureQueriesContext(connection) as one:
        reviews.build_monthly_review_piece(rep_ids=reps[:1], month=MARCH)
    MonthlyReview.objects.all().delete()
    with CaptureQueriesContext(connection) as five:
        reviews.build_monthly_review_piece(rep_ids=reps, month=MARCH)
    assert len(reps) == 5

    def building(queries):  # telling the teams whose reviews are all there aside
        return [q for q in queries if not re.search("notification|SAVEPOINT", q["sql"])]

    # Equal but for a bulk write (misses) skipped when it has nothing to write.
    assert abs(len(building(five.captured_queries)) - len(building(one.captured_queries))) <= 1
    assert MonthlyReview.objects.count() == 5


def reps_to_review_ids():
    return reviews.reps_to_review(MARCH).order_by("pk").values_list("pk", flat=True)


def test_a_redelivered_piece_builds_nothing_twice(month_of_reps, cast):

    ids = [cast["rep"].pk, cast["teammate"].pk, month_of_reps.pk]
    args = (ids, MARCH.isoformat())
    assert build_monthly_review_piece_task.apply(args).get() == {
        "built": 3,
        "existing": 0,
        "held": 0,
    }
    assert build_monthly_review_piece_task.apply(args).get() == {
        "built": 0,
        "existing": 3,
        "held": 0,
    }
    assert MonthlyReview.objects.count() == 3


def test_the_beat_job_queues_pieces_of_at_most_piece_size_reps(month_of_reps, cast, manager):
    """Beat's task queues the pieces (run in-process here) and says how many reps; each
    rep is in one piece."""

    now = "2025-04-01T08:00"
    with (
        mock.patch.object(reviews, "PIECE_SIZE", 2),
        mock.patch.object(
            build_monthly_review_piece_task, "delay", wraps=build_monthly_review_piece_task.delay
        ) as delay,
    ):
        assert generate_monthly_reviews_task.apply(kwargs={"now": now}).get() == 5
    pieces = [c.args[0] for c in delay.call_args_list]
    assert [len(p) for p in pieces] == [2, 2, 1]
    assert sorted(pk for p in pieces for pk in p) == sorted(reps_to_review_ids())
    assert MonthlyReview.objects.count() == 5
    assert generate_monthly_reviews_task.apply(kwargs={"now": now}).get() == 0
    assert (
        Notification.objects.filter(kind=NotificationKind.REVIEW_READY, user=manager).count() == 1
    )


def test_a_team_is_told_once_all_its_reviews_exist(month_of_reps, cast, manager):
    reviews.build_monthly_review_piece(rep_ids=[cast["rep"].pk], month=MARCH)
    ready = Notification.objects.filter(kind=NotificationKind.REVIEW_READY, user=manager)
    assert not ready.exists()  # teammate and the departed rep still to do
    reviews.build_monthly_review_piece(rep_ids=[cast["teammate"].pk, month_of_reps.pk], month=MARCH)
    assert ready.count() == 1


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="two runs at once need PostgreSQL (advisory locks); SQLite runs one writer at a time",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_build_each_review_once_and_count_honestly(month_of_reps):

    real_build, builds = reviews.build_monthly_reviews, []

    def slow_build(*, reps, month, now=None):
        builds.extend(rep.pk for rep in reps)
        time.sleep(0.1)  # long enough for the other run to reach the same reps
        return real_build(reps=reps, month=month, now=now)

    barrier, runs, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            runs.append(reviews.generate_monthly_reviews(month=MARCH))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    with (
        mock.patch.object(reviews, "PIECE_SIZE", 1),
        mock.patch.object(reviews, "build_monthly_reviews", slow_build),
    ):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    first, second = runs
    assert first.built + second.built == 5
    assert sorted(builds) == sorted(set(builds)) and len(builds) == 5
    for r in runs:
        assert r.built + r.existing + r.held == 5  # every rep accounted for, once
    assert first.held + second.held > 0  # they did overlap
    assert MonthlyReview.objects.filter(month=MARCH).count() == 5
    assert Notification.objects.filter(kind=NotificationKind.REVIEW_READY).count() == 3
