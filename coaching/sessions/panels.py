"""What coaching.sessions shows on lower apps' pages (see salesmgmt.panels): a rep's next
sessions and open action items, the team's sessions this week, coaching coverage on the
team dashboard, the month's sessions on a monthly review, and a "record a coaching
session" link on a deviation alert. Each panel runs a fixed number of queries."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from activities.tasks.selectors import midnight
from coaching.models import CoachingSettings, SessionStatus
from coaching.sessions import selectors
from coaching.sessions.services import may_coach
from salesmgmt import panels
from salesmgmt.calendar import month_of
from salesmgmt.models import CompanySettings, User

TEMPLATE = "coaching/sessions/panels/{}.html"


def rep_home(request, *, user=None, **_):
    """The rep's next sessions and their open action items."""
    if user is None or not user.is_rep:
        return ""
    now = timezone.now()
    items = list(selectors.open_items(user).filter(owner=user).order_by("task__due_at", "pk")[:5])
    for item in items:
        item.overdue = selectors.is_overdue(item, now)
    sessions = selectors.upcoming_for(user, now=now, limit=3)
    if not items and not sessions:
        return ""
    return render_to_string(
        TEMPLATE.format("rep_home"), {"sessions": sessions, "items": items}, request=request
    )


def manager_home(request, *, team=None, **_):
    """The team's sessions in the coming seven days and how many reps were not coached in
    N days."""
    user = request.user
    if team is None or not user.reviews_plans:
        return ""
    now = timezone.now()
    week_end = now + timedelta(days=7)
    sessions = selectors.sessions_for(user).filter(rep__team=team)
    upcoming = list(sessions.upcoming(now).filter(starts_at__lt=week_end).order_by("starts_at")[:8])
    reps = User.objects.visible_to(user).reps().filter(team=team)
    gap = selectors.not_coached(reps, now=now).count()
    return render_to_string(
        TEMPLATE.format("manager_home"),
        {
            "sessions": upcoming,
            "not_coached": gap,
            "gap_days": CoachingSettings.load().coaching_gap_days,
            "team": team,
        },
        request=request,
    )


def team_dashboard(request, *, team=None, today=None, **_):
    """Coaching coverage: reps not coached in N days, sessions this month, open items."""
    user = request.user
    if team is None or not user.reviews_plans:
        return ""
    today = today or CompanySettings.load().today()
    coverage = selectors.team_coverage(user, team, today=today)
    return render_to_string(
        TEMPLATE.format("team_dashboard"),
        {**coverage, "team": team, "month": month_of(today).start},
        request=request,
    )


def review(request, *, review=None, **_):
    """The sessions held with the review's rep in its month; the private notes only for
    a viewer who coaches the rep, never for the rep."""
    if review is None:
        return ""
    company = CompanySettings.load()
    month = month_of(review.month)
    sessions = list(
        selectors.sessions_for(request.user)
        .filter(
            rep=review.rep_id,
            status=SessionStatus.HELD,
            starts_at__gte=midnight(month.start, company),
            starts_at__lt=midnight(month.end + timedelta(days=1), company),
        )
        .order_by("starts_at")
    )
    show_private = request.user.pk != review.rep_id and may_coach(review.rep, request.user)
    return render_to_string(
        TEMPLATE.format("review"),
        {"sessions": sessions, "show_private": show_private, "review": review},
        request=request,
    )


def alert(request, *, episode=None, **_):
    """On a rep's deviation alert, for a manager who coaches them: book a session about it."""
    if episode is None or episode.rep_id is None or not request.user.reviews_plans:
        return ""
    if not may_coach(episode.rep, request.user):
        return ""
    url = reverse("coaching:new") + f"?rep={episode.rep_id}&episode={episode.pk}"
    return render_to_string(TEMPLATE.format("alert"), {"url": url}, request=request)


panels.register("rep_home", rep_home, order=10)
panels.register("manager_home", manager_home, order=10)
panels.register("team_dashboard", team_dashboard, order=10)
panels.register("review", review, order=10)
panels.register("alert", alert, order=10)
