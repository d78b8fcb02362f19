"""Writes to coaching sessions: booked, edited, cancelled and marked held by a manager who
manages the rep; action items (each its owner's task) added and done; and the two jobs
that remind people of a coming session and of an overdue action item.

The private notes are the coach's: nothing written here puts them in a notification.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Deal, Task
from activities.tasks.services import complete_task, create_task
from coaching.models import (
    CoachingSession,
    CoachingSettings,
    FocusArea,
    SessionActionItem,
    SessionKind,
    SessionStatus,
)
from coaching.sessions.selectors import api_sessions
from reporting.models import DeviationEpisode, Kpi, ReviewMiss
from reporting.reviews.selectors import ACTION_DUE_HOUR
from salesmgmt.calendar import job_now, local_time
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of, lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, User, WebhookEventType
from salesmgmt.notifications.services import notify
from salesmgmt.versioning import bump, lock_current
from salesmgmt.web import EARLIEST, LATEST

SESSION_CHANGED = gettext_lazy(
    "This coaching session was changed by someone else since you opened it. Nothing was "
    "saved; reload to see the latest version."
)
NOT_HELD_YET = gettext_lazy("A session in the future is not held yet.")
# A time in a notification: in the recipient's timezone and language (notify() renders
# lazy texts inside both).
lazy_local_time = lazy(local_time, str)
NOT_CANCELLABLE = {
    SessionStatus.HELD: gettext_lazy("A held session is not cancelled."),
    SessionStatus.CANCELLED: gettext_lazy("A cancelled session is not cancelled."),
}
NOT_HELD_AGAIN = {
    SessionStatus.HELD: gettext_lazy("A held session is not held again."),
    SessionStatus.CANCELLED: gettext_lazy("A cancelled session is not held again."),
}
PROMPTS = ("prompt_kpi", "prompt_episode", "prompt_miss", "prompt_deal")
EDITABLE = (
    "kind",
    "starts_at",
    "duration_minutes",
    "location",
    "prompt_note",
    "private_notes",
    "shared_notes",
    "next_session_on",
    *PROMPTS,
)


# --- Who may coach whom -------------------------------------------------------------------------


def may_coach(rep: User, by: User) -> bool:
    """A manager, director or admin who manages the rep (sees them); the rep is a rep."""
    return (
        by.is_authenticated
        and by.reviews_plans
        and rep.is_rep
        and User.objects.visible_to(by).filter(pk=rep.pk).exists()
    )


def check_coach(rep: User, by: User) -> None:
    if not may_coach(rep, by):
        raise PermissionDenied(_("Only a manager of this rep records their coaching sessions."))


def url_of(session: CoachingSession) -> str:
    return reverse("coaching:detail", args=[session.pk])


# --- Sessions -----------------------------------------------------------------------------------


def _check_prompts(rep: User, by: User, prompts: dict) -> None:
    """At most one prompt; each one the writer sees, and about this rep where it has one."""
    given = [name for name in PROMPTS if prompts.get(name) is not None]
    if len(given) > 1:
        raise RuleViolation(
            {
                given[1]: _(
                    "Name one thing that prompted the session (a KPI, an alert, a miss or a deal)."
                )
            }
        )
    if not given:
        return
    name, value = given[0], prompts[given[0]]
    belongs = {
        "prompt_kpi": lambda: Kpi.objects.filter(pk=value.pk).exists(),
        "prompt_episode": lambda: (
            DeviationEpisode.objects.visible_to(by).filter(pk=value.pk).filter(rep=rep.pk).exists()
            or DeviationEpisode.objects.visible_to(by)
            .filter(pk=value.pk, rep__isnull=True, team=rep.team_id)
            .exists()
        ),
        "prompt_miss": lambda: ReviewMiss.objects.filter(pk=value.pk, review__rep=rep.pk).exists(),
        "prompt_deal": lambda: (
            Deal.objects.visible_to(by).filter(pk=value.pk, owner=rep.pk).exists()
        ),
    }[name]
    if not belongs():
        raise RuleViolation({name: _("That is not about this rep.")})


def _zone(user: User):
    """A person's own timezone, else the company's: where a moment becomes a date."""
    return user.tzinfo or CompanySettings.load().tzinfo


def _check_times(fields: dict, by: User) -> None:
    """Dates are read in the writer's timezone (the form's "When" is in it)."""
    errors = {}
    starts_at = fields.get("starts_at")
    if starts_at is not None and not EARLIEST <= starts_at.date() <= LATEST:
        errors["starts_at"] = _("Pick a sensible date.")
    next_on = fields.get("next_session_on")
    if next_on is not None:
        if starts_at is not None and next_on < timezone.localtime(starts_at, _zone(by)).date():
            errors["next_session_on"] = _("The next session comes after this one.")
        elif next_on > LATEST:
            errors["next_session_on"] = _("Pick a sensible date.")
    if errors:
        raise RuleViolation(errors)


@transaction.atomic
def create_session(
    *,
    by: User,
    rep: User,
    kind: str,
    starts_at: datetime,
    duration_minutes: int = 60,
    location: str = "",
    focus_areas=(),
    prompt_kpi: Kpi | None = None,
    prompt_episode: DeviationEpisode | None = None,
    prompt_miss: ReviewMiss | None = None,
    prompt_deal: Deal | None = None,
    prompt_note: str = "",
    private_notes: str = "",
    shared_notes: str = "",
    next_session_on: date | None = None,
    status: str = SessionStatus.PLANNED,
) -> CoachingSession:
    """Book a session with a rep (or record one already held); the writer is the coach and
    the rep is told."""
    check_coach(rep, by)
    if kind not in SessionKind.values:
        raise RuleViolation({"kind": _("Pick a kind of session.")})
    if status not in (SessionStatus.PLANNED, SessionStatus.HELD):
        raise RuleViolation({"status": _("A new session is planned or held.")})
    prompts = {
        "prompt_kpi": prompt_kpi,
        "prompt_episode": prompt_episode,
        "prompt_miss": prompt_miss,
        "prompt_deal": prompt_deal,
    }
    _check_prompts(rep, by, prompts)
    _check_times({"starts_at": starts_at, "next_session_on": next_session_on}, by)
    if status == SessionStatus.HELD and starts_at > timezone.now():
        raise RuleViolation({"held": NOT_HELD_YET})
    session = CoachingSession.objects.create(
        rep=rep,
        coach=by,
        kind=kind,
        status=status,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location.strip(),
        prompt_note=prompt_note.strip(),
        private_notes=private_notes,
        shared_notes=shared_notes,
        next_session_on=next_session_on,
        **prompts,
    )
    session.focus_areas.set(_active_areas(focus_areas))
    if status == SessionStatus.PLANNED:
        notify(
            user=rep,
            kind=NotificationKind.COACHING_SESSION,
            key=f"session-booked:{session.pk}",
            title=format_lazy(
                gettext_lazy("{coach} booked a coaching session with you: {kind}, {when}"),
                coach=str(by),
                kind=SessionKind(session.kind).label,
                when=lazy_local_time(session.starts_at, rep),
            ),
            body=_public_summary(session),
            url=url_of(session),
        )
    else:
        _emit_recorded(session)
    return session


def _emit_recorded(session: CoachingSession) -> None:
    """coaching_session.recorded: a session held (recorded as held, or marked held). The
    payload never carries the coach's private notes (the system viewer coaches nobody)."""
    emit(
        WebhookEventType.COACHING_SESSION_RECORDED,
        session,
        load=lambda: api_sessions(SYSTEM).get(pk=session.pk),
    )


