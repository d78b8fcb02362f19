"""Setting, changing and removing goals: who may, the rules, the history, who is told."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from activities.models import Metric
from plans.goals import services
from plans.models import Goal, GoalChange, GoalScope
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import Notification, NotificationKind
from tests.factories import UserFactory

DAY = date(2026, 11, 18)


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


def rep_goal(by, rep, calls, target="100", **kw):
    return services.set_goal(
        by=by,
        scope=GoalScope.REP,
        rep=rep,
        metric=calls,
        period="month",
        day=DAY,
        target=Decimal(target),
        **kw,
    )


def test_set_goal_covers_the_whole_period_and_records_who_set_it(rep, manager, calls):
    goal = rep_goal(manager, rep, calls, stretch_target=Decimal("120"), note="Harbour push")

    assert (goal.start, goal.end) == (date(2026, 11, 1), date(2026, 11, 30))
    (change,) = goal.changes.all()
    assert change.action == GoalChange.Action.CREATED
    assert change.by == manager
    assert (change.old_target, change.new_target) == (None, Decimal("100"))
    assert change.new_stretch == Decimal("120")
    assert change.reason == "Harbour push"
    assert change.goal_label == "Rita Rep: Calls November 2026 — 100"


def test_quarter_goal_follows_the_fiscal_year(rep, manager, calls):
    goal = services.set_goal(
        by=manager,
        scope=GoalScope.REP,
        rep=rep,
        metric=calls,
        period="quarter",
        day=DAY,
        target=Decimal("300"),
    )
    assert (goal.start, goal.end) == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("rep", False),
        ("teammate", False),
        ("manager", True),
        ("other_manager", False),
        ("south_manager", False),
        ("director", True),
        ("admin", True),
    ],
)
def test_who_may_set_a_reps_goal(cast, calls, who, allowed):
    if allowed:
        assert rep_goal(cast[who], cast["rep"], calls).rep == cast["rep"]
    else:
        with pytest.raises(PermissionDenied):
            rep_goal(cast[who], cast["rep"], calls)
        assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("who", "scopes"),
    [
        ("rep", set()),
        ("manager", {"team"}),
        ("other_manager", set()),
        ("director", {"team", "division"}),
        ("south_manager", set()),
        ("admin", {"team", "division", "company"}),
    ],
)
def test_who_may_set_team_division_and_company_goals(cast, team, north, calls, who, scopes):
    owners = {"team": {"team": team}, "division": {"division": north}, "company": {}}
    done = set()
    for scope, owner in owners.items():
        try:
            services.set_goal(
                by=cast[who],
                scope=scope,
                metric=calls,
                period="month",
                day=DAY,
                target=Decimal("10"),
                **owner,
            )
        except PermissionDenied:
            continue
        done.add(scope)
    assert done == scopes


def test_director_cannot_set_goals_in_another_division(director, south_rep, south_team, calls):
    with pytest.raises(PermissionDenied):
        rep_goal(director, south_rep, calls)
    with pytest.raises(PermissionDenied):
        services.set_goal(
            by=director,
            scope=GoalScope.TEAM,
            team=south_team,
            metric=calls,
            period="month",
            day=DAY,
            target=Decimal("10"),
        )


def test_duplicate_goal_is_refused_with_a_clear_message(rep, manager, calls):
    rep_goal(manager, rep, calls)
    with pytest.raises(RuleViolation) as exc:
        rep_goal(manager, rep, calls, target="50")
    assert exc.value.messages == [
        "Rita Rep already has a Calls goal for November 2026; change that goal instead."
    ]
    assert Goal.objects.count() == 1


def test_stretch_must_be_above_the_target(rep, manager, calls):
    with pytest.raises(RuleViolation) as exc:
        rep_goal(manager, rep, calls, stretch_target=Decimal("100"))
    assert exc.value.message_dict == {"stretch_target": ["A stretch target is above the target."]}


def test_owner_must_match_the_scope(manager, calls):
    with pytest.raises(RuleViolation) as exc:
        services.set_goal(
            by=manager, scope="team", metric=calls, period="month", day=DAY, target=Decimal("5")
        )
    assert exc.value.message_dict == {"team": ["Choose the team this goal is for."]}


def test_change_needs_a_reason_and_keeps_old_and_new(rep, manager, calls):
    goal = rep_goal(manager, rep, calls)
    with pytest.raises(RuleViolation) as exc:
        services.change_goal(
            goal=goal, by=manager, target=Decimal("80"), stretch_target=None, reason=" ", version=1
        )
    assert "reason" in exc.value.message_dict

    services.change_goal(
        goal=goal,
        by=manager,
        target=Decimal("80"),
        stretch_target=Decimal("95"),
        reason="Two weeks of leave",
        version=1,
    )

    goal.refresh_from_db()
    assert (goal.target, goal.stretch_target, goal.version) == (Decimal("80"), Decimal("95"), 2)
    change = goal.changes.first()
    assert change.action == GoalChange.Action.CHANGED
    assert (change.old_target, change.new_target) == (Decimal("100"), Decimal("80"))
    assert (change.old_stretch, change.new_stretch) == (None, Decimal("95"))
    assert change.reason == "Two weeks of leave"


def test_stale_version_is_a_conflict_and_changes_nothing(rep, manager, calls):
    goal = rep_goal(manager, rep, calls)
    services.change_goal(
        goal=goal, by=manager, target=Decimal("90"), stretch_target=None, reason="a", version=1
    )
    stale = Goal.objects.get(pk=goal.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.change_goal(
            goal=stale, by=manager, target=Decimal("70"), stretch_target=None, reason="b", version=1
        )
    goal.refresh_from_db()
    assert goal.target == Decimal("90")
    assert goal.changes.count() == 2


def test_rep_cannot_change_or_delete_their_own_goal(rep, manager, calls):
    goal = rep_goal(manager, rep, calls)
    with pytest.raises(PermissionDenied):
        services.change_goal(
            goal=goal, by=rep, target=Decimal("1"), stretch_target=None, reason="x", version=1
        )
    with pytest.raises(PermissionDenied):
        services.delete_goal(goal=goal, by=rep, reason="x")


def test_delete_keeps_the_history_with_the_goals_label(rep, manager, calls):
    goal = rep_goal(manager, rep, calls)
    with pytest.raises(RuleViolation):
        services.delete_goal(goal=goal, by=manager, reason="")

    services.delete_goal(goal=goal, by=manager, reason="Wrong metric")

    assert not Goal.objects.exists()
    assert list(GoalChange.objects.values_list("action", "goal", "goal_label", "reason")) == [
        ("deleted", None, "Rita Rep: Calls November 2026 — 100", "Wrong metric"),
        ("created", None, "Rita Rep: Calls November 2026 — 100", ""),
    ]


def test_rep_is_notified_of_set_change_and_removal(
    rep, teammate, manager, calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        goal = rep_goal(manager, rep, calls)
    pk = goal.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.change_goal(
            goal=goal,
            by=manager,
            target=Decimal("120"),
            stretch_target=None,
            reason="New territory",
            version=1,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_goal(goal=goal, by=manager, reason="Territory reassigned")

    notes = list(Notification.objects.filter(user=rep).order_by("pk"))
    assert [n.kind for n in notes] == [NotificationKind.GOAL_CHANGED] * 3
    assert [n.title for n in notes] == [
        "Your Calls goal for November 2026: 100",
        "Your Calls goal for November 2026 changed: 100 → 120",
        "Your Calls goal for November 2026 was removed",
    ]
    assert "Target 100 → 120" in notes[1].body
    assert "Why: New territory" in notes[1].body
    assert notes[1].url == f"/goals/{pk}/"
    assert notes[2].url == "/goals/"
    assert {n.key for n in notes} == {
        f"goal-change:{c}" for c in GoalChange.objects.values_list("pk", flat=True)
    }
    assert not Notification.objects.filter(user=teammate).exists()


def test_every_active_rep_of_the_team_hears_of_a_team_goal(
    rep, teammate, team, manager, calls, django_capture_on_commit_callbacks
):
    UserFactory(team=team, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_goal(
            by=manager,
            scope=GoalScope.TEAM,
            team=team,
            metric=calls,
            period="month",
            day=DAY,
            target=Decimal("400"),
        )
    told = set(Notification.objects.values_list("user__username", "title"))
    assert told == {
        ("rep", "Alpha's Calls goal for November 2026: 400"),
        ("teammate", "Alpha's Calls goal for November 2026: 400"),
    }


def test_team_grid_sets_new_goals_and_changes_existing_ones_with_a_reason(
    rep, teammate, team, manager, calls, other_team_rep
):
    existing = rep_goal(manager, rep, calls, target="100")

    with pytest.raises(RuleViolation) as exc:
        services.set_team_rep_goals(
            by=manager,
            team=team,
            metric=calls,
            period="month",
            day=DAY,
            targets={rep.pk: Decimal("110"), teammate.pk: Decimal("90")},
        )
    assert "reason" in exc.value.message_dict
    assert Goal.objects.count() == 1  # nothing half-done

    result = services.set_team_rep_goals(
        by=manager,
        team=team,
        metric=calls,
        period="month",
        day=DAY,
        targets={rep.pk: Decimal("110"), teammate.pk: Decimal("90")},
        reason="Q4 push",
    )

    assert [g.rep for g in result.created] == [teammate]
    assert result.changed == [existing]
    targets = dict(Goal.objects.values_list("rep__username", "target"))
    assert targets == {"rep": Decimal("110"), "teammate": Decimal("90")}

    # Unchanged and blank entries change nothing; strangers are refused.
    again = services.set_team_rep_goals(
        by=manager,
        team=team,
        metric=calls,
        period="month",
        day=DAY,
        targets={rep.pk: Decimal("110"), teammate.pk: None},
    )
    assert (again.created, again.changed, again.unchanged) == ([], [], 1)
    with pytest.raises(RuleViolation):
        services.set_team_rep_goals(
            by=manager,
            team=team,
            metric=calls,
            period="month",
            day=DAY,
            targets={other_team_rep.pk: Decimal("5")},
        )


def test_other_manager_cannot_use_the_team_grid(team, other_manager, calls, rep):
    with pytest.raises(PermissionDenied):
        services.set_team_rep_goals(
            by=other_manager,
            team=team,
            metric=calls,
            period="month",
            day=DAY,
            targets={rep.pk: Decimal("5")},
        )


def test_team_grid_refuses_to_change_a_goal_changed_since_it_was_read(
    rep, teammate, team, manager, director, calls
):
    existing = rep_goal(manager, rep, calls, target="100")
    read = {rep.pk: existing.version, teammate.pk: 0}
    services.change_goal(
        goal=existing,
        by=director,
        target=Decimal("130"),
        stretch_target=None,
        reason="Bigger territory",
        version=existing.version,
    )

    with pytest.raises(ConflictError):
        services.set_team_rep_goals(
            by=manager,
            team=team,
            metric=calls,
            period="month",
            day=DAY,
            targets={rep.pk: Decimal("100"), teammate.pk: Decimal("90")},
            reason="Rebalanced",
            versions=read,
        )
    existing.refresh_from_db()
    assert existing.target == Decimal("130")
    assert not Goal.objects.filter(rep=teammate).exists()

    # Re-read: the same grid with the current version goes through.
    result = services.set_team_rep_goals(
        by=manager,
        team=team,
        metric=calls,
        period="month",
        day=DAY,
        targets={rep.pk: Decimal("100"), teammate.pk: Decimal("90")},
        reason="Rebalanced",
        versions={rep.pk: existing.version, teammate.pk: 0},
    )
    assert (len(result.created), len(result.changed)) == (1, 1)


def test_a_goal_for_an_absurd_day_is_refused(manager, rep, calls):
    with pytest.raises(RuleViolation) as exc:
        services.set_goal(
            by=manager,
            scope=GoalScope.REP,
            rep=rep,
            metric=calls,
            period="week",
            day=date(9999, 12, 31),
            target=Decimal("10"),
        )
    assert "day" in exc.value.message_dict
