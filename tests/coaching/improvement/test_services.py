"""The rules of improvement plans: who opens one and from what, the states a plan goes
through, versions, the history, and who is told."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from coaching.improvement import services
from coaching.models import (
    CoachingSession,
    ImprovementEventKind,
    PlanOutcome,
    SessionKind,
    TrainingModule,
)
from reporting.models import ReviewStatus, RootCause
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def kinds(plan):
    return [e.kind for e in plan.events.order_by("at", "pk")]


# --- Opening ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cause", [RootCause.SKILL, RootCause.EFFORT])
def test_manager_opens_a_plan_from_a_rep_caused_miss(cast, make_miss, open_plan, cause):
    """A miss caused by the rep's skill or effort opens a plan tied to its review; the
    rep is told; the history starts with 'opened'."""
    miss = make_miss(cast["rep"], cause=cause)
    plan = open_plan(cast["rep"], cast["manager"], miss=miss)

    assert (plan.rep, plan.manager, plan.miss, plan.review) == (
        cast["rep"],
        cast["manager"],
        miss,
        miss.review,
    )
    assert plan.outcome == PlanOutcome.OPEN and plan.version == 1
    assert [c.what for c in plan.checkpoints.all()] == ["Call review", "Month figures"]
    assert kinds(plan) == [ImprovementEventKind.OPENED]
    assert "Calls" in plan.events.get().text
    told = Notification.objects.get(user=cast["rep"])
    assert told.kind == NotificationKind.IMPROVEMENT_PLAN
    assert told.url == f"/improvement-plans/{plan.pk}/"


@pytest.mark.parametrize("cause", [RootCause.PRODUCT, RootCause.PRICING, RootCause.MARKET, ""])
def test_a_miss_not_caused_by_the_rep_opens_no_plan(cast, make_miss, open_plan, cause):
    """Product, pricing, market or no cause yet: the other causes come first."""
    miss = make_miss(cast["rep"], cause=cause)
    with pytest.raises(RuleViolation) as refused:
        open_plan(cast["rep"], cast["manager"], miss=miss)
    assert "skill or effort" in refused.value.message_dict["miss"][0]
    assert not Notification.objects.filter(user=cast["rep"]).exists()


def test_a_stale_miss_or_another_reps_miss_is_refused(cast, make_miss, open_plan):
    stale = make_miss(cast["rep"])
    stale.stale = True
    stale.save()
    with pytest.raises(RuleViolation, match="no longer a miss"):
        open_plan(cast["rep"], cast["manager"], miss=stale)
    with pytest.raises(RuleViolation, match="another rep"):
        open_plan(cast["teammate"], cast["manager"], miss=make_miss(cast["rep"], key="goal:1"))


def test_a_miss_of_a_rep_outside_scope_opens_nothing(cast, make_miss, open_plan):
    """Another division's rep (their review a draft, too): refused before anything."""
    miss = make_miss(cast["south_rep"], status=ReviewStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        open_plan(cast["south_rep"], cast["manager"], miss=miss)


def test_without_a_miss_the_reason_is_required_and_kept(cast, open_plan):
    with pytest.raises(RuleViolation) as refused:
        open_plan(cast["rep"], cast["manager"], reason="  ")
    assert "reason" in refused.value.message_dict

    plan = open_plan(cast["rep"], cast["manager"], reason="Two months of low calls.")
    assert plan.miss is None
    assert plan.events.get().text == "Opened without a review miss: Two months of low calls."


def test_one_open_plan_per_miss(cast, make_miss, open_plan):
    miss = make_miss(cast["rep"])
    open_plan(cast["rep"], cast["manager"], miss=miss)
    with pytest.raises(RuleViolation, match="already answers"):
        open_plan(cast["rep"], cast["manager"], miss=miss)


@pytest.mark.parametrize("who", ["rep", "teammate", "other_manager", "south_manager"])
def test_only_whoever_manages_the_rep_opens_a_plan(cast, open_plan, who):
    with pytest.raises(PermissionDenied):
        open_plan(cast["rep"], cast[who])


@pytest.mark.parametrize("who", ["manager", "director", "admin"])
def test_manager_director_and_admin_open_plans(cast, open_plan, who):
    assert open_plan(cast["rep"], cast[who]).manager == cast[who]


def test_dates_checkpoints_and_goals_are_checked(cast, open_plan, today):
    manager, rep = cast["manager"], cast["rep"]
    with pytest.raises(RuleViolation) as bad:
        open_plan(rep, manager, ends_on=today - timedelta(days=1))
    assert "ends_on" in bad.value.message_dict
    with pytest.raises(RuleViolation) as bad:
        open_plan(rep, manager, checkpoints=[])
    assert "checkpoints" in bad.value.message_dict
    outside = services.CheckpointIn(due=today + timedelta(days=90), what="Too late")
    with pytest.raises(RuleViolation) as bad:
        open_plan(rep, manager, checkpoints=[outside])
    assert "due" in bad.value.message_dict
    with pytest.raises(RuleViolation) as bad:
        open_plan(rep, manager, goals_text=" ")
    assert "goals_text" in bad.value.message_dict


def test_support_links_only_the_reps_sessions(cast, open_plan, today):
    """A teammate's coaching session cannot be promised to this rep; a module can."""
    from django.utils import timezone  # noqa: PLC0415

    mine = CoachingSession.objects.create(
        rep=cast["rep"],
        coach=cast["manager"],
        kind=SessionKind.RIDE_ALONG,
        starts_at=timezone.now(),
    )
    theirs = CoachingSession.objects.create(
        rep=cast["teammate"],
        coach=cast["manager"],
        kind=SessionKind.ONE_TO_ONE,
        starts_at=timezone.now(),
    )
    module = TrainingModule.objects.create(title="Discovery calls")
    with pytest.raises(RuleViolation) as bad:
        open_plan(cast["rep"], cast["manager"], sessions=[theirs])
    assert "sessions" in bad.value.message_dict
    plan = open_plan(cast["rep"], cast["manager"], sessions=[mine], modules=[module])
    assert list(plan.sessions.all()) == [mine] and list(plan.modules.all()) == [module]


# --- Editing and versions -----------------------------------------------------------------------


def test_edit_raises_the_version_records_history_and_tells_the_rep(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    plan = services.update_plan(
        plan=plan, by=cast["manager"], version=1, goals_text="Reach 45 calls"
    )
    assert plan.version == 2 and plan.goals_text == "Reach 45 calls"
    assert kinds(plan)[-1] == ImprovementEventKind.CHANGED
    assert plan.events.last().text == "Changed: goals."
    assert Notification.objects.filter(user=cast["rep"], key=f"improvement-changed:{plan.pk}:2")


def test_a_stale_version_is_a_conflict_and_changes_nothing(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    services.update_plan(plan=plan, by=cast["manager"], version=1, goals_text="First")
    with pytest.raises(ConflictError):
        services.update_plan(plan=plan, by=cast["director"], version=1, goals_text="Second")
    plan.refresh_from_db()
    assert plan.goals_text == "First" and plan.version == 2


def test_an_edit_that_changes_nothing_keeps_the_version(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    plan = services.update_plan(
        plan=plan, by=cast["manager"], version=1, goals_text=plan.goals_text
    )
    assert plan.version == 1 and kinds(plan) == [ImprovementEventKind.OPENED]


def test_edit_does_not_move_the_end_later_nor_strand_a_checkpoint(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    with pytest.raises(RuleViolation, match="extend"):
        services.update_plan(
            plan=plan, by=cast["manager"], version=1, ends_on=today + timedelta(days=90)
        )
    with pytest.raises(RuleViolation, match="outside"):
        services.update_plan(
            plan=plan, by=cast["manager"], version=1, ends_on=today + timedelta(days=20)
        )


def test_the_rep_does_not_edit_their_plan(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    with pytest.raises(PermissionDenied):
        services.update_plan(plan=plan, by=cast["rep"], version=1, goals_text="Easier")


# --- The rep's answers --------------------------------------------------------------------------


def test_rep_acknowledges_once_and_the_manager_is_told(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    plan = services.acknowledge_plan(
        plan=plan, by=cast["rep"], version=1, comment="Agreed; I'll book the ride-along."
    )
    assert plan.acknowledged_at is not None and plan.rep_comment.startswith("Agreed")
    told = Notification.objects.get(user=cast["manager"])
    assert told.key == f"improvement-acknowledged:{plan.pk}"
    # The rep's 'please acknowledge' notice reads as done.
    assert Notification.objects.get(user=cast["rep"]).read_at is not None
    with pytest.raises(RuleViolation, match="acknowledged"):
        services.acknowledge_plan(plan=plan, by=cast["rep"], version=plan.version)


def test_only_the_rep_acknowledges_and_comments(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    for who in ("manager", "teammate", "admin"):
        with pytest.raises(PermissionDenied):
            services.acknowledge_plan(plan=plan, by=cast[who], version=1)
        with pytest.raises(PermissionDenied):
            services.comment_on_plan(plan=plan, by=cast[who], version=1, comment="x")


def test_rep_comments_any_time_while_open_and_history_keeps_each(cast, open_plan):
    plan = open_plan(cast["rep"], cast["manager"])
    plan = services.comment_on_plan(plan=plan, by=cast["rep"], version=1, comment="First")
    plan = services.comment_on_plan(plan=plan, by=cast["rep"], version=2, comment="Second")
    assert plan.rep_comment == "Second"
    assert [e.text for e in plan.events.filter(kind=ImprovementEventKind.COMMENTED)] == [
        "First",
        "Second",
    ]
    with pytest.raises(RuleViolation):
        services.comment_on_plan(plan=plan, by=cast["rep"], version=3, comment="  ")


# --- Checkpoints, extending, closing ------------------------------------------------------------


def test_manager_adds_and_records_checkpoints(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    added = services.add_checkpoint(
        plan=plan, by=cast["manager"], version=1, due=today + timedelta(days=30), what="Ride-along"
    )
    first = plan.checkpoints.first()
    done = services.record_checkpoint(
        checkpoint=first, by=cast["manager"], version=2, result="Better openings", done=True
    )
    assert done.done_at is not None and done.result == "Better openings"
    assert plan.checkpoints.count() == 3 and added.what == "Ride-along"
    plan.refresh_from_db()
    assert plan.version == 3
    assert kinds(plan)[-1] == ImprovementEventKind.CHECKPOINT
    assert "Better openings" in plan.events.last().text
    undone = services.record_checkpoint(checkpoint=first, by=cast["manager"], version=3, done=False)
    assert undone.done_at is None
    with pytest.raises(PermissionDenied):
        services.record_checkpoint(checkpoint=first, by=cast["rep"], version=4, done=True)


def test_extend_keeps_the_plan_open_with_a_later_end(cast, open_plan, today):
    plan = open_plan(cast["rep"], cast["manager"])
    with pytest.raises(RuleViolation):
        services.extend_plan(plan=plan, by=cast["manager"], version=1, ends_on=plan.ends_on)
    later = plan.ends_on + timedelta(days=30)
    plan = services.extend_plan(
        plan=plan, by=cast["manager"], version=1, ends_on=later, note="Holidays"
    )
    assert plan.outcome == PlanOutcome.EXTENDED and plan.ends_on == later
    assert kinds(plan)[-1] == ImprovementEventKind.EXTENDED
    # Still open: checkpoints can be added up to the new end; the rep can still comment.
    services.add_checkpoint(plan=plan, by=cast["manager"], version=2, due=later, what="Final")
    services.comment_on_plan(plan=plan, by=cast["rep"], version=3, comment="Thanks")


@pytest.mark.parametrize("outcome", [PlanOutcome.MET, PlanOutcome.NOT_MET])
def test_close_needs_an_outcome_and_a_note_and_ends_every_change(cast, open_plan, outcome):
    plan = open_plan(cast["rep"], cast["manager"])
    with pytest.raises(RuleViolation) as bad:
        services.close_plan(plan=plan, by=cast["manager"], version=1, outcome=outcome, note="")
    assert "note" in bad.value.message_dict
    with pytest.raises(RuleViolation):
        services.close_plan(
            plan=plan, by=cast["manager"], version=1, outcome=PlanOutcome.EXTENDED, note="x"
        )
    plan = services.close_plan(
        plan=plan, by=cast["manager"], version=1, outcome=outcome, note="Calls at 42."
    )
    assert plan.outcome == outcome
    assert Notification.objects.filter(user=cast["rep"], key=f"improvement-closed:{plan.pk}")
    for write in (
        lambda: services.update_plan(plan=plan, by=cast["manager"], version=2, goals_text="x"),
        lambda: services.comment_on_plan(plan=plan, by=cast["rep"], version=2, comment="x"),
        lambda: services.acknowledge_plan(plan=plan, by=cast["rep"], version=2),
        lambda: services.extend_plan(
            plan=plan, by=cast["manager"], version=2, ends_on=plan.ends_on + timedelta(days=9)
        ),
        lambda: services.close_plan(
            plan=plan, by=cast["manager"], version=2, outcome=PlanOutcome.MET, note="x"
        ),
    ):
        with pytest.raises(RuleViolation, match="closed"):
            write()
    assert kinds(plan) == [ImprovementEventKind.OPENED, ImprovementEventKind.CLOSED]


def _move(rep, team):
    rep.team = team
    rep.save(update_fields=["team"])


def test_after_a_move_the_reps_new_manager_hears_the_comment_not_the_former(cast, open_plan):
    """The former manager no longer sees the plan, so is not told the rep's comment; the
    rep's current team manager is."""
    plan = open_plan(cast["rep"], cast["manager"])
    _move(cast["rep"], cast["other_team_rep"].team)

    services.comment_on_plan(plan=plan, by=cast["rep"], comment="private 4711", version=1)

    told = Notification.objects.filter(key__startswith=f"improvement-comment:{plan.pk}:")
    assert [n.user for n in told] == [cast["other_manager"]]


def test_whoever_opened_the_plan_is_told_while_still_managing_the_rep(cast, open_plan):
    """A director who opened the plan, the rep's team without a manager: the director
    (still over the rep's division) is told; moved to a team out of every reach of the
    opener and without a manager, nobody is."""
    plan = open_plan(cast["rep"], cast["director"])
    team = cast["rep"].team
    team.manager = None
    team.save(update_fields=["manager"])

    services.comment_on_plan(plan=plan, by=cast["rep"], comment="one", version=1)
    south = cast["south_rep"].team
    south.manager = None
    south.save(update_fields=["manager"])
    _move(cast["rep"], south)
    services.comment_on_plan(plan=plan, by=cast["rep"], comment="two", version=2)

    told = Notification.objects.filter(key__startswith=f"improvement-comment:{plan.pk}:")
    assert [(n.user, n.body) for n in told] == [(cast["director"], "one")]


def test_a_retired_module_stays_linked_but_is_not_newly_linked(cast, open_plan):
    """Saving a plan with the retired module it links already is fine; linking another
    retired module is refused."""
    kept = TrainingModule.objects.create(title="Kept", material_text="t")
    other = TrainingModule.objects.create(title="Other", material_text="t", active=False)
    plan = open_plan(cast["rep"], cast["manager"], modules=[kept])
    kept.active = False
    kept.save(update_fields=["active"])

    services.update_plan(
        plan=plan,
        by=cast["manager"],
        version=1,
        modules=[kept],
        ends_on=plan.ends_on - timedelta(days=1),
    )
    assert list(plan.modules.all()) == [kept]
    with pytest.raises(RuleViolation):
        services.update_plan(plan=plan, by=cast["manager"], version=2, modules=[kept, other])
