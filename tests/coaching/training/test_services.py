"""Training services: assigning to reps and teams (skipping who holds it open), the
one-open-assignment constraint, completion with recurrence, confirmation, reopening,
versions, and the catalogue's rules."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from coaching.models import AssignmentSource, TrainingAssignment
from coaching.training import services
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.coaching.training.conftest import days, make_assignment, today
from tests.factories import UserFactory


def test_add_months_keeps_the_day_or_the_months_last():
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert services.add_months(date(2026, 2, 10), -3) == date(2025, 11, 10)


def test_team_assignment_gives_each_rep_one_and_skips_open_holders(catalogue, cast, team):
    """The whole team is assigned (source: team); a rep holding it open is skipped and
    reported, and keeps their own due day; each new assignee is told once."""
    module = catalogue["competition"]
    held = make_assignment(module, cast["rep"], due=days(3))
    inactive = UserFactory(team=team, is_active=False)

    done = services.assign_module(module=module, by=cast["manager"], due=days(20), team=team)

    assert [a.rep for a in done.created] == [cast["teammate"]]
    assert done.skipped == [cast["rep"]]
    assert done.created[0].source == AssignmentSource.TEAM
    assert done.created[0].assigned_by == cast["manager"]
    held.refresh_from_db()
    assert held.due == days(3)
    assert not TrainingAssignment.objects.filter(rep=inactive).exists()
    told = Notification.objects.filter(kind=NotificationKind.TRAINING)
    assert list(told.values_list("user__username", flat=True)) == ["teammate"]


def test_assigning_twice_makes_nothing_new(catalogue, cast, team):
    module = catalogue["competition"]
    services.assign_module(module=module, by=cast["manager"], due=days(20), team=team)
    again = services.assign_module(module=module, by=cast["manager"], due=days(25), team=team)

    assert again.created == []
    assert {r.username for r in again.skipped} == {"rep", "teammate"}
    assert TrainingAssignment.objects.count() == 2


@pytest.mark.parametrize("who", ["other_manager", "south_manager", "rep"])
def test_only_a_manager_of_the_team_or_rep_assigns(catalogue, cast, team, who):
    module = catalogue["competition"]
    with pytest.raises(PermissionDenied):
        services.assign_module(module=module, by=cast[who], due=days(5), team=team)
    with pytest.raises(PermissionDenied):
        services.assign_module(module=module, by=cast[who], due=days(5), reps=[cast["rep"]])
    assert not TrainingAssignment.objects.exists()


def test_director_assigns_in_their_division_only(catalogue, cast, team, south_team):
    module = catalogue["competition"]
    done = services.assign_module(
        module=module, by=cast["director"], due=days(5), reps=[cast["other_team_rep"]]
    )
    assert done.created[0].source == AssignmentSource.MANUAL
    with pytest.raises(PermissionDenied):
        services.assign_module(module=module, by=cast["director"], due=days(5), team=south_team)


def test_assigning_refuses_a_past_due_day_and_a_retired_module(catalogue, cast):
    with pytest.raises(RuleViolation) as past:
        services.assign_module(
            module=catalogue["competition"], by=cast["manager"], due=days(-1), reps=[cast["rep"]]
        )
    catalogue["competition"].active = False
    catalogue["competition"].save()
    with pytest.raises(RuleViolation) as retired:
        services.assign_module(
            module=catalogue["competition"], by=cast["manager"], due=days(1), reps=[cast["rep"]]
        )
    assert "due" in past.value.message_dict
    assert "module" in retired.value.message_dict


def test_one_open_assignment_per_module_and_rep_is_a_constraint(catalogue, cast):
    make_assignment(catalogue["product"], cast["rep"], due=days(5))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(catalogue["product"], cast["rep"], due=days(9))
    # Done ones do not count: a new round may open.
    make_assignment(catalogue["product"], cast["teammate"], due=days(-50), done=True)
    make_assignment(catalogue["product"], cast["teammate"], due=days(40))


def test_completing_a_recurring_module_opens_the_next_round(catalogue, cast):
    """Done today with a score: the next assignment is due three months from today
    (source: recurrence), and the team's manager is told to confirm."""
    first = make_assignment(catalogue["product"], cast["rep"], due=days(2))

    services.complete_assignment(
        assignment=first, by=cast["rep"], version=1, score=87, note="Quiz done"
    )

    first.refresh_from_db()
    assert (first.score, first.rep_note, first.version) == (87, "Quiz done", 2)
    assert first.completed_at is not None
    following = TrainingAssignment.objects.open().get(rep=cast["rep"])
    assert following.due == services.add_months(today(), 3)
    assert following.source == AssignmentSource.RECURRENCE
    assert Notification.objects.filter(
        user=cast["manager"], key__startswith=f"training-completed:{first.pk}:"
    ).exists()


def test_a_one_off_module_opens_nothing_after_completion(catalogue, cast):
    once = make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    services.complete_assignment(assignment=once, by=cast["rep"], version=1)
    assert not TrainingAssignment.objects.open().exists()