def _active_areas(focus_areas) -> list[FocusArea]:
    areas = list(focus_areas)
    inactive = [a for a in areas if not a.active]
    if inactive:
        raise RuleViolation(
            {"focus_areas": _("%(area)s is no longer offered.") % {"area": inactive[0]}}
        )
    return areas


def _public_summary(session: CoachingSession):
    """What a notification says about a session: never its private notes. Lazy: written
    in the recipient's language."""
    summary = format_lazy(
        gettext_lazy("{kind} with {coach}, {minutes} min."),
        kind=SessionKind(session.kind).label,
        coach=str(session.coach),
        minutes=session.duration_minutes,
    )
    if not session.location:
        return summary
    return format_lazy(
        "{}\n{}", summary, format_lazy(gettext_lazy("Where: {place}"), place=session.location)
    )


def _locked(session: CoachingSession, version: int | None, by: User) -> CoachingSession:
    lock_current(session, version, message=SESSION_CHANGED)
    check_coach(session.rep, by)
    return session


@transaction.atomic
def update_session(
    *, session: CoachingSession, by: User, version: int | None, focus_areas=None, **fields
) -> CoachingSession:
    """Change a planned or held session's details and notes (a cancelled one stays)."""
    session = _locked(session, version, by)
    if session.status == SessionStatus.CANCELLED:
        raise RuleViolation(_("A cancelled session is not edited."))
    for name in fields:
        if name not in EDITABLE:
            raise ValueError(f"{name} is not an editable session field")
    if "kind" in fields and fields["kind"] not in SessionKind.values:
        raise RuleViolation({"kind": _("Pick a kind of session.")})
    prompts = {name: fields.get(name, getattr(session, name)) for name in PROMPTS}
    changed_prompts = {
        n: v for n, v in prompts.items() if getattr(session, f"{n}_id") != (v.pk if v else None)
    }
    if changed_prompts or sum(v is not None for v in prompts.values()) > 1:
        _check_prompts(session.rep, by, prompts)
    _check_times(
        {
            "starts_at": fields.get("starts_at", session.starts_at),
            "next_session_on": fields.get("next_session_on", session.next_session_on),
        },
        by,
    )
    moved = "starts_at" in fields and _minute(fields["starts_at"]) != _minute(session.starts_at)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip() if name in ("location", "prompt_note") else value
        setattr(session, name, value)
    bump(session)
    session.save()
    if focus_areas is not None:
        session.focus_areas.set(_active_areas(focus_areas))
    if moved and session.status == SessionStatus.PLANNED:
        notify(
            user=session.rep,
            kind=NotificationKind.COACHING_SESSION,
            key=f"session-moved:{session.pk}:{session.version}",
            title=format_lazy(
                gettext_lazy("{coach} moved your coaching session to {when}"),
                coach=str(by),
                when=lazy_local_time(session.starts_at, session.rep),
            ),
            body=_public_summary(session),
            url=url_of(session),
        )
    return session


