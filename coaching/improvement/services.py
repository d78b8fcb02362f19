"""Writes to improvement plans: opening one, editing it, the rep's acknowledgement and
comment, checkpoints, extending and closing; and the checkpoint reminder job.

A plan is opened by someone who manages the rep (manager, director, admin), from a
review miss whose root cause is the rep (skill, effort) or, without a miss, with the
reason stated (it is kept in the history). Every write locks the plan, checks the
version the writer read (a stale one is a conflict), raises the version and appends an
ImprovementEvent; the history is never edited. The rep is told when the plan is
opened, changed and closed; the rep's current manager (``manager_to_tell``) when the rep
acknowledges or comments.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from coaching.models import (
    CoachingSession,
    ImprovementCheckpoint,
    ImprovementEvent,
    ImprovementEventKind,
    ImprovementPlan,
    PlanOutcome,
    TrainingModule,
)
from plans.models import Goal, GoalScope
from reporting.models import MonthlyReview, ReviewMiss, RootCause
from salesmgmt.calendar import job_now
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, User
from salesmgmt.notifications.services import Notice, StrOrLazy, notify, send_once, settle
from salesmgmt.versioning import bump, lock_current, lock_row

REP_CAUSES = (RootCause.SKILL, RootCause.EFFORT)
OPEN_OUTCOMES = (PlanOutcome.OPEN, PlanOutcome.EXTENDED)
CLOSING_OUTCOMES = (PlanOutcome.MET, PlanOutcome.NOT_MET)
PLAN_CHANGED = _(
    "This improvement plan was changed by someone else since you opened it. Nothing was "
    "saved; reload to see the latest version."
)
REMIND_DAYS_BEFORE = 2
REMINDER_HOUR = 7  # company time: reminders go out from the morning on (as training's)


@dataclass(frozen=True)
class CheckpointIn:
    """A checkpoint as entered: when, and what is checked then."""

    due: date
    what: str


# --- Who may do what ----------------------------------------------------------------------------


def manages(user: User, rep: User) -> bool:
    """Whether ``user`` manages ``rep``: a manager, director or admin with the rep in scope."""
    return (
        user.reviews_plans
        and user.pk != rep.pk
        and User.objects.visible_to(user).sales_reps().filter(pk=rep.pk).exists()
    )


def _check_manages(plan_or_rep, by: User) -> None:
    rep = plan_or_rep.rep if isinstance(plan_or_rep, ImprovementPlan) else plan_or_rep
    if not manages(by, rep):
        raise PermissionDenied(gettext("Only the rep's manager does this."))


def _check_rep(plan: ImprovementPlan, by: User) -> None:
    if plan.rep_id != by.pk:
        raise PermissionDenied(gettext("Only the rep answers their own improvement plan."))


def _check_open(plan: ImprovementPlan) -> None:
    if plan.outcome not in OPEN_OUTCOMES:
        raise RuleViolation(
            gettext("This plan is closed (%(outcome)s); it no longer changes.")
            % {"outcome": plan.get_outcome_display().lower()}
        )


def _lock(plan: ImprovementPlan, version: int | None) -> ImprovementPlan:
    lock_current(plan, version, message=PLAN_CHANGED)
    return plan


# --- Checking what a plan links to --------------------------------------------------------------


def check_miss(*, miss: ReviewMiss, rep: User | None, by: User) -> ReviewMiss:
    """The miss a plan answers: on a review ``by`` sees, of ``rep``, caused by the rep."""
    if not MonthlyReview.objects.visible_to(by).filter(pk=miss.review_id).exists():
        raise RuleViolation({"miss": gettext("No such review miss.")})
    if rep is not None and miss.review.rep_id != rep.pk:
        raise RuleViolation({"miss": gettext("This miss is on another rep's review.")})
    if miss.stale:
        raise RuleViolation(
            {"miss": gettext("This is no longer a miss: the review was recalculated.")}
        )
    if miss.root_cause not in REP_CAUSES:
        cause = miss.get_root_cause_display() if miss.root_cause else gettext("not decided yet")
        raise RuleViolation(
            {
                "miss": gettext(
                    "An improvement plan answers a miss caused by the rep (skill or "
                    "effort); the root cause of “%(miss)s” is %(cause)s. Rule out the "
                    "other causes first, or open the plan without a miss and say why."
                )
                % {"miss": miss.display_label, "cause": cause}
            }
        )
    return miss


def linkable_goals(rep: User, by: User):
    """The rep's own goals that ``by`` sees."""
    return Goal.objects.visible_to(by).filter(scope=GoalScope.REP, rep=rep)