@pytest.mark.parametrize("who", ["teammate", "manager", "admin"])
def test_only_the_rep_completes(catalogue, cast, who):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    with pytest.raises(PermissionDenied):
        services.complete_assignment(assignment=assignment, by=cast[who], version=1)
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_completing_twice_or_with_a_bad_score_is_refused(catalogue, cast):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    with pytest.raises(RuleViolation):
        services.complete_assignment(assignment=assignment, by=cast["rep"], version=1, score=101)
    services.complete_assignment(assignment=assignment, by=cast["rep"], version=1)
    with pytest.raises(RuleViolation):
        services.complete_assignment(assignment=assignment, by=cast["rep"], version=2)


def test_a_stale_version_is_a_conflict(catalogue, cast):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    services.complete_assignment(assignment=assignment, by=cast["rep"], version=1)
    with pytest.raises(ConflictError):
        services.confirm_assignment(assignment=assignment, by=cast["manager"], version=1)


def test_manager_confirms_only_after_completion(catalogue, cast):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    with pytest.raises(RuleViolation):
        services.confirm_assignment(assignment=assignment, by=cast["manager"], version=1)
    services.complete_assignment(assignment=assignment, by=cast["rep"], version=1)

    services.confirm_assignment(assignment=assignment, by=cast["manager"], version=2)

    assignment.refresh_from_db()
    assert assignment.confirmed_by == cast["manager"]
    assert assignment.version == 3
    with pytest.raises(RuleViolation):
        services.confirm_assignment(assignment=assignment, by=cast["manager"], version=3)


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager", "south_manager"])
def test_only_a_manager_of_the_rep_confirms(catalogue, cast, who):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2), done=True)
    with pytest.raises(PermissionDenied):
        services.confirm_assignment(assignment=assignment, by=cast[who], version=1)


def test_reopening_withdraws_the_round_the_completion_opened(catalogue, cast):
    first = make_assignment(catalogue["product"], cast["rep"], due=days(2))
    services.complete_assignment(assignment=first, by=cast["rep"], version=1, score=40)

    services.reopen_assignment(assignment=first, by=cast["manager"], version=2)

    first.refresh_from_db()
    assert (first.completed_at, first.score, first.version) == (None, None, 3)
    assert list(TrainingAssignment.objects.open()) == [first]
    assert Notification.objects.filter(
        user=cast["rep"], key__startswith=f"training-reopened:{first.pk}:"
    ).exists()


def _done_weeks_ago(module, rep, weeks: int) -> TrainingAssignment:
    """An assignment the rep completed ``weeks`` ago, and the next round it opened then
    (open, due ``recurrence_months`` after that day)."""
    done = make_assignment(module, rep, due=days(-7 * weeks), done=True)
    done.completed_at = timezone.now() - timedelta(weeks=weeks)
    done.save(update_fields=["completed_at"])
    day = timezone.localtime(done.completed_at, CompanySettings.load().tzinfo).date()
    make_assignment(
        module,
        rep,
        due=services.add_months(day, module.recurrence_months),
        source=AssignmentSource.RECURRENCE,
    )
    return done


def test_reopening_withdraws_exactly_the_round_opened_weeks_ago(catalogue, cast):
    first = _done_weeks_ago(catalogue["product"], cast["rep"], weeks=5)

    services.reopen_assignment(assignment=first, by=cast["manager"], version=1)

    assert list(TrainingAssignment.objects.open()) == [first]


def test_reopening_after_the_next_round_was_done_is_refused_and_deletes_nothing(catalogue, cast):
    """Rep completes A (B opens), then B early (C opens); reopening A would delete C, the
    round B opened: it is refused, and A, B and C stand as they were."""
    first = _done_weeks_ago(catalogue["product"], cast["rep"], weeks=5)
    second = TrainingAssignment.objects.open().get()
    services.complete_assignment(assignment=second, by=cast["rep"], version=1)
    third = TrainingAssignment.objects.open().get()
    assert third.pk != second.pk

    with pytest.raises(RuleViolation, match="completed the next round"):
        services.reopen_assignment(assignment=first, by=cast["manager"], version=1)

    assert list(TrainingAssignment.objects.open()) == [third]
    first.refresh_from_db()
    assert first.completed_at is not None and first.version == 1


def test_a_confirmed_training_is_not_reopened(catalogue, cast):
    done = make_assignment(
        catalogue["competition"], cast["rep"], due=days(2), confirmed_by=cast["manager"]
    )
    with pytest.raises(RuleViolation):
        services.reopen_assignment(assignment=done, by=cast["manager"], version=1)


def test_reopening_refuses_to_make_two_open_ones(catalogue, cast):
    done = make_assignment(catalogue["competition"], cast["rep"], due=days(-20), done=True)
    make_assignment(catalogue["competition"], cast["rep"], due=days(9))
    with pytest.raises(RuleViolation):
        services.reopen_assignment(assignment=done, by=cast["manager"], version=1)


def test_catalogue_is_written_by_managers_with_a_unique_title_and_material(cast, catalogue):
    with pytest.raises(PermissionDenied):
        services.save_module(by=cast["rep"], title="Closing", material_text="x")
    with pytest.raises(RuleViolation) as taken:
        services.save_module(by=cast["manager"], title="product KNOWLEDGE", material_text="x")
    with pytest.raises(RuleViolation) as empty:
        services.save_module(by=cast["manager"], title="Closing")

    module = services.save_module(
        by=cast["director"], title="Closing", material_url="https://example.com/closing"
    )

    assert "title" in taken.value.message_dict
    assert "material_text" in empty.value.message_dict
    assert module.pk and module.active