def _minute(moment: datetime) -> datetime:
    """The form writes minutes: a session booked at 10:00:31 and saved at 10:00 stays."""
    return moment.replace(second=0, microsecond=0)


def reminder_key(session: CoachingSession) -> str:
    """One reminder per session and start time: a session moved is reminded of again."""
    return f"session-reminder:{session.pk}:{session.starts_at.astimezone(UTC).isoformat()}"


@transaction.atomic
def cancel_session(*, session: CoachingSession, by: User, version: int | None) -> CoachingSession:
    """A planned session is called off; the rep is told. Its open action items go, with
    their tasks (nobody is to do what a session that did not happen agreed); done ones
    stay on the record."""
    session = _locked(session, version, by)
    if session.status != SessionStatus.PLANNED:
        raise RuleViolation(NOT_CANCELLABLE[session.status])
    session.status = SessionStatus.CANCELLED
    bump(session)
    session.save(update_fields=["status", "version", "updated_at"])
    open_items = session.action_items.filter(Q(task__isnull=True) | Q(task__done_at__isnull=True))
    tasks = list(open_items.exclude(task__isnull=True).values_list("task", flat=True))
    open_items.delete()
    Task.objects.filter(pk__in=tasks, done_at__isnull=True).delete()
    notify(
        user=session.rep,
        kind=NotificationKind.COACHING_SESSION,
        key=f"session-cancelled:{session.pk}",
        title=format_lazy(
            gettext_lazy("{coach} cancelled the coaching session of {when}"),
            coach=str(by),
            when=lazy_local_time(session.starts_at, session.rep),
        ),
        url=url_of(session),
    )
    return session


@transaction.atomic
def hold_session(*, session: CoachingSession, by: User, version: int | None) -> CoachingSession:
    """A planned session took place (it counts as coaching from then on)."""
    session = _locked(session, version, by)
    if session.status != SessionStatus.PLANNED:
        raise RuleViolation(NOT_HELD_AGAIN[session.status])
    if session.starts_at > timezone.now():
        raise RuleViolation(NOT_HELD_YET)
    session.status = SessionStatus.HELD
    bump(session)
    session.save(update_fields=["status", "version", "updated_at"])
    _emit_recorded(session)
    return session


# --- Action items -------------------------------------------------------------------------------


def due_moment(due: date, owner: User) -> datetime:
    """The end of the owner's working day (their timezone, else the company's)."""
    zone = owner.tzinfo or CompanySettings.load().tzinfo
    return datetime.combine(due, time(ACTION_DUE_HOUR), tzinfo=zone)


def _agreed_note(session: CoachingSession, owner: User) -> str:
    """The task's note, in the owner's language (they read it on their task list)."""
    with translation.override(language_of(owner)):
        return _("Agreed in the coaching session of %(day)s (%(kind)s).") % {
            "day": formats.date_format(
                timezone.localtime(session.starts_at, _zone(owner)), "DATE_MEDIUM"
            ),
            "kind": session.get_kind_display(),
        }


