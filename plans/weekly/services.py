"""The weekly plan cycle: draft -> submitted -> approved | returned -> submitted.

Only the rep writes their plan; reviewers (the rep's manager, director or an
admin) approve it or return it with a comment. Every write checks the plan's
version, so a stale browser tab or API client cannot overwrite a newer save.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from plans.models import PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from plans.weekly.selectors import api_plans, plan_snapshot
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of
from salesmgmt.jobs import enqueue_on_commit
from salesmgmt.models import CompanySettings, NotificationKind, User, WebhookEventType
from salesmgmt.notifications.services import notify
from salesmgmt.versioning import lock_current

CONTENT_FIELDS = ("objectives", "priorities", "risks", "key_accounts")
NOTE_FIELDS = ("progress_note", "problems_note")


def check_plan_week(week_start: date, *, company: CompanySettings | None = None) -> None:
    """A plan is for a real company week, not too far ahead, not long past."""
    company = company or CompanySettings.load()
    if company.week_of(week_start) != week_start:
        raise RuleViolation(
            {
                "week_start": _("A week starts on a %(day)s.")
                % {"day": company.get_week_start_display()}
            }
        )
    current = company.week_of(company.today())
    latest = current + timedelta(weeks=company.plan_weeks_ahead)
    if week_start > latest:
        raise RuleViolation(
            {
                "week_start": ngettext(
                    "Plans can be written at most %(count)d week ahead "
                    "(up to the week of %(day)s).",
                    "Plans can be written at most %(count)d weeks ahead "
                    "(up to the week of %(day)s).",
                    company.plan_weeks_ahead,
                )
                % {
                    "count": company.plan_weeks_ahead,
                    "day": date_format(latest, "DATE_MEDIUM"),
                }
            }
        )
    if week_start + timedelta(days=6) < company.oldest_editable_day():
        raise RuleViolation(
            {"week_start": _("That week is past the edit window; it can no longer be planned.")}
        )


def previous_plan(rep: User, week_start: date) -> WeeklyPlan | None:
    return (
        WeeklyPlan.objects.filter(rep=rep, week_start__lt=week_start)
        .prefetch_related("targets")
        .order_by("-week_start")
        .first()
    )


def draft_from_previous(rep: User, week_start: date) -> tuple[dict, dict[int, Decimal]]:
    """Initial content and planned numbers for a new plan: last week's, carried over."""
    prior = previous_plan(rep, week_start)
    if prior is None:
        return {}, {}
    content = {name: getattr(prior, name) for name in CONTENT_FIELDS}
    return content, {t.metric_id: t.planned for t in prior.targets.all()}


def _check_still_open(plan: WeeklyPlan) -> None:
    """Reps change a plan only while its week is inside the edit window."""
    company = CompanySettings.load()
    if plan.week_end < company.oldest_editable_day():
        raise RuleViolation(_("That week is past the edit window; its plan can no longer change."))


def _require_author(plan: WeeklyPlan, by: User) -> None:
    if plan.rep_id != by.pk:
        raise PermissionDenied(_("Only the rep who owns a plan writes it."))


PLAN_CHANGED = gettext_lazy(
    "This plan was changed elsewhere (another tab or device) after you opened it. "
    "Your changes were not saved; reload to see the latest version."
)


def _lock_version(plan: WeeklyPlan, version: int | None) -> None:
    """Lock the plan and refuse a stale ``version`` before any rule (see
    salesmgmt.versioning); the write then raises the version with its own save."""
    lock_current(plan, version, message=PLAN_CHANGED)


def _set_targets(plan: WeeklyPlan, targets: dict) -> None:
    """Replace planned numbers: {metric: planned}; None or blank drops a metric."""
    keep = {m.pk if hasattr(m, "pk") else m: v for m, v in targets.items() if v is not None}
    plan.targets.exclude(metric_id__in=keep).delete()
    existing = {t.metric_id: t for t in plan.targets.all()}
    for metric_id, planned in keep.items():
        row = existing.get(metric_id)
        if row is None:
            PlanTarget.objects.create(plan=plan, metric_id=metric_id, planned=planned)
        elif row.planned != planned:
            row.planned = planned
            row.save(update_fields=["planned"])


