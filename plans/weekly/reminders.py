"""Reminder jobs of the weekly plan cycle.

Beat runs them hourly; each decides from the company settings (days and hours
in the company timezone) whether it is time, and sends each occasion once
(see salesmgmt.notifications.services.send_once). Both take ``now`` so tests can pin time.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from plans.weekly.services import notify_plan_event
from salesmgmt.calendar import job_now, zone_of
from salesmgmt.i18n import language_of, lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, User
from salesmgmt.notifications.services import Notice, send_once

NOT_YET_SUBMITTED = {
    None: gettext_lazy("no plan yet"),
    PlanStatus.DRAFT: gettext_lazy("draft not submitted"),
    PlanStatus.RETURNED: gettext_lazy("returned, not submitted again"),
}


def moment_in_week(company: CompanySettings, week: date, weekday: int, hour: int) -> datetime:
    """That weekday and hour, in company time, within the company week starting ``week``."""
    day = week + timedelta(days=(weekday - company.week_start) % 7)
    return datetime.combine(day, time(), tzinfo=company.tzinfo) + timedelta(hours=hour)


def reps_without_submitted_plan(week: date):
    """Active reps whose plan for ``week`` is missing, a draft or returned.

    Each carries ``plan_status`` (None when there is no plan) and their team's manager.
    """
    status = WeeklyPlan.objects.filter(rep=OuterRef("pk"), week_start=week).values("status")
    return (
        User.objects.reps()
        .annotate(plan_status=Subquery(status[:1]))
        .filter(
            Q(plan_status__isnull=True) | Q(plan_status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED])
        )
        .select_related("team__manager")
        .order_by("first_name", "last_name", "pk")
    )


def plan_reminder(rep: User, week: date) -> Notice:
    # Lazy texts: notify() writes them in the rep's language.
    if rep.plan_status == PlanStatus.RETURNED:
        ask = gettext_lazy("Your plan was returned: change it and submit it again for review.")
    elif rep.plan_status == PlanStatus.DRAFT:
        ask = gettext_lazy("Your draft is not submitted yet: submit it for review.")
    else:
        ask = gettext_lazy("Write your plan and submit it for review.")
    return Notice(
        user=rep,
        kind=NotificationKind.PLAN_REMINDER,
        key=f"plan-reminder:{rep.pk}:{week.isoformat()}",
        title=format_lazy(
            gettext_lazy("Your plan for the week of {week} is not submitted"),
            week=lazy_date(week, "DAY_MONTH"),
        ),
        body=format_lazy(
            gettext_lazy("Week of {week}. {ask}"), week=lazy_date(week, "LONG_DATE"), ask=ask
        ),
        url=reverse("plans:for_week", args=[week]),
    )


def plan_missing(manager: User, reps: list[User], week: date) -> Notice:
    # Written in the manager's language, not the sender's.
    with translation.override(language_of(manager)):
        lines = [f"- {rep}: {NOT_YET_SUBMITTED[rep.plan_status]}" for rep in reps]
        title = ngettext(
            "%(count)d rep without a submitted plan for the week of %(week)s",
            "%(count)d reps without a submitted plan for the week of %(week)s",
            len(reps),
        ) % {"count": len(reps), "week": date_format(week, "DAY_MONTH")}
        heading = _("No submitted plan for the week of %(week)s:") % {
            "week": date_format(week, "LONG_DATE")
        }
    return Notice(
        user=manager,
        kind=NotificationKind.PLAN_MISSING,
        key=f"plan-missing:{manager.pk}:{week.isoformat()}",
        title=title,
        body="\n".join([heading, *lines]),
        url=f"{reverse('plans:team_week')}?week={week.isoformat()}",
    )


def send_plan_reminders(*, now: datetime | None = None) -> int:
    """From plan_reminder_weekday/hour of the current company week, every active rep
    without a submitted (or approved) plan is reminded once; from
    plan_escalation_weekday/hour each manager gets one list of those reps."""
    now = job_now(now)
    company = CompanySettings.load()
    week = company.week_of(now.astimezone(company.tzinfo).date())
    remind_from = moment_in_week(
        company, week, company.plan_reminder_weekday, company.plan_reminder_hour
    )
    escalate_from = moment_in_week(
        company, week, company.plan_escalation_weekday, company.plan_escalation_hour
    )
    if now < min(remind_from, escalate_from):
        return 0
    reps = list(reps_without_submitted_plan(week))
    notices = []
    if now >= remind_from:
        notices += [plan_reminder(rep, week) for rep in reps]
    if now >= escalate_from:
        by_manager: dict[int, list[User]] = defaultdict(list)
        managers = {}
        for rep in reps:
            if rep.team and rep.team.manager:
                managers[rep.team.manager_id] = rep.team.manager
                by_manager[rep.team.manager_id].append(rep)
        notices += [plan_missing(managers[pk], group, week) for pk, group in by_manager.items()]
    return send_once(notices)


def review_reminder(manager: User, plans: list[WeeklyPlan], now: datetime) -> Notice:
    """One list of every plan waiting; keyed by the plan that has waited least.

    A reminder therefore goes out when another plan crosses the line (listing
    all that wait), and a plan submitted again (a new version) counts anew.
    """
    newest = plans[-1]
    zone = zone_of(manager)
    # Written in the manager's language and timezone, not the sender's.
    with translation.override(language_of(manager)):
        lines = []
        for plan in plans:
            hours = int((now - plan.submitted_at).total_seconds() // 3600)
            lines.append(
                "- "
                + ngettext(
                    "%(rep)s, week of %(week)s: submitted %(at)s, waiting %(hours)d hour",
                    "%(rep)s, week of %(week)s: submitted %(at)s, waiting %(hours)d hours",
                    hours,
                )
                % {
                    "rep": plan.rep,
                    "week": date_format(plan.week_start, "DAY_MONTH"),
                    "at": date_format(plan.submitted_at.astimezone(zone), "WEEKDAY_DATETIME"),
                    "hours": hours,
                }
            )
        title = ngettext(
            "%(count)d plan waiting for your review",
            "%(count)d plans waiting for your review",
            len(plans),
        ) % {"count": len(plans)}
    return Notice(
        user=manager,
        kind=NotificationKind.REVIEW_REMINDER,
        key=f"review-reminder:{newest.pk}:{newest.version}",
        title=title,
        body="\n".join(lines),
        url=f"{reverse('plans:list')}?status={PlanStatus.SUBMITTED}",
    )


def send_review_reminders(*, now: datetime | None = None) -> int:
    """Team managers with plans submitted longer than review_reminder_hours ago."""
    now = job_now(now)
    company = CompanySettings.load()
    waiting = (
        WeeklyPlan.objects.filter(
            status=PlanStatus.SUBMITTED,
            submitted_at__lt=now - timedelta(hours=company.review_reminder_hours),
            rep__team__manager__isnull=False,
        )
        .select_related("rep__team__manager")
        .order_by("submitted_at", "pk")
    )
    by_manager: dict[int, list[WeeklyPlan]] = defaultdict(list)
    for plan in waiting:
        by_manager[plan.rep.team.manager_id].append(plan)
    return send_once(
        review_reminder(plans[0].rep.team.manager, plans, now) for plans in by_manager.values()
    )


# A plan event's notification is queued when the event commits; the task is lost if
# the worker dies first or the broker is down. This sweep catches up: events that
# waited longer than the task should take, and are recent enough to be worth telling.
EVENT_TASK_GRACE = timedelta(minutes=5)
EVENT_NEWS_LIFETIME = timedelta(days=7)


def notify_unnotified_plan_events(*, now: datetime | None = None) -> int:
    """Tell the people of every recent plan event still unnotified; returns how many
    events told someone. notify_plan_event locks the event and marks it notified, so a
    late task and this sweep tell each person once (and e-mail via the outbox once)."""

    now = job_now(now)
    waiting = PlanEvent.objects.filter(
        notified_at__isnull=True,
        at__lt=now - EVENT_TASK_GRACE,
        at__gte=now - EVENT_NEWS_LIFETIME,
    ).order_by("pk")
    return sum(notify_plan_event(event_id=pk) for pk in waiting.values_list("pk", flat=True))
