"""Setting, changing and removing goals, with their history and the people told.

Who may write which goal: a manager the goals of reps in teams they manage and
those teams' goals; a director all of that across their division, plus the
division's goals; an admin everything, including company goals; reps never.
Every write leaves a ``GoalChange`` (who, when, old, new, why) and tells the rep
(or, for a team goal, every active rep of the team) once it is committed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Channel, Metric, Product
from plans.goals.selectors import api_goal, api_goals
from plans.models import Goal, GoalChange, GoalPeriod, GoalScope, channel_key_of
from salesmgmt.calendar import period_bounds
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of
from salesmgmt.models import (
    CompanySettings,
    Division,
    NotificationKind,
    Team,
    User,
    WebhookEventType,
)
from salesmgmt.money import format_money
from salesmgmt.notifications.services import notify
from salesmgmt.versioning import lock_current
from salesmgmt.web import EARLIEST, LATEST, plain_number


def writable_scopes(user: User) -> list[str]:
    """The goal scopes ``user`` sets, top-down."""
    if user.is_admin:
        return [GoalScope.COMPANY, GoalScope.DIVISION, GoalScope.TEAM, GoalScope.REP]
    if user.is_director:
        return [GoalScope.DIVISION, GoalScope.TEAM, GoalScope.REP]
    if user.is_manager:
        return [GoalScope.TEAM, GoalScope.REP]
    return []


def writable_teams(user: User):
    """Teams whose goals (and whose reps' goals) ``user`` sets."""
    if not (user.is_manager or user.is_director or user.is_admin):
        return Team.objects.none()
    return Team.objects.managed_by(user)


def writable_reps(user: User):
    return User.objects.reps().filter(team__in=writable_teams(user))


def writable_divisions(user: User):
    if user.is_admin:
        return Division.objects.all()
    if user.is_director and user.division_id:
        return Division.objects.filter(pk=user.division_id)
    return Division.objects.none()


def may_write(user: User, *, scope: str, rep=None, team=None, division=None) -> bool:
    """Whether ``user`` may set, change or remove a goal of this scope and owner."""
    if not user.is_active or scope not in writable_scopes(user):
        return False
    if user.is_admin:
        return True
    if scope == GoalScope.REP:
        team = rep.team if rep is not None else None
        if team is None:
            return False
    if scope in (GoalScope.REP, GoalScope.TEAM):
        if user.is_director:
            return team.division_id == user.division_id
        return team.manager_id == user.pk
    if scope == GoalScope.DIVISION:
        return division.pk == user.division_id
    return False


def may_write_goal(user: User, goal: Goal) -> bool:
    return may_write(user, scope=goal.scope, rep=goal.rep, team=goal.team, division=goal.division)


def _require_writer(user: User, **owner) -> None:
    if not may_write(user, **owner):
        raise PermissionDenied(_("You may not set goals for this owner."))


def _check_owner(scope: str, rep, team, division) -> dict:
    """The one owner the scope calls for, and no other."""
    owner = {"rep": rep, "team": team, "division": division}
    needed = {GoalScope.REP: "rep", GoalScope.TEAM: "team", GoalScope.DIVISION: "division"}
    if scope not in GoalScope.values:
        raise RuleViolation({"scope": _("Choose rep, team, division or company.")})
    missing = {
        "rep": _("Choose the rep this goal is for."),
        "team": _("Choose the team this goal is for."),
        "division": _("Choose the division this goal is for."),
    }
    wanted = needed.get(scope)
    if wanted and owner[wanted] is None:
        raise RuleViolation({wanted: missing[wanted]})
    if wanted == "rep" and not rep.is_rep:
        raise RuleViolation({"rep": _("Rep goals are for sales reps.")})
    return {name: value if name == wanted else None for name, value in owner.items()}


def _check_targets(target: Decimal | None, stretch: Decimal | None) -> None:
    if target is None or target <= 0:
        raise RuleViolation({"target": _("A target is a number above zero.")})
    if stretch is not None and stretch <= target:
        raise RuleViolation({"stretch_target": _("A stretch target is above the target.")})


def _check_day(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise RuleViolation(
            {
                "day": _("Pick a day between %(first)s and %(last)s.")
                % {"first": EARLIEST.year, "last": LATEST.year}
            }
        )


def _check_limits(product: Product | None, channels) -> None:
    """A goal may name a product and channels that are in use (any metric can carry them)."""
    if product is not None and not product.active:
        raise RuleViolation({"product": _("That product is no longer sold; pick an active one.")})
    off = [str(c) for c in channels if not c.active]
    if off:
        raise RuleViolation(
            {"channels": _("Switched off: %(channels)s.") % {"channels": ", ".join(off)}}
        )


def _duplicate(goal: Goal, label: str) -> RuleViolation:
    when = goal.period_label
    return RuleViolation(
        _("%(owner)s already has a %(goal)s goal for %(period)s; change that goal instead.")
        % {"owner": goal.owner_label, "goal": label, "period": when}
    )


@transaction.atomic
def set_goal(
    *,
    by: User,
    scope: str,
    rep: User | None = None,
    team: Team | None = None,
    division: Division | None = None,
    metric: Metric,
    period: str,
    day: date,
    target: Decimal,
    stretch_target: Decimal | None = None,
    note: str = "",
    product: Product | None = None,
    channels: list[Channel] | tuple = (),
) -> Goal:
    """A new goal for the period of kind ``period`` that holds ``day``; with a
    ``product`` and/or ``channels`` it counts only the activity of that product and of
    any of those channels."""
    owner = _check_owner(scope, rep, team, division)
    _require_writer(by, scope=scope, **owner)
    if period not in GoalPeriod.values:
        raise RuleViolation({"period": _("Choose week, month, quarter or year.")})
    if not metric.active:
        raise RuleViolation({"metric": _("That metric is switched off.")})
    _check_day(day)
    _check_targets(target, stretch_target)
    channels = list(channels)
    _check_limits(product, channels)
    start, end = period_bounds(period, day)
    limits = {"product": product, "channel_key": channel_key_of(channels)}
    goal = Goal(
        scope=scope,
        **owner,
        metric=metric,
        **limits,
        period=period,
        start=start,
        end=end,
        target=target,
        stretch_target=stretch_target,
        note=note,
        created_by=by,
    )
    label = " · ".join([str(metric)] + _limit_names(product, channels))
    same = Goal.objects.filter(
        scope=scope, metric=metric, period=period, start=start, **owner, **limits
    )
    if same.exists():
        raise _duplicate(goal, label)
    try:
        with transaction.atomic():  # a double-click may race past the check above
            goal.save()
    except IntegrityError:
        raise _duplicate(goal, label) from None
    goal.channels.set(channels)
    _record(goal, GoalChange.Action.CREATED, by, new=(target, stretch_target), reason=note)
    _emit_changed(goal)
    return goal


def _emit_changed(goal: Goal) -> None:
    """goal.changed: a goal set, or its target or stretch changed (not a removal)."""
    emit(
        WebhookEventType.GOAL_CHANGED,
        goal,
        load=lambda: api_goal(api_goals(SYSTEM), pk=goal.pk),
    )


def _limit_names(product: Product | None, channels) -> list[str]:
    """The parts of ``Goal.label`` after the metric, for a goal not saved yet."""
    names = [str(product)] if product is not None else []
    if channels:
        names.append(", ".join(sorted(c.label for c in channels)))
    return names


@transaction.atomic
def change_goal(
    *,
    goal: Goal,
    by: User,
    target: Decimal,
    stretch_target: Decimal | None,
    reason: str,
    version: int | None,
) -> Goal:
    """New target and stretch; the reason is required and kept with the old and new figures."""
    _require_writer(by, scope=goal.scope, rep=goal.rep, team=goal.team, division=goal.division)
    _lock_version(goal, version)
    if not (reason or "").strip():
        raise RuleViolation({"reason": _("Say why the goal changes; the rep will read it.")})
    _check_targets(target, stretch_target)
    if (target, stretch_target) == (goal.target, goal.stretch_target):
        raise RuleViolation({"target": _("That is the goal as it stands; nothing to change.")})
    old = (goal.target, goal.stretch_target)
    goal.target, goal.stretch_target = target, stretch_target
    goal.version += 1
    goal.save(update_fields=["target", "stretch_target", "version", "updated_at"])
    _record(
        goal, GoalChange.Action.CHANGED, by, old=old, new=(target, stretch_target), reason=reason
    )
    _emit_changed(goal)
    return goal


@transaction.atomic
def delete_goal(*, goal: Goal, by: User, reason: str, version: int | None = None) -> GoalChange:
    """Remove a goal; its history stays, labelled with what the goal was.

    Like a change, a removal made from a read of ``version`` is refused if the goal
    changed (or was removed) since."""
    _require_writer(by, scope=goal.scope, rep=goal.rep, team=goal.team, division=goal.division)
    _lock_version(goal, version)
    if not (reason or "").strip():
        raise RuleViolation({"reason": _("Say why the goal is removed; the rep will read it.")})
    change = _record(
        goal, GoalChange.Action.DELETED, by, old=(goal.target, goal.stretch_target), reason=reason
    )
    goal.delete()  # the history rows keep their label; their goal link becomes empty
    return change


GOAL_CHANGED = gettext_lazy(
    "This goal was changed by somebody else after you opened it. "
    "Nothing was saved; reload to see the latest figures."
)


def _lock_version(goal: Goal, version: int | None) -> None:
    """Lock the goal and refuse a stale ``version`` before any rule (see
    salesmgmt.versioning); the write raises the version itself."""
    lock_current(goal, version, message=GOAL_CHANGED)


@dataclass
class TeamGoalsResult:
    created: list[Goal]
    changed: list[Goal]
    unchanged: int


@transaction.atomic
def set_team_rep_goals(
    *,
    by: User,
    team: Team,
    metric: Metric,
    period: str,
    day: date,
    targets: dict[int, Decimal | None],
    reason: str = "",
    versions: dict[int, int] | None = None,
) -> TeamGoalsResult:
    """One target per rep of ``team`` for one metric and period, in one go: new goals are
    set, different ones changed (with ``reason``, required then), blanks left alone.

    ``versions`` ({rep id: goal version read, 0 for none}) makes a change to a goal that
    somebody else set or changed since raise ``ConflictError``, for the whole grid."""
    _require_writer(by, scope=GoalScope.TEAM, team=team)
    reps = {r.pk: r for r in User.objects.reps().filter(team=team)}
    unknown = set(targets) - set(reps)
    if unknown:
        raise RuleViolation(_("Some of those people are not active reps of this team."))
    if period not in GoalPeriod.values:
        raise RuleViolation({"period": _("Choose week, month, quarter or year.")})
    _check_day(day)
    start, _end = period_bounds(period, day)
    existing = {
        g.rep_id: g
        for g in Goal.objects.unlimited()
        .filter(scope=GoalScope.REP, rep__in=reps, metric=metric, period=period, start=start)
        .select_related("rep", "metric")
    }
    wanted = {pk: t for pk, t in targets.items() if t is not None}
    changes = {pk: t for pk, t in wanted.items() if pk in existing and existing[pk].target != t}
    read = versions or {}
    stale = [
        existing[pk].rep
        for pk in changes
        if read.get(pk, existing[pk].version) != existing[pk].version
    ]
    if stale:
        raise ConflictError(
            _(
                "Somebody else set or changed the goal of %(reps)s after you opened this grid. "
                "Nothing was saved; reload to see the latest figures."
            )
            % {"reps": ", ".join(map(str, stale))}
        )
    if changes and not (reason or "").strip():
        raise RuleViolation(
            {"reason": _("Say why the existing goals change; the reps will read it.")}
        )
    result = TeamGoalsResult(created=[], changed=[], unchanged=0)
    for pk, target in wanted.items():
        goal = existing.get(pk)
        if goal is None:
            result.created.append(
                set_goal(
                    by=by,
                    scope=GoalScope.REP,
                    rep=reps[pk],
                    metric=metric,
                    period=period,
                    day=start,
                    target=target,
                    note=reason,
                )
            )
        elif pk in changes:
            stretch = goal.stretch_target if (goal.stretch_target or 0) > target else None
            try:
                change_goal(
                    goal=goal,
                    by=by,
                    target=target,
                    stretch_target=stretch,
                    reason=reason,
                    version=goal.version,
                )
            except RuleViolation as exc:
                raise RuleViolation(f"{goal.rep}: {' '.join(exc.messages)}") from None
            result.changed.append(goal)
        else:
            result.unchanged += 1
    return result


# --- History and notifications -------------------------------------------------------------


def _record(goal: Goal, action: str, by: User, *, old=(None, None), new=(None, None), reason=""):
    change = GoalChange.objects.create(
        goal=goal,
        goal_label=str(goal)[:300],
        action=action,
        by=by,
        old_target=old[0],
        old_stretch=old[1],
        new_target=new[0],
        new_stretch=new[1],
        reason=reason,
    )
    recipients = list(goal_audience(goal))
    url = reverse("goals:list") if action == GoalChange.Action.DELETED else goal_url(goal)
    # Told in the same transaction: the notices commit with the change or not at all, and
    # their e-mails go through the outbox, so a process dying after the commit loses none.
    _tell(recipients, goal=goal, change=change, url=url)
    return change


def goal_audience(goal: Goal):
    """Who is told about a change: the rep, or every active rep of the team."""
    if goal.scope == GoalScope.REP:
        return [goal.rep] if goal.rep.is_active else []
    if goal.scope == GoalScope.TEAM:
        return User.objects.reps().filter(team=goal.team_id)
    return []


def _tell(recipients, *, goal: Goal, change: GoalChange, url: str) -> None:
    for user in recipients:
        # Written in each rep's own language (and number format), not the writer's.
        with translation.override(language_of(user)):
            title, body = _message(goal, change)
        notify(
            user=user,
            kind=NotificationKind.GOAL_CHANGED,
            key=f"goal-change:{change.pk}",
            title=title,
            body=body,
            url=url,
        )


def _figure(value: Decimal | None, metric: Metric) -> str:
    """A goal figure as the active locale writes it: money with the company currency."""
    if value is None:
        return _("none")
    if metric.is_money:
        return format_money(value, CompanySettings.load().currency)
    return number_format(plain_number(value), force_grouping=True)


def _message(goal: Goal, change: GoalChange) -> tuple[str, str]:
    """The notice's title and body in the active language."""
    names = {"goal": goal.label, "period": goal.period_label}
    if goal.scope == GoalScope.REP:
        what = _("Your %(goal)s goal for %(period)s") % names
    else:
        what = _("%(team)s's %(goal)s goal for %(period)s") % {**names, "team": goal.team}

    def figure(value):
        return _figure(value, goal.metric)

    if change.action == GoalChange.Action.CREATED:
        title = _("%(what)s: %(target)s") % {"what": what, "target": figure(change.new_target)}
        lines = [_("Target set to %(target)s") % {"target": figure(change.new_target)}]
        if change.new_stretch is not None:
            lines.append(_("Stretch target %(target)s") % {"target": figure(change.new_stretch)})
    elif change.action == GoalChange.Action.CHANGED:
        old, new = figure(change.old_target), figure(change.new_target)
        title = _("%(what)s changed: %(old)s → %(new)s") % {"what": what, "old": old, "new": new}
        lines = [_("Target %(old)s → %(new)s") % {"old": old, "new": new}]
        if change.old_stretch != change.new_stretch:
            lines.append(
                _("Stretch target %(old)s → %(new)s")
                % {"old": figure(change.old_stretch), "new": figure(change.new_stretch)}
            )
    else:
        title = _("%(what)s was removed") % {"what": what}
        lines = [_("The target was %(target)s") % {"target": figure(change.old_target)}]
    lines.append(_("Set by %(person)s") % {"person": change.by})
    if change.reason:
        lines.append(_("Why: %(reason)s") % {"reason": change.reason})
    return title, "\n".join(lines)


def goal_url(goal: Goal) -> str:
    return reverse("goals:detail", args=[goal.pk])
