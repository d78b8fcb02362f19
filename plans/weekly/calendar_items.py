"""Weekly plan dates in calendar feeds (salesmgmt.calendar_feeds).

- A rep's plan deadline: each company week from this one to the window's end whose
  plan is not yet submitted or approved, at the moment the plan reminder goes out
  (Company settings: plan reminder day and hour, company time), the same moment
  ``send_plan_reminders`` starts reminding. Submitted weeks leave the feed.
- A team manager's reviews: each plan of their teams' reps waiting for review, at the
  moment ``send_review_reminders`` would remind them (submitted + review reminder
  hours). Reviewed plans leave the feed.
"""

from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from plans.models import PlanStatus, WeeklyPlan
from plans.weekly.reminders import moment_in_week
from salesmgmt.calendar import zone_of
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url
from salesmgmt.models import CompanySettings

DONE = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)


def plan_deadline_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """One query (the company settings are cached)."""
    if not (user.is_rep and user.is_active):
        return []
    company = CompanySettings.load()
    now_week = company.week_of(company.today())
    last_week = company.week_of(end.astimezone(company.tzinfo).date())
    done = set(
        WeeklyPlan.objects.filter(
            rep=user, week_start__range=(now_week, last_week), status__in=DONE
        ).values_list("week_start", flat=True)
    )
    items, week = [], now_week
    while week <= last_week:
        due = moment_in_week(
            company, week, company.plan_reminder_weekday, company.plan_reminder_hour
        )
        if week not in done and start <= due < end:
            label = date_format(week, "DAY_MONTH")
            items.append(
                FeedItem(
                    uid=f"plan-due-{user.pk}-{week.isoformat()}@salesmgmt",
                    summary=_("Weekly plan due: week of %(week)s") % {"week": label},
                    start=due,
                    description=_("Write your plan for the week and submit it for review."),
                    url=absolute_url("plans:for_week", week),
                    categories=(pgettext("calendar category", "Plan"),),
                )
            )
        week += timedelta(days=7)
    return items


def plan_review_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """Plans of the teams ``user`` manages waiting for their review (one query)."""
    if not user.reviews_plans:
        return []
    company = CompanySettings.load()
    wait = timedelta(hours=company.review_reminder_hours)
    plans = (
        WeeklyPlan.objects.visible_to(user)
        .filter(
            status=PlanStatus.SUBMITTED,
            rep__team__manager=user,
            submitted_at__gte=start - wait,
            submitted_at__lt=end - wait,
        )
        .select_related("rep")
        .order_by("submitted_at", "pk")
    )
    return [
        FeedItem(
            uid=f"plan-review-{plan.pk}@salesmgmt",
            summary=_("Review the plan of %(rep)s, week of %(week)s")
            % {"rep": plan.rep, "week": date_format(plan.week_start, "DAY_MONTH")},
            start=plan.submitted_at + wait,
            description=_("Submitted %(when)s. Approve it, or return it with a comment.")
            % {"when": date_format(plan.submitted_at.astimezone(zone_of(user)), "DATETIME_MEDIUM")},
            url=absolute_url("plans:detail", plan.pk),
            categories=(pgettext("calendar category", "Plan"),),
            sequence=plan.version,
        )
        for plan in plans
    ]