@transaction.atomic
def create_plan(
    *, rep: User, week_start: date, by: User, content: dict, targets: dict
) -> WeeklyPlan:
    if rep.pk != by.pk:
        raise PermissionDenied(_("Only the rep writes their own plan."))
    if not rep.is_rep:
        raise PermissionDenied(_("Weekly plans are written by sales reps."))
    check_plan_week(week_start)
    duplicate = RuleViolation({"week_start": _("You already have a plan for this week.")})
    if WeeklyPlan.objects.filter(rep=rep, week_start=week_start).exists():
        raise duplicate
    try:
        with transaction.atomic():  # a double-click may race past the check above
            plan = WeeklyPlan.objects.create(
                rep=rep, week_start=week_start, **{k: content.get(k, "") for k in CONTENT_FIELDS}
            )
    except IntegrityError:
        raise duplicate from None
    _set_targets(plan, targets)
    PlanEvent.objects.create(plan=plan, kind=PlanEvent.Kind.CREATED, by=by)
    return plan


@transaction.atomic
def update_plan(
    *, plan: WeeklyPlan, by: User, version: int | None, content: dict, targets: dict | None
) -> WeeklyPlan:
    _require_author(plan, by)
    _lock_version(plan, version)
    _check_still_open(plan)
    if not plan.is_editable:
        raise RuleViolation(
            _("This plan is %(status)s; it is read-only unless it is returned.")
            % {"status": plan.status_phrase}
        )
    fields = [k for k in CONTENT_FIELDS if k in content]
    for name in fields:
        setattr(plan, name, content[name])
    plan.version += 1
    plan.save(update_fields=[*fields, "version", "updated_at"])
    if targets is not None:
        _set_targets(plan, targets)
    return plan


@transaction.atomic
def submit_plan(*, plan: WeeklyPlan, by: User, version: int | None = None) -> WeeklyPlan:
    _require_author(plan, by)
    _lock_version(plan, version)
    _check_still_open(plan)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise RuleViolation(
            _("This plan is %(status)s; it cannot be submitted.") % {"status": plan.status_phrase}
        )
    if not plan.objectives.strip():
        raise RuleViolation({"objectives": _("Write at least one objective before submitting.")})
    if not plan.targets.exists():
        raise RuleViolation({"targets": _("Plan at least one number before submitting.")})
    plan.status, plan.submitted_at = PlanStatus.SUBMITTED, timezone.now()
    plan.version += 1
    plan.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    _record(plan, PlanEvent.Kind.SUBMITTED, by)
    _emit(WebhookEventType.PLAN_SUBMITTED, plan)
    return plan


def _require_reviewer(plan: WeeklyPlan, by: User) -> None:
    if not by.reviews_plans or plan.rep_id == by.pk:
        raise PermissionDenied(_("Plans are reviewed by the rep's manager."))
    if not WeeklyPlan.objects.visible_to(by).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("This plan is outside your teams."))


@transaction.atomic
def approve_plan(
    *, plan: WeeklyPlan, by: User, comment: str = "", version: int | None = None
) -> WeeklyPlan:
    _require_reviewer(plan, by)
    _lock_version(plan, version)
    if plan.status != PlanStatus.SUBMITTED:
        raise RuleViolation(
            _("This plan is %(status)s; only a submitted plan can be approved.")
            % {"status": plan.status_phrase}
        )
    plan.status, plan.reviewed_at, plan.reviewed_by = PlanStatus.APPROVED, timezone.now(), by
    plan.version += 1
    plan.save(update_fields=["status", "reviewed_at", "reviewed_by", "version", "updated_at"])
    _record(plan, PlanEvent.Kind.APPROVED, by, comment)
    _emit(WebhookEventType.PLAN_APPROVED, plan)
    return plan