def linkable_sessions(rep: User, by: User):
    """The rep's coaching sessions that ``by`` sees."""
    return CoachingSession.objects.visible_to(by).filter(rep=rep)


def linkable_modules(linked: Iterable[int] = ()):
    """Active training modules, and those of ``linked`` (ids of the modules a plan links
    already: a module retired since stays linked when the plan is saved again)."""
    linked = list(linked)
    if not linked:
        return TrainingModule.objects.active()
    return TrainingModule.objects.filter(Q(active=True) | Q(pk__in=linked))


def _check_links(
    rep: User, by: User, *, goals=None, sessions=None, modules=None, linked_modules=()
) -> None:
    errors = {}
    for field, chosen, allowed, refusal in (
        ("goals", goals, linkable_goals(rep, by), _("Choose one of the rep's own goals.")),
        (
            "sessions",
            sessions,
            linkable_sessions(rep, by),
            _("Choose a coaching session of this rep."),
        ),
        (
            "modules",
            modules,
            linkable_modules(linked_modules),
            _("Choose an active training module."),
        ),
    ):
        if chosen is None:
            continue
        ids = {obj.pk for obj in chosen}
        if ids and allowed.filter(pk__in=ids).count() != len(ids):
            errors[field] = str(refusal)
    if errors:
        raise RuleViolation(errors)


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise RuleViolation({"ends_on": gettext("The plan ends on or after the day it starts.")})


def _check_checkpoint(due: date, what: str, *, starts_on: date, ends_on: date) -> str:
    what = (what or "").strip()
    if not what:
        raise RuleViolation({"what": gettext("Say what is checked at this checkpoint.")})
    if len(what) > 200:
        raise RuleViolation({"what": gettext("Keep it under 200 characters.")})
    if not starts_on <= due <= ends_on:
        raise RuleViolation(
            {
                "due": gettext("A checkpoint falls within the plan: %(start)s to %(end)s.")
                % {
                    "start": formats.date_format(starts_on, "DAY_MONTH"),
                    "end": formats.date_format(ends_on, "DATE_MEDIUM"),
                }
            }
        )
    return what


# --- Opening and editing ------------------------------------------------------------------------