@transaction.atomic
def add_action_item(
    *, session: CoachingSession, by: User, text: str, owner: User, due: date
) -> SessionActionItem:
    """Something agreed: it becomes the owner's task (the rep's, or the coach's own)."""
    check_coach(session.rep, by)
    if session.status == SessionStatus.CANCELLED:
        raise RuleViolation(_("A cancelled session has no action items."))
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Say what is to be done.")
    if owner is None or owner.pk not in (session.rep_id, session.coach_id):
        errors["owner"] = _("The rep or the coach owns an action item.")
    if due is None or due < CompanySettings.load().today():
        errors["due"] = _("Pick a due date from today on.")
    elif due > LATEST:
        errors["due"] = _("Pick a due date up to %(day)s.") % {
            "day": formats.date_format(LATEST, "DATE_MEDIUM")
        }
    if errors:
        raise RuleViolation(errors)
    fields = {
        "title": text[:200],
        "notes": _agreed_note(session, owner),
        "due_at": due_moment(due, owner),
    }
    if owner.is_rep:
        task = create_task(by=by, assignee=owner, **fields)
    else:
        # The coach's own follow-up. The task service writes tasks for reps (those one may
        # act for); a coach's own item is theirs alone, written here.
        task = Task.objects.create(assignee=owner, created_by=by, **fields)
        emit(WebhookEventType.TASK_CREATED, task)
    return SessionActionItem.objects.create(
        session=session, text=text[:200], owner=owner, due=due, task=task
    )


@transaction.atomic
def complete_action_item(
    *, item: SessionActionItem, by: User, version: int | None = None
) -> SessionActionItem:
    """The owner marks the item done: its task is done (done again changes nothing)."""
    if by.pk != item.owner_id:
        raise PermissionDenied(_("Only the owner marks an action item done."))
    if item.task_id is None:
        raise RuleViolation(_("This action item has no task any more."))
    if item.owner.is_rep:
        complete_task(task=item.task, by=by, version=version)
    else:
        task = item.task
        lock_current(task, version)
        if task.done_at is None:
            task.done_at = timezone.now()
            bump(task)
            task.save(update_fields=["done_at", "version"])
            emit(WebhookEventType.TASK_DONE, task)
    return SessionActionItem.objects.select_related("task").get(pk=item.pk)


# --- Jobs ---------------------------------------------------------------------------------------


def send_session_reminders(*, now: datetime | None = None) -> int:
    """Remind coach and rep of a session starting within the reminder time; each once."""
    now = job_now(now)
    hours = CoachingSettings.load().session_reminder_hours
    sessions = CoachingSession.objects.filter(
        status=SessionStatus.PLANNED, starts_at__gt=now, starts_at__lte=now + timedelta(hours=hours)
    ).select_related("rep", "coach")
    sent = 0
    for session in sessions:
        for person, other in ((session.rep, session.coach), (session.coach, session.rep)):
            told = notify(
                user=person,
                kind=NotificationKind.COACHING_SESSION,
                key=reminder_key(session),
                title=format_lazy(
                    gettext_lazy("Coaching session with {name}: {when}"),
                    name=str(other),
                    when=lazy_local_time(session.starts_at, person),
                ),
                body=_public_summary(session),
                url=url_of(session),
            )
            sent += told is not None
    return sent


def send_action_item_reminders(*, now: datetime | None = None) -> int:
    """Tell the owner and the coach, once, of an action item whose task is overdue."""
    now = job_now(now)
    items = (
        SessionActionItem.objects.filter(task__done_at__isnull=True, task__due_at__lt=now)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("owner", "session__coach", "session__rep")
    )
    sent = 0
    for item in items:
        people = {item.owner_id: item.owner, item.session.coach_id: item.session.coach}
        for person in people.values():
            told = notify(
                user=person,
                kind=NotificationKind.ACTION_ITEM,
                key=f"action-item-overdue:{item.pk}",
                title=(
                    format_lazy(
                        gettext_lazy("Your coaching action item is overdue: {text}"),
                        text=item.text,
                    )
                    if person.pk == item.owner_id
                    else format_lazy(
                        gettext_lazy("{name}'s coaching action item is overdue: {text}"),
                        name=str(item.owner),
                        text=item.text,
                    )
                ),
                body=format_lazy(
                    gettext_lazy("Due {day}; agreed with {rep}."),
                    day=lazy_date(item.due, "WEEKDAY_DATE"),
                    rep=str(item.session.rep),
                ),
                url=url_of(item.session),
            )
            sent += told is not None
    return sent