@transaction.atomic
def return_plan(
    *, plan: WeeklyPlan, by: User, comment: str, version: int | None = None
) -> WeeklyPlan:
    _require_reviewer(plan, by)
    _lock_version(plan, version)
    if not comment.strip():
        raise RuleViolation({"comment": _("Say what should change when returning a plan.")})
    if plan.status != PlanStatus.SUBMITTED:
        raise RuleViolation(
            _("This plan is %(status)s; only a submitted plan can be returned.")
            % {"status": plan.status_phrase}
        )
    plan.status, plan.reviewed_at, plan.reviewed_by = PlanStatus.RETURNED, timezone.now(), by
    plan.version += 1
    plan.save(update_fields=["status", "reviewed_at", "reviewed_by", "version", "updated_at"])
    # Kept so the resubmission shows what changed since (selectors.changes_since_return).
    _record(plan, PlanEvent.Kind.RETURNED, by, comment, snapshot=plan_snapshot(plan))
    _emit(WebhookEventType.PLAN_RETURNED, plan)
    return plan


def _emit(event_type: WebhookEventType, plan: WeeklyPlan) -> None:
    emit(event_type, plan, load=lambda: api_plans(SYSTEM).get(pk=plan.pk))


@transaction.atomic
def save_week_note(
    *, plan: WeeklyPlan, by: User, version: int | None, progress: str, problems: str
) -> WeeklyPlan:
    """The rep's end-of-week account; allowed once the week has begun, in any status."""
    _require_author(plan, by)
    _lock_version(plan, version)
    _check_still_open(plan)
    if plan.week_start > CompanySettings.load().today():
        raise RuleViolation(_("The end-of-week note opens when the week begins."))
    plan.progress_note, plan.problems_note = progress, problems
    plan.version += 1
    plan.save(update_fields=[*NOTE_FIELDS, "version", "updated_at"])
    return plan


def _record(
    plan: WeeklyPlan, kind: str, by: User, comment: str = "", snapshot: dict | None = None
) -> PlanEvent:
    event = PlanEvent.objects.create(
        plan=plan, kind=kind, by=by, comment=comment, snapshot=snapshot
    )
    # robust: a failing e-mail (or broker) must not turn a saved review into an error page;
    # an event left unnotified is caught up by notify_unnotified_plan_events (beat).
    # plans.jobs imports this module (its tasks call these services): importing the job
    # here, not at the top, breaks that cycle.
    from plans.jobs import notify_plan_event_task  # noqa: PLC0415

    enqueue_on_commit(notify_plan_event_task, event.pk)
    return event


def plan_event_recipients(event: PlanEvent) -> list[User]:
    """Submissions go to the rep's manager; review outcomes go to the rep."""
    plan = event.plan
    if event.kind == PlanEvent.Kind.SUBMITTED:
        team = plan.rep.team
        return [team.manager] if team and team.manager else []
    if event.kind in (PlanEvent.Kind.APPROVED, PlanEvent.Kind.RETURNED):
        return [plan.rep]
    return []


@transaction.atomic
def notify_plan_event(*, event_id: int) -> bool:
    """Tell the people an event concerns (bell and e-mail), once: a second call tells nobody."""
    event = (
        PlanEvent.objects.select_for_update(of=("self",))
        .select_related("plan__rep__team__manager", "by")
        .filter(pk=event_id, notified_at__isnull=True)
        .first()
    )
    if event is None:
        return False
    plan = event.plan
    kind = (
        NotificationKind.PLAN_SUBMITTED
        if event.kind == PlanEvent.Kind.SUBMITTED
        else NotificationKind.PLAN_REVIEWED
    )
    context = {"event": event, "plan": plan}
    told = []
    for user in plan_event_recipients(event):
        # Written in the recipient's language, not the sender's.
        with translation.override(language_of(user)):
            title = render_to_string("plans/weekly/email/plan_event_subject.txt", context)
            body = render_to_string("plans/weekly/email/plan_event.txt", context)
        told.append(
            notify(
                user=user,
                kind=kind,
                key=f"plan-event:{event.pk}",
                title=title.strip(),
                body=body.strip(),
                url=plan_url(plan),
            )
        )
    event.notified_at = timezone.now()
    event.save(update_fields=["notified_at"])
    return any(told)


def plan_url(plan: WeeklyPlan) -> str:
    return reverse("plans:detail", args=[plan.pk])