@transaction.atomic
def open_plan(
    *,
    by: User,
    rep: User,
    goals_text: str,
    starts_on: date,
    ends_on: date,
    checkpoints: Iterable[CheckpointIn],
    miss: ReviewMiss | None = None,
    reason: str = "",
    support_text: str = "",
    goals: Iterable[Goal] = (),
    sessions: Iterable[CoachingSession] = (),
    modules: Iterable[TrainingModule] = (),
) -> ImprovementPlan:
    """Open a plan for ``rep``: from a review miss whose cause is the rep's skill or
    effort, or without one when ``reason`` says why (kept in the history)."""
    _check_manages(rep, by)
    reason = (reason or "").strip()
    if miss is not None:
        # The miss locked: its cause cannot change, nor a second plan open for it, meanwhile.
        miss = lock_row(
            ReviewMiss, miss.pk, gone=gettext("This review miss is gone; reload the review.")
        )
        check_miss(miss=miss, rep=rep, by=by)
        if ImprovementPlan.objects.open().filter(miss=miss).exists():
            raise RuleViolation(
                {"miss": gettext("An open improvement plan already answers this miss.")}
            )
    elif not reason:
        raise RuleViolation(
            {
                "reason": gettext(
                    "Without a review miss caused by the rep, say why this plan is "
                    "opened (it stays in the plan's history)."
                )
            }
        )
    goals_text = (goals_text or "").strip()
    if not goals_text:
        raise RuleViolation({"goals_text": gettext("Say what the rep is to reach.")})
    _check_dates(starts_on, ends_on)
    goals, sessions, modules = list(goals), list(sessions), list(modules)
    _check_links(rep, by, goals=goals, sessions=sessions, modules=modules)
    entered = [
        (c.due, _check_checkpoint(c.due, c.what, starts_on=starts_on, ends_on=ends_on))
        for c in checkpoints
    ]
    if not entered:
        raise RuleViolation(
            {"checkpoints": gettext("Give at least one checkpoint: a date and what.")}
        )
    plan = ImprovementPlan.objects.create(
        rep=rep,
        manager=by,
        review=miss.review if miss else None,
        miss=miss,
        goals_text=goals_text,
        support_text=(support_text or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    plan.goals.set(goals)
    plan.sessions.set(sessions)
    plan.modules.set(modules)
    ImprovementCheckpoint.objects.bulk_create(
        ImprovementCheckpoint(plan=plan, due=due, what=what) for due, what in entered
    )
    # The history is stored text: written in the language of whoever acted.
    why = (
        gettext("From the review miss “%(miss)s” (%(cause)s).")
        % {"miss": miss.display_label, "cause": miss.get_root_cause_display().lower()}
        if miss
        else gettext("Opened without a review miss: %(reason)s") % {"reason": reason}
    )
    _event(plan, ImprovementEventKind.OPENED, by, why)
    _tell_rep(
        plan,
        key=f"improvement-opened:{plan.pk}",
        title=format_lazy(_("{name} opened an improvement plan with you"), name=str(by)),
        body=format_lazy(
            "{goals}\n\n{until}",
            goals=goals_text,
            until=format_lazy(
                _("Until {day}. Please read and acknowledge it."),
                day=lazy_date(ends_on, "DATE_MEDIUM"),
            ),
        ),
    )
    return plan


PLAN_FIELDS = ("goals_text", "support_text", "starts_on", "ends_on")
FIELD_LABELS = {
    "goals_text": pgettext_lazy("plan field changed", "goals"),
    "support_text": pgettext_lazy("plan field changed", "support"),
    "starts_on": pgettext_lazy("plan field changed", "start"),
    "ends_on": pgettext_lazy("plan field changed", "end"),
    "goals": pgettext_lazy("plan field changed", "linked goals"),
    "sessions": pgettext_lazy("plan field changed", "coaching sessions"),
    "modules": pgettext_lazy("plan field changed", "training modules"),
}


def _changed_text(changed: list[str]) -> str:
    """ "Changed: goals, support." in the active language."""
    what = ", ".join(str(FIELD_LABELS[n]) for n in changed)
    return gettext("Changed: %(fields)s.") % {"fields": what}


@transaction.atomic
def update_plan(
    *,
    plan: ImprovementPlan,
    by: User,
    version: int | None,
    goals=None,
    sessions=None,
    modules=None,
    **fields,
) -> ImprovementPlan:
    """The manager changes the goals, the support or the dates of an open plan. Extending
    is its own act (``extend_plan``): the end may move earlier here, not later."""
    plan = _lock(plan, version)
    _check_manages(plan, by)
    _check_open(plan)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not editable on a plan: {sorted(unknown)}")
    if "goals_text" in fields:
        fields["goals_text"] = (fields["goals_text"] or "").strip()
        if not fields["goals_text"]:
            raise RuleViolation({"goals_text": gettext("Say what the rep is to reach.")})
    if "support_text" in fields:
        fields["support_text"] = (fields["support_text"] or "").strip()
    starts_on = fields.get("starts_on", plan.starts_on)
    ends_on = fields.get("ends_on", plan.ends_on)
    _check_dates(starts_on, ends_on)
    if ends_on > plan.ends_on:
        raise RuleViolation({"ends_on": gettext("To give the rep more time, extend the plan.")})
    outside = plan.checkpoints.filter(done_at__isnull=True).exclude(due__range=(starts_on, ends_on))
    if outside.exists():
        raise RuleViolation(
            {"ends_on": gettext("An open checkpoint would fall outside the plan; move it first.")}
        )
    _check_links(
        plan.rep,
        by,
        goals=goals,
        sessions=sessions,
        modules=modules,
        linked_modules=plan.modules.values_list("pk", flat=True),
    )
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, fields[name])
    for name, chosen in (("goals", goals), ("sessions", sessions), ("modules", modules)):
        if chosen is None:
            continue
        related = getattr(plan, name)
        ids = {obj.pk for obj in chosen}
        if ids != set(related.values_list("pk", flat=True)):
            related.set(list(chosen))
            changed.append(name)
    if not changed:
        return plan
    bump(plan)
    plan.save(update_fields=[*[n for n in changed if n in PLAN_FIELDS], "version"])
    _event(plan, ImprovementEventKind.CHANGED, by, _changed_text(changed))
    _tell_rep(
        plan,
        key=f"improvement-changed:{plan.pk}:{plan.version}",
        title=format_lazy(_("{name} changed your improvement plan"), name=str(by)),
        body=lazy(_changed_text, str)(changed),
    )
    return plan


# --- The rep's answers --------------------------------------------------------------------------


@transaction.atomic
def acknowledge_plan(
    *, plan: ImprovementPlan, by: User, version: int | None = None, comment: str = ""
) -> ImprovementPlan:
    """The rep confirms they read the plan (once), optionally with a comment."""
    plan = _lock(plan, version)
    _check_rep(plan, by)
    _check_open(plan)
    if plan.acknowledged_at is not None:
        raise RuleViolation(
            gettext("You acknowledged this plan on %(day)s.")
            % {"day": formats.date_format(timezone.localtime(plan.acknowledged_at), "DATE_MEDIUM")}
        )
    plan.acknowledged_at = timezone.now()
    comment = (comment or "").strip()
    fields = ["acknowledged_at", "version"]
    if comment:
        plan.rep_comment = comment
        fields.append("rep_comment")
    bump(plan)
    plan.save(update_fields=fields)
    _event(plan, ImprovementEventKind.ACKNOWLEDGED, by, comment)
    settle(user=plan.rep, key=f"improvement-opened:{plan.pk}")
    _tell_manager(
        plan,
        key=f"improvement-acknowledged:{plan.pk}",
        title=format_lazy(_("{name} acknowledged their improvement plan"), name=str(plan.rep)),
        body=comment,
    )
    return plan


@transaction.atomic
def comment_on_plan(
    *, plan: ImprovementPlan, by: User, comment: str, version: int | None = None
) -> ImprovementPlan:
    """The rep's comment, any time while the plan is open (the history keeps each one)."""
    plan = _lock(plan, version)
    _check_rep(plan, by)
    _check_open(plan)
    comment = (comment or "").strip()
    if not comment:
        raise RuleViolation({"comment": gettext("Write your comment.")})
    plan.rep_comment = comment
    bump(plan)
    plan.save(update_fields=["rep_comment", "version"])
    _event(plan, ImprovementEventKind.COMMENTED, by, comment)
    _tell_manager(
        plan,
        key=f"improvement-comment:{plan.pk}:{plan.version}",
        title=format_lazy(_("{name} commented on their improvement plan"), name=str(plan.rep)),
        body=comment,
    )
    return plan


# --- Checkpoints --------------------------------------------------------------------------------


@transaction.atomic
def add_checkpoint(
    *, plan: ImprovementPlan, by: User, due: date, what: str, version: int | None = None
) -> ImprovementCheckpoint:
    plan = _lock(plan, version)
    _check_manages(plan, by)
    _check_open(plan)
    what = _check_checkpoint(due, what, starts_on=plan.starts_on, ends_on=plan.ends_on)
    checkpoint = ImprovementCheckpoint.objects.create(plan=plan, due=due, what=what)
    bump(plan)
    plan.save(update_fields=["version"])
    _event(
        plan,
        ImprovementEventKind.CHANGED,
        by,
        gettext("Checkpoint added: %(what)s by %(day)s.")
        % {"what": what, "day": formats.date_format(due, "DATE_MEDIUM")},
    )
    _tell_rep(
        plan,
        key=f"improvement-changed:{plan.pk}:{plan.version}",
        title=format_lazy(_("{name} added a checkpoint to your improvement plan"), name=str(by)),
        body=format_lazy(_("{what}, by {day}."), what=what, day=lazy_date(due, "DATE_MEDIUM")),
    )
    return checkpoint


@transaction.atomic
def record_checkpoint(
    *,
    checkpoint: ImprovementCheckpoint,
    by: User,
    result: str | None = None,
    done: bool | None = None,
    version: int | None = None,
) -> ImprovementCheckpoint:
    """The manager records how a checkpoint went and/or marks it done (or not done)."""
    plan = _lock(checkpoint.plan, version)
    _check_manages(plan, by)
    _check_open(plan)
    checkpoint = ImprovementCheckpoint.objects.select_for_update(of=("self",)).get(pk=checkpoint.pk)
    fields = []
    if result is not None and result.strip() != checkpoint.result:
        checkpoint.result = result.strip()
        fields.append("result")
    if done is not None and done != (checkpoint.done_at is not None):
        checkpoint.done_at = timezone.now() if done else None
        fields.append("done_at")
    if not fields:
        return checkpoint
    checkpoint.save(update_fields=fields)
    bump(plan)
    plan.save(update_fields=["version"])
    _event(plan, ImprovementEventKind.CHECKPOINT, by, _checkpoint_text(checkpoint))
    _tell_rep(
        plan,
        key=f"improvement-changed:{plan.pk}:{plan.version}",
        title=format_lazy(_("{name} reviewed a checkpoint of your improvement plan"), name=str(by)),
        body=lazy(_checkpoint_text, str)(checkpoint),
    )
    return checkpoint


def _checkpoint_text(checkpoint: ImprovementCheckpoint) -> str:
    """ "Call review: done — went well" in the active language."""
    if checkpoint.done_at:
        text = gettext("%(what)s: done") % {"what": checkpoint.what}
    else:
        text = gettext("%(what)s: not done yet") % {"what": checkpoint.what}
    return text + (f" — {checkpoint.result}" if checkpoint.result else "")


# --- Extending and closing ----------------------------------------------------------------------


@transaction.atomic
def extend_plan(
    *, plan: ImprovementPlan, by: User, ends_on: date, note: str = "", version: int | None = None
) -> ImprovementPlan:
    """More time: a later end; the plan stays open, its outcome reads 'extended'."""
    plan = _lock(plan, version)
    _check_manages(plan, by)
    _check_open(plan)
    if ends_on <= plan.ends_on:
        raise RuleViolation(
            {
                "ends_on": gettext("Extend past the current end, %(day)s.")
                % {"day": formats.date_format(plan.ends_on, "DATE_MEDIUM")}
            }
        )
    note = (note or "").strip()
    previous = plan.ends_on
    plan.ends_on, plan.outcome = ends_on, PlanOutcome.EXTENDED
    fields = ["ends_on", "outcome", "version"]
    if note:
        plan.outcome_note = note
        fields.append("outcome_note")
    bump(plan)
    plan.save(update_fields=fields)
    text = gettext("From %(start)s to %(end)s.") % {
        "start": formats.date_format(previous, "DATE_MEDIUM"),
        "end": formats.date_format(ends_on, "DATE_MEDIUM"),
    }
    _event(plan, ImprovementEventKind.EXTENDED, by, text + (f" {note}" if note else ""))
    _tell_rep(
        plan,
        key=f"improvement-changed:{plan.pk}:{plan.version}",
        title=format_lazy(
            _("{name} extended your improvement plan to {day}"),
            name=str(by),
            day=lazy_date(ends_on, "DATE_MEDIUM"),
        ),
        body=note,
    )
    return plan


@transaction.atomic
def close_plan(
    *, plan: ImprovementPlan, by: User, outcome: str, note: str, version: int | None = None
) -> ImprovementPlan:
    """Close with the outcome (met or not met) and a note saying why."""
    plan = _lock(plan, version)
    _check_manages(plan, by)
    _check_open(plan)
    if outcome not in CLOSING_OUTCOMES:
        raise RuleViolation({"outcome": gettext("Close as met or not met (or extend the plan).")})
    note = (note or "").strip()
    if not note:
        raise RuleViolation({"note": gettext("Say how the plan ended; the rep reads it.")})
    plan.outcome, plan.outcome_note = outcome, note
    bump(plan)
    plan.save(update_fields=["outcome", "outcome_note", "version"])
    label = plan.get_outcome_display()
    _event(plan, ImprovementEventKind.CLOSED, by, f"{label}. {note}")
    _tell_rep(
        plan,
        key=f"improvement-closed:{plan.pk}",
        title=format_lazy(
            _("Your improvement plan was closed: {outcome}"),
            outcome=lazy(lambda p: p.get_outcome_display().lower(), str)(plan),
        ),
        body=note,
    )
    return plan


# --- History and notices ------------------------------------------------------------------------


def _event(plan: ImprovementPlan, kind: str, by: User, text: str = "") -> None:
    ImprovementEvent.objects.create(plan=plan, kind=kind, by=by, text=text, at=timezone.now())


def plan_url(plan: ImprovementPlan) -> str:
    return reverse("improvement:detail", args=[plan.pk])


def _tell_rep(plan: ImprovementPlan, *, key: str, title: StrOrLazy, body: StrOrLazy = "") -> None:
    notify(
        user=plan.rep,
        kind=NotificationKind.IMPROVEMENT_PLAN,
        key=key,
        title=title,
        body=body,
        url=plan_url(plan),
    )


def _still_manages(user: User | None, rep: User) -> bool:
    """Whether ``user`` manages ``rep`` now, by the rules of ``User.objects.visible_to``
    (read from the rep's team, loaded with it: no query)."""
    if user is None or not user.is_active or not user.reviews_plans or user.pk == rep.pk:
        return False
    if user.is_admin:
        return True
    team = rep.team
    if team is None:
        return False
    if user.is_director:
        return user.division_id is not None and team.division_id == user.division_id
    return team.manager_id == user.pk


def manager_to_tell(plan: ImprovementPlan) -> User | None:
    """Who hears the rep's answers and the checkpoint reminders: the rep's current team
    manager; else whoever opened the plan, if they still manage the rep; else nobody.
    After a rep moves team, the former manager (who no longer sees the plan) is not told.
    Load the plan with ``rep__team__manager`` and ``manager`` to ask no query."""
    rep = plan.rep
    current = rep.team.manager if rep.team_id else None
    for user in (current, plan.manager):
        if _still_manages(user, rep):
            return user
    return None


def _tell_manager(
    plan: ImprovementPlan, *, key: str, title: StrOrLazy, body: StrOrLazy = ""
) -> None:
    manager = manager_to_tell(plan)
    if manager is None:
        return
    notify(
        user=manager,
        kind=NotificationKind.IMPROVEMENT_PLAN,
        key=key,
        title=title,
        body=body,
        url=plan_url(plan),
    )


# --- The reminder job ---------------------------------------------------------------------------


# (who is told, overdue?) -> the reminder's title, rendered in the recipient's language.
REMINDERS = {
    ("rep", False): _("Checkpoint of your improvement plan is due on {day}: {what}"),
    ("rep", True): _("Checkpoint of your improvement plan was due on {day}: {what}"),
    ("manager", False): _("Checkpoint of {rep}'s improvement plan is due on {day}: {what}"),
    ("manager", True): _("Checkpoint of {rep}'s improvement plan was due on {day}: {what}"),
}


def send_checkpoint_reminders(*, now: datetime | None = None) -> int:
    """Hourly, from 07:00 company time (as the training reminders): remind rep and manager
    of each open plan's checkpoint not done, once when it is due within two days, once
    when it is overdue. Returns how many notices went out; a second run sends none (each
    notice is keyed by its checkpoint)."""
    local_now = job_now(now).astimezone(CompanySettings.load().tzinfo)
    if local_now.hour < REMINDER_HOUR:
        return 0
    today = local_now.date()
    checkpoints = (
        ImprovementCheckpoint.objects.filter(
            plan__outcome__in=OPEN_OUTCOMES,
            done_at__isnull=True,
            due__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("plan__rep__team__manager", "plan__manager")
        .order_by("due", "pk")
    )
    notices = []
    for checkpoint in checkpoints:
        plan = checkpoint.plan
        overdue = checkpoint.due < today
        key = f"checkpoint-{'overdue' if overdue else 'due'}:{checkpoint.pk}"
        manager = manager_to_tell(plan)
        for user, title in (
            (plan.rep, REMINDERS["rep", overdue]),
            (manager, REMINDERS["manager", overdue]),
        ):
            if user is None:
                continue
            notices.append(
                Notice(
                    user=user,
                    kind=NotificationKind.IMPROVEMENT_PLAN,
                    key=key,
                    title=format_lazy(
                        title,
                        rep=str(plan.rep),
                        day=lazy_date(checkpoint.due, "DAY_MONTH"),
                        what=checkpoint.what,
                    ),
                    url=plan_url(plan),
                )
            )
    return send_once(notices)
