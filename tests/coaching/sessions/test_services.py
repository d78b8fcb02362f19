"""The rules of coaching sessions: who books them, at most one prompt, versions, action
items as their owner's tasks, and the rep being told (without the private notes)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from activities.models import Task
from coaching.models import SessionStatus
from coaching.sessions import services
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Notification
from tests.coaching.sessions.conftest import PRIVATE
from tests.factories.deals import DealFactory

pytestmark = pytest.mark.django_db


def _episode(rep):
    today = CompanySettings.load().today()
    return DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="hit-rate"),
        rep=rep,
        period_start=today.replace(day=1),
        severity="red",
        opened_on=today,
        actual=Decimal("12"),
        expected=Decimal("30"),
    )


def test_manager_books_session_and_rep_is_told_without_private_notes(book, cast):
    """The coach is the writer; the rep gets one notification that never holds the
    private notes."""
    session = book(cast["rep"], cast["manager"])
    assert session.coach == cast["manager"]
    assert list(session.focus_areas.values_list("key", flat=True)) == ["closing"]
    note = Notification.objects.get(user=cast["rep"], key=f"session-booked:{session.pk}")
    assert "Maria Manager" in note.title
    assert PRIVATE not in note.title + note.body


@pytest.mark.parametrize("writer", ["rep", "teammate", "other_manager", "south_manager"])
def test_only_a_manager_of_the_rep_books(book, cast, writer):
    with pytest.raises(PermissionDenied):
        book(cast["rep"], cast[writer])


def test_director_and_admin_book_for_reps_they_see(book, cast):
    assert book(cast["rep"], cast["director"]).coach == cast["director"]
    assert book(cast["south_rep"], cast["admin"]).coach == cast["admin"]


def test_a_manager_is_not_coached_as_a_rep(book, cast):
    with pytest.raises(PermissionDenied):
        book(cast["manager"], cast["admin"])


def test_one_prompt_at_most_and_it_must_be_the_reps(book, cast):
    episode = _episode(cast["rep"])
    deal = DealFactory(owner=cast["rep"])
    with pytest.raises(RuleViolation) as err:
        book(cast["rep"], cast["manager"], prompt_episode=episode, prompt_deal=deal)
    assert "prompt_deal" in err.value.message_dict
    with pytest.raises(RuleViolation) as err:
        book(cast["teammate"], cast["manager"], prompt_episode=episode)
    assert "prompt_episode" in err.value.message_dict
    other_deal = DealFactory(owner=cast["teammate"])
    with pytest.raises(RuleViolation):
        book(cast["rep"], cast["manager"], prompt_deal=other_deal)
    session = book(cast["rep"], cast["manager"], prompt_episode=episode)
    assert session.prompt_episode == episode


def test_stale_version_is_a_conflict_and_nothing_is_saved(book, cast):
    session = book(cast["rep"], cast["manager"])
    services.update_session(session=session, by=cast["manager"], version=1, shared_notes="v2")
    with pytest.raises(ConflictError):
        services.update_session(session=session, by=cast["director"], version=1, shared_notes="x")
    session.refresh_from_db()
    assert (session.version, session.shared_notes) == (2, "v2")


def test_cancel_and_hold_only_from_planned(book, cast):
    session = book(cast["rep"], cast["manager"], days=-1)
    services.hold_session(session=session, by=cast["manager"], version=1)
    assert session.status == SessionStatus.HELD
    with pytest.raises(RuleViolation):
        services.cancel_session(session=session, by=cast["manager"], version=2)
    other = book(cast["rep"], cast["manager"])
    services.cancel_session(session=other, by=cast["manager"], version=1)
    assert other.status == SessionStatus.CANCELLED
    assert Notification.objects.filter(
        user=cast["rep"], key=f"session-cancelled:{other.pk}"
    ).exists()
    with pytest.raises(RuleViolation):
        services.update_session(session=other, by=cast["manager"], version=2, location="x")


def test_action_item_becomes_the_owners_task_due_end_of_their_day(book, cast):
    """The rep's item is the rep's task (17:00 in the rep's timezone); the coach's own
    item is the coach's task; done = task done, by the owner only."""
    rep, manager = cast["rep"], cast["manager"]
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])
    session = book(rep, manager)
    due = CompanySettings.load().today() + timedelta(days=3)
    item = services.add_action_item(
        session=session, by=manager, text="Ask for the order", owner=rep, due=due
    )
    task = item.task
    assert (task.assignee, task.title) == (rep, "Ask for the order")
    local = timezone.localtime(task.due_at, rep.tzinfo)
    assert (local.date(), local.hour) == (due, 17)

    mine = services.add_action_item(
        session=session, by=manager, text="Send the deck", owner=manager, due=due
    )
    assert mine.task.assignee == manager

    with pytest.raises(PermissionDenied):
        services.complete_action_item(item=item, by=manager)
    services.complete_action_item(item=item, by=rep)
    services.complete_action_item(item=mine, by=manager)
    assert (
        Task.objects.filter(pk__in=[item.task_id, mine.task_id], done_at__isnull=False).count() == 2
    )


