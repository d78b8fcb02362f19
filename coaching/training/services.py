"""Writes of the training cadence: the module catalogue, assignments (to reps or a whole
team), the rep's completion, the manager's confirmation (or reopening), recurrence, the
onboarding track and the reminder jobs.

Rules: managers, directors and admins write the catalogue (reps read it); a manager
assigns modules to reps they manage or to a team they manage; only the rep records
completing their assignment; a manager who manages the rep confirms it, and may reopen it
before confirming. A rep holds at most one open assignment of a module (a constraint), so
assigning, recurring and onboarding are idempotent: what exists is skipped.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coaching.models import (
    AssignmentSource,
    CoachingSettings,
    FocusArea,
    TrainingAssignment,
    TrainingModule,
)
from salesmgmt.calendar import job_now
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, Team, User
from salesmgmt.notifications.services import Notice, notify, send_once
from salesmgmt.versioning import bump, lock_current

ONBOARDING_WINDOW_DAYS = 90  # reps who joined this recently get the onboarding track
DUE_SOON_DAYS = 3  # the rep is reminded this many days before a due date
REMINDER_HOUR = 7  # company time: reminders go out from the morning on

ONLY_MANAGER_CONFIRMS = gettext_lazy("Only a manager of %(rep)s confirms their training.")
ONLY_MANAGER_REOPENS = gettext_lazy("Only a manager of %(rep)s reopens their training.")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def writes_catalogue(user: User) -> bool:
    return user.is_authenticated and user.reviews_plans


def assignable_reps(user: User):
    """The active reps ``user`` may assign training to: the reps they manage."""
    if not writes_catalogue(user):
        return User.objects.none()
    return User.objects.visible_to(user).reps()


def assignable_teams(user: User):
    return Team.objects.managed_by(user) if writes_catalogue(user) else Team.objects.none()


def _manages(by: User, rep_id: int) -> bool:
    return (
        writes_catalogue(by)
        and by.pk != rep_id
        and User.objects.visible_to(by).filter(pk=rep_id).exists()
    )


# --- The catalogue ------------------------------------------------------------------------------

MODULE_FIELDS = (
    "title",
    "topic",
    "material_url",
    "material_text",
    "duration_minutes",
    "recurrence_months",
    "onboarding",
    "onboarding_due_days",
    "active",
)


@transaction.atomic
def save_module(
    *,
    by: User,
    module: TrainingModule | None = None,
    title: str,
    topic: FocusArea | None = None,
    material_url: str = "",
    material_text: str = "",
    duration_minutes: int = 60,
    recurrence_months: int | None = None,
    onboarding: bool = False,
    onboarding_due_days: int = 30,
    active: bool = True,
) -> TrainingModule:
    """Add a module to the catalogue (``module`` None) or change one."""
    if not writes_catalogue(by):
        raise PermissionDenied(_("Managers, directors and admins write the training catalogue."))
    title = title.strip()
    errors = {}
    taken = TrainingModule.objects.filter(title__iexact=title)
    if module is not None:
        taken = taken.exclude(pk=module.pk)
    if not title:
        errors["title"] = [_("Give the module a title.")]
    elif taken.exists():
        errors["title"] = [_("A module with this title exists already.")]
    if not material_url and not material_text.strip():
        errors["material_text"] = [_("Give a link to the material or the material itself.")]
    if onboarding and not 1 <= onboarding_due_days <= 365:
        errors["onboarding_due_days"] = [
            _("On the onboarding track: due 1 to 365 days after joining.")
        ]
    if errors:
        raise RuleViolation(errors)
    module = module or TrainingModule()
    values = {
        "title": title,
        "topic": topic,
        "material_url": material_url,
        "material_text": material_text,
        "duration_minutes": duration_minutes,
        "recurrence_months": recurrence_months,
        "onboarding": onboarding,
        "onboarding_due_days": onboarding_due_days,
        "active": active,
    }
    for name, value in values.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    return module


# --- Assigning ----------------------------------------------------------------------------------


@dataclass
class Assigned:
    """What an assignment request did: the new assignments and the reps skipped (they
    already hold an open assignment of the module, or one due the same day)."""

    created: list[TrainingAssignment] = field(default_factory=list)
    skipped: list[User] = field(default_factory=list)


def _assignment_url(assignment: TrainingAssignment) -> str:
    return reverse("training:assignment", args=[assignment.pk])


def _tell_assigned(assignment: TrainingAssignment, by: User | None) -> None:
    values = {
        "module": str(assignment.module),
        "source": AssignmentSource(assignment.source).label,
        "day": lazy_date(assignment.due, "LONG_WEEKDAY_DATE"),
    }
    if by:
        body = format_lazy(
            gettext_lazy("{name} assigned you “{module}” ({source}), due {day}."),
            name=str(by),
            **values,
        )
    else:
        body = format_lazy(gettext_lazy("You have “{module}” ({source}), due {day}."), **values)
    notify(
        user=assignment.rep,
        kind=NotificationKind.TRAINING,
        key=f"training-assigned:{assignment.pk}",
        title=format_lazy(
            gettext_lazy("Training: {module}, due {day}"),
            module=str(assignment.module),
            day=lazy_date(assignment.due, "DATE_MEDIUM"),
        ),
        body=body,
        url=_assignment_url(assignment),
    )


def _create_once(**fields) -> TrainingAssignment | None:
    """The new assignment, or None when the constraints say the rep has it already
    (an open one of the module, or one due that day): another run got there first."""
    try:
        with transaction.atomic():
            return TrainingAssignment.objects.create(**fields)
    except IntegrityError:
        return None


@transaction.atomic
def assign_module(
    *,
    module: TrainingModule,
    by: User,
    due: date,
    reps: list[User] | None = None,
    team: Team | None = None,
) -> Assigned:
    """Assign ``module`` to ``reps`` (source: assigned) or to every active rep of ``team``
    (source: the team), due on ``due``. Reps who already hold an open assignment of the
    module are skipped and reported. Each rep assigned is told."""
    if not writes_catalogue(by):
        raise PermissionDenied(_("Only managers assign training."))
    if (team is None) == (not reps):
        raise RuleViolation(_("Assign to some reps or to a team (one of the two)."))
    if not module.active:
        raise RuleViolation({"module": [_("This module is retired; it is not assigned any more.")]})
    today = CompanySettings.load().today()
    if due < today:
        raise RuleViolation({"due": [_("The due date has passed already.")]})
    if team is not None:
        if not assignable_teams(by).filter(pk=team.pk).exists():
            raise PermissionDenied(_("You may assign training only to teams you manage."))
        people = list(User.objects.reps().filter(team=team).order_by("first_name", "last_name"))
        source = AssignmentSource.TEAM
        if not people:
            raise RuleViolation({"team": [_("%(team)s has no active reps.") % {"team": team}]})
    else:
        wanted = {rep.pk for rep in reps}
        people = list(assignable_reps(by).filter(pk__in=wanted))
        if len(people) != len(wanted):
            raise PermissionDenied(_("You may assign training only to active reps you manage."))
        source = AssignmentSource.MANUAL
    result = Assigned()
    for rep in people:
        assignment = _create_once(module=module, rep=rep, due=due, source=source, assigned_by=by)
        if assignment is None:
            result.skipped.append(rep)
        else:
            result.created.append(assignment)
            _tell_assigned(assignment, by)
    return result


# --- Completion, confirmation ---------------------------------------------------------------


@transaction.atomic
def complete_assignment(
    *,
    assignment: TrainingAssignment,
    by: User,
    version: int | None,
    score: int | None = None,
    note: str = "",
) -> TrainingAssignment:
    """The rep records having done the training, with an optional score (0-100) and note.
    A recurring module's next assignment is opened at once, due ``recurrence_months``
    after today."""
    lock_current(assignment, version)
    if by.pk != assignment.rep_id:
        raise PermissionDenied(_("Only the rep records completing their training."))
    if assignment.completed_at is not None:
        raise RuleViolation(_("This training is recorded as done already."))
    if score is not None and not 0 <= score <= 100:
        raise RuleViolation({"score": [_("A score is 0 to 100.")]})
    assignment.completed_at = timezone.now()
    assignment.score, assignment.rep_note = score, note.strip()[:300]
    bump(assignment)
    assignment.save(update_fields=["completed_at", "score", "rep_note", "version"])
    module = assignment.module
    if module.recurrence_months and module.active:
        next_due = add_months(CompanySettings.load().today(), module.recurrence_months)
        following = _create_once(
            module=module,
            rep=assignment.rep,
            due=next_due,
            source=AssignmentSource.RECURRENCE,
            assigned_by=None,
        )
        if following is not None:
            _tell_assigned(following, None)
    manager = assignment.rep.team.manager if assignment.rep.team_id else None
    if manager is not None:
        notify(
            user=manager,
            kind=NotificationKind.TRAINING,
            key=f"training-completed:{assignment.pk}:{assignment.version}",
            title=format_lazy(
                gettext_lazy("{rep} completed “{module}”"),
                rep=str(assignment.rep),
                module=str(module),
            ),
            body=(
                format_lazy(
                    gettext_lazy("Confirm it when you have checked it (score {score})."),
                    score=score,
                )
                if score is not None
                else gettext_lazy("Confirm it when you have checked it.")
            ),
            url=_assignment_url(assignment),
        )
    return assignment


def _check_manager(assignment: TrainingAssignment, by: User, what: str) -> None:
    """``what`` is a whole sentence with a %(rep)s placeholder (gettext_lazy)."""
    if not _manages(by, assignment.rep_id):
        raise PermissionDenied(str(what) % {"rep": assignment.rep})


@transaction.atomic
def confirm_assignment(
    *, assignment: TrainingAssignment, by: User, version: int | None
) -> TrainingAssignment:
    """A manager of the rep confirms a completed training."""
    lock_current(assignment, version)
    _check_manager(assignment, by, ONLY_MANAGER_CONFIRMS)
    if assignment.completed_at is None:
        raise RuleViolation(_("The rep has not recorded this training as done yet."))
    if assignment.confirmed_at is not None:
        raise RuleViolation(_("This training is confirmed already."))
    assignment.confirmed_at, assignment.confirmed_by = timezone.now(), by
    bump(assignment)
    assignment.save(update_fields=["confirmed_at", "confirmed_by", "version"])
    return assignment


@transaction.atomic
def reopen_assignment(
    *, assignment: TrainingAssignment, by: User, version: int | None
) -> TrainingAssignment:
    """A manager of the rep sends a completion back (not done after all), before confirming
    it. The next round this completion opened (a recurring module's: due ``recurrence_months``
    after the day it was completed) is withdrawn while still open; once the rep completed
    that round too, reopening is refused (later rounds are never touched)."""
    lock_current(assignment, version)
    _check_manager(assignment, by, ONLY_MANAGER_REOPENS)
    if assignment.completed_at is None:
        raise RuleViolation(_("This training is open already."))
    if assignment.confirmed_at is not None:
        raise RuleViolation(_("A confirmed training is not reopened."))
    following = _round_opened_by(assignment)
    if following is not None and following.completed_at is not None:
        raise RuleViolation(
            _(
                "%(rep)s completed the next round of this module already (due %(day)s); "
                "this one is not reopened."
            )
            % {"rep": assignment.rep, "day": formats.date_format(following.due, "DATE_MEDIUM")}
        )
    other = (
        TrainingAssignment.objects.open()
        .filter(module=assignment.module_id, rep=assignment.rep_id)
        .exclude(pk=assignment.pk)
        .first()
    )
    if other is not None:
        if following is not None and other.pk == following.pk:
            other.delete()
        else:
            raise RuleViolation(
                _(
                    "%(rep)s has another open assignment of this module (due %(day)s); "
                    "reopening this one would make two."
                )
                % {"rep": assignment.rep, "day": formats.date_format(other.due, "DATE_MEDIUM")}
            )
    assignment.completed_at, assignment.score = None, None
    bump(assignment)
    assignment.save(update_fields=["completed_at", "score", "version"])
    notify(
        user=assignment.rep,
        kind=NotificationKind.TRAINING,
        key=f"training-reopened:{assignment.pk}:{assignment.version}",
        title=format_lazy(
            gettext_lazy("“{module}” was reopened by {name}"),
            module=str(assignment.module),
            name=str(by),
        ),
        body=format_lazy(
            gettext_lazy("Your manager sent it back as not done yet; it is due {day}."),
            day=lazy_date(assignment.due, "DATE_MEDIUM"),
        ),
        url=_assignment_url(assignment),
    )
    return assignment


def _round_opened_by(assignment: TrainingAssignment) -> TrainingAssignment | None:
    """The recurrence ``complete_assignment`` opened from this completion: same module and
    rep, source recurrence, due ``recurrence_months`` after the company day it was
    completed, assigned after it. None for a one-off module or when there is none."""
    months = assignment.module.recurrence_months
    if not months or assignment.completed_at is None:
        return None
    due = add_months(_local(assignment.completed_at).date(), months)
    return (
        TrainingAssignment.objects.filter(
            module=assignment.module_id,
            rep=assignment.rep_id,
            source=AssignmentSource.RECURRENCE,
            due=due,
            assigned_at__gte=assignment.completed_at,
        )
        .exclude(pk=assignment.pk)
        .first()
    )


# --- Jobs ---------------------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    return moment.astimezone(CompanySettings.load().tzinfo)


def assign_onboarding(*, now: datetime | None = None) -> int:
    """Every 15 minutes: give each active rep with a team who joined within the last 90
    days every active onboarding module they never had, due ``onboarding_due_days`` after
    they joined, and never sooner than that many days after it is assigned (a module added
    to the track later, or the track switched on later, is not born overdue). Off when the
    coaching settings turn the onboarding track off.

    Known limitation: "when they join a team" is read from ``date_joined`` (joining the
    company), noticed here within minutes: the core (where people and teams are written)
    never calls coaching, so a rep moved to a team later is not told apart from one who
    joined with it. Returns how many assignments were made."""
    if not CoachingSettings.load().onboarding_track:
        return 0
    now = job_now(now)
    modules = list(TrainingModule.objects.active().filter(onboarding=True))
    if not modules:
        return 0
    reps = list(
        User.objects.reps().filter(
            team__isnull=False,
            date_joined__gte=now - timedelta(days=ONBOARDING_WINDOW_DAYS),
            date_joined__lte=now,
        )
    )
    had = set(
        TrainingAssignment.objects.filter(module__in=modules, rep__in=reps).values_list(
            "rep_id", "module_id"
        )
    )
    today = _local(now).date()
    made = 0
    for rep in reps:
        joined = _local(rep.date_joined).date()
        for module in modules:
            if (rep.pk, module.pk) in had:
                continue
            window = timedelta(days=module.onboarding_due_days)
            with transaction.atomic():
                assignment = _create_once(
                    module=module,
                    rep=rep,
                    # The window from joining, but at least the window from today: a rep
                    # who joined before the module was on the track gets its full time.
                    due=max(joined + window, today + window),
                    source=AssignmentSource.ONBOARDING,
                    assigned_by=None,
                )
                if assignment is not None:
                    _tell_assigned(assignment, None)
                    made += 1
    return made


def _overdue_notices(assignment: TrainingAssignment) -> list[Notice]:
    rep, module = assignment.rep, assignment.module
    url = _assignment_url(assignment)
    key = f"training-overdue:{assignment.pk}"
    notices = [
        Notice(
            user=rep,
            kind=NotificationKind.TRAINING,
            key=key,
            title=format_lazy(gettext_lazy("Training overdue: {module}"), module=str(module)),
            body=format_lazy(
                gettext_lazy("“{module}” was due {day}. Record it when done."),
                module=str(module),
                day=lazy_date(assignment.due, "LONG_WEEKDAY_DATE"),
            ),
            url=url,
        )
    ]
    manager = rep.team.manager if rep.team_id else None
    if manager is not None and manager.pk != rep.pk:
        notices.append(
            Notice(
                user=manager,
                kind=NotificationKind.TRAINING,
                key=key,
                title=format_lazy(
                    gettext_lazy("{rep}'s training is overdue: {module}"),
                    rep=str(rep),
                    module=str(module),
                ),
                body=format_lazy(
                    gettext_lazy("“{module}” was due {day}."),
                    module=str(module),
                    day=lazy_date(assignment.due, "LONG_WEEKDAY_DATE"),
                ),
                url=url,
            )
        )
    return notices


def _due_notice(assignment: TrainingAssignment) -> Notice:
    return Notice(
        user=assignment.rep,
        kind=NotificationKind.TRAINING,
        key=f"training-due:{assignment.pk}",
        title=format_lazy(
            gettext_lazy("Training due {day}: {module}"),
            day=lazy_date(assignment.due, "WEEKDAY_DAY_MONTH"),
            module=str(assignment.module),
        ),
        body=format_lazy(
            gettext_lazy("“{module}” ({minutes} minutes) is due {day}."),
            module=str(assignment.module),
            minutes=assignment.module.duration_minutes,
            day=lazy_date(assignment.due, "LONG_WEEKDAY_DATE"),
        ),
        url=_assignment_url(assignment),
    )


def send_training_reminders(*, now: datetime | None = None) -> int:
    """Hourly, from 07:00 company time: each overdue open assignment is told once to the
    rep and their team's manager; each due within three days once to the rep. Returns how
    many notifications were sent."""
    local_now = _local(job_now(now))
    if local_now.hour < REMINDER_HOUR:
        return 0
    today = local_now.date()
    open_ones = (
        TrainingAssignment.objects.open()
        .filter(rep__is_active=True, due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("module", "rep__team__manager")
        .order_by("due", "pk")
    )
    notices: list[Notice] = []
    for assignment in open_ones:
        if assignment.due < today:
            notices.extend(_overdue_notices(assignment))
        else:
            notices.append(_due_notice(assignment))
    return send_once(notices)
