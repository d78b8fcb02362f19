"""Calendar feed fixtures: a feed per person, the feed read as a calendar app reads it
(no session), and a small world of dated things that belong to different people."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from activities.models import Task
from coaching.models import (
    CoachingSession,
    ImprovementCheckpoint,
    ImprovementPlan,
    SessionKind,
    SessionStatus,
    TrainingAssignment,
    TrainingModule,
)
from plans.models import PlanStatus, WeeklyPlan
from reporting.models import MonthlyReview, ReviewStatus
from salesmgmt.calendar_feeds.services import create_calendar_feed
from salesmgmt.models import CompanySettings
from tests.factories.deals import DealFactory
from tests.factories.tasks import TaskCustomerFactory


@pytest.fixture
def feed_of():
    """feed_of(user) -> the person's active feed (created on first use)."""
    return lambda user: create_calendar_feed(user=user)


@pytest.fixture
def read_feed(client):
    """read_feed(feed_or_token) -> (response, Calendar or None), fetched without a session."""

    def fetch(feed):
        client.logout()
        token = feed if isinstance(feed, str) else feed.token
        response = client.get(f"/calendar/{token}.ics")
        calendar = Calendar.from_ical(response.content) if response.status_code == 200 else None
        return response, calendar

    return fetch


def events(calendar) -> dict:
    """{uid: VEVENT} of a parsed feed."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uids(calendar) -> set[str]:
    return set(events(calendar))


@pytest.fixture
def world(cast):
    """One dated thing of each kind, each belonging to someone in particular."""
    rep, teammate, manager = cast["rep"], cast["teammate"], cast["manager"]
    now = timezone.now()
    company = CompanySettings.load()
    customer = TaskCustomerFactory(name="Harbour Supplies", owner=rep)
    rep_task = Task.objects.create(
        title="Visit the warehouse",
        assignee=rep,
        created_by=rep,
        customer=customer,
        due_at=now + timedelta(days=3),
    )
    done_task = Task.objects.create(
        title="Done already", assignee=rep, created_by=rep, due_at=now + timedelta(days=2)
    )
    done_task.done_at = now
    done_task.save(update_fields=["done_at"])
    far_task = Task.objects.create(
        title="Beyond the window", assignee=rep, created_by=rep, due_at=now + timedelta(days=400)
    )
    teammate_task = Task.objects.create(
        title="Teammate's call", assignee=teammate, created_by=teammate, due_at=now + timedelta(1)
    )
    deal = DealFactory(owner=rep, next_step="Send the quote", next_step_date=company.today())
    # The rep's plan for next week is submitted: its deadline leaves the feed, and the
    # manager has it to review.
    next_week = company.week_of(company.today()) + timedelta(days=7)
    plan = WeeklyPlan.objects.create(
        rep=rep, week_start=next_week, status=PlanStatus.SUBMITTED, submitted_at=now
    )
    last_month = (company.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    shared = MonthlyReview.objects.create(
        rep=rep,
        month=last_month,
        status=ReviewStatus.SHARED,
        generated_at=now - timedelta(days=2),
        shared_at=now - timedelta(days=1),
    )
    draft = MonthlyReview.objects.create(
        rep=teammate, month=last_month, status=ReviewStatus.DRAFT, generated_at=now
    )
    session = CoachingSession.objects.create(
        rep=rep,
        coach=manager,
        kind=SessionKind.ONE_TO_ONE,
        starts_at=now + timedelta(days=5),
        duration_minutes=45,
        location="Café Aroma",
        private_notes="PRIVATE: never in a feed",
        shared_notes="Bring the pipeline.",
    )
    cancelled = CoachingSession.objects.create(
        rep=rep,
        coach=manager,
        kind=SessionKind.CALL_REVIEW,
        status=SessionStatus.CANCELLED,
        starts_at=now + timedelta(days=6),
    )
    module = TrainingModule.objects.create(title="Objection handling", duration_minutes=90)
    training = TrainingAssignment.objects.create(
        module=module, rep=rep, due=company.today() + timedelta(days=10)
    )
    improvement = ImprovementPlan.objects.create(
        rep=teammate,
        manager=manager,
        goals_text="40 calls a month",
        starts_on=company.today(),
        ends_on=company.today() + timedelta(days=30),
    )
    checkpoint = ImprovementCheckpoint.objects.create(
        plan=improvement, due=company.today() + timedelta(days=14), what="Ride-along"
    )
    return {
        "rep_task": rep_task,
        "done_task": done_task,
        "far_task": far_task,
        "teammate_task": teammate_task,
        "deal": deal,
        "plan": plan,
        "next_week": next_week,
        "this_week": company.week_of(company.today()),
        "shared_review": shared,
        "draft_review": draft,
        "session": session,
        "cancelled_session": cancelled,
        "training": training,
        "improvement": improvement,
        "checkpoint": checkpoint,
    }