def test_action_item_rules(book, cast):
    session = book(cast["rep"], cast["manager"])
    yesterday = CompanySettings.load().today() - timedelta(days=1)
    with pytest.raises(RuleViolation) as err:
        services.add_action_item(
            session=session, by=cast["manager"], text=" ", owner=cast["teammate"], due=yesterday
        )
    assert set(err.value.message_dict) == {"text", "owner", "due"}
    with pytest.raises(PermissionDenied):
        services.add_action_item(
            session=session, by=cast["rep"], text="x", owner=cast["rep"], due=yesterday
        )


def test_a_session_in_the_future_is_not_held_yet(book, cast):
    """Neither recorded as held nor marked held before it starts; it is once it started."""
    with pytest.raises(RuleViolation) as refused:
        book(cast["rep"], cast["manager"], days=1, status=SessionStatus.HELD)
    assert refused.value.message_dict == {"held": ["A session in the future is not held yet."]}
    session = book(cast["rep"], cast["manager"], days=1)
    with pytest.raises(RuleViolation, match="not held yet"):
        services.hold_session(session=session, by=cast["manager"], version=1)
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    started = book(cast["rep"], cast["manager"], starts_at=timezone.now() - timedelta(minutes=5))
    services.hold_session(session=started, by=cast["manager"], version=1)
    assert started.status == SessionStatus.HELD


def test_cancelling_drops_open_action_items_and_their_tasks(book, cast):
    """The rep is not left with a task from a session that did not happen; an item done
    already (with its task) stays on the record."""
    rep, manager = cast["rep"], cast["manager"]
    session = book(rep, manager, starts_at=timezone.now() - timedelta(hours=1))
    due = CompanySettings.load().today() + timedelta(days=1)
    open_item = services.add_action_item(
        session=session, by=manager, text="Call Acme", owner=rep, due=due
    )
    coach_item = services.add_action_item(
        session=session, by=manager, text="Book a room", owner=manager, due=due
    )
    done = services.add_action_item(session=session, by=manager, text="Done", owner=rep, due=due)
    services.complete_action_item(item=done, by=rep)
    services.cancel_session(session=session, by=manager, version=session.version)
    assert list(session.action_items.values_list("pk", flat=True)) == [done.pk]
    assert not Task.objects.filter(pk__in=[open_item.task_id, coach_item.task_id]).exists()
    assert Task.objects.get(pk=done.task_id).done_at is not None


def test_dates_of_a_session_are_local_not_utc(book, cast):
    """A session at 19:00 in Los Angeles is 02:00 UTC the next day: its next session may
    be on the same (local) day, and an action item's task names the local date."""
    rep, manager = cast["rep"], cast["manager"]
    for person in (rep, manager):
        person.timezone = "America/Los_Angeles"
        person.save()
    starts_at = datetime(2030, 6, 11, 2, 0, tzinfo=UTC)  # Mon 10 Jun 19:00 in LA
    session = book(rep, manager, starts_at=starts_at, next_session_on=date(2030, 6, 10))
    with pytest.raises(RuleViolation) as refused:
        services.update_session(
            session=session, by=manager, version=1, next_session_on=date(2030, 6, 9)
        )
    assert "next_session_on" in refused.value.message_dict
    item = services.add_action_item(
        session=session,
        by=manager,
        text="Call Acme",
        owner=rep,
        due=CompanySettings.load().today() + timedelta(days=1),
    )
    assert "coaching session of 10 Jun 2030" in Task.objects.get(pk=item.task_id).notes
