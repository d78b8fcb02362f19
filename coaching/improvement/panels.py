"""What coaching.improvement shows on lower apps' pages (see salesmgmt.panels): open plans
on the team dashboard, the plan a review's rep-caused misses call for, and a rep's own
open plan on their home page. Each panel runs a fixed number of queries."""

from django.template.loader import render_to_string

from coaching.improvement import selectors
from coaching.improvement.services import REP_CAUSES, manages
from salesmgmt import panels


def team_dashboard_panel(request, *, team=None, today=None, **_) -> str:
    """Open improvement plans of the team's reps: rep, end, next checkpoint."""
    user = request.user
    if team is None or not user.reviews_plans:
        return ""
    plans = list(selectors.open_plans_of_team(user, team))
    return render_to_string(
        "coaching/improvement/_panel_team.html",
        {"plans": plans, "today": today, "team": team},
        request=request,
    )


def review_panel(request, *, review=None, **_) -> str:
    """For a review's misses caused by the rep (skill, effort): a link to open a plan per
    miss (for whoever manages the rep), and the rep's open plans. Its own article, apart
    from recognition."""
    if review is None:
        return ""
    misses = [
        m for m in review.misses.all() if not m.stale and m.root_cause in REP_CAUSES
    ]  # the review page has these prefetched or reads them in one query
    plans = list(selectors.open_plans_of_rep(request.user, review.rep))
    if not misses and not plans:
        return ""
    answered = {p.miss_id for p in plans if p.miss_id}
    can_open = manages(request.user, review.rep)
    return render_to_string(
        "coaching/improvement/_panel_review.html",
        {
            "review": review,
            "misses": [(m, m.pk in answered) for m in misses],
            "plans": plans,
            "can_open": can_open,
            "is_rep": review.rep_id == request.user.pk,
        },
        request=request,
    )


def rep_home_panel(request, *, user=None, **_) -> str:
    """The rep's open plan(s) and the next checkpoint, if any."""
    if user is None or not user.is_rep:
        return ""
    plans = list(selectors.open_plans_of_rep(user, user))
    if not plans:
        return ""
    return render_to_string(
        "coaching/improvement/_panel_rep_home.html", {"plans": plans}, request=request
    )


panels.register("team_dashboard", team_dashboard_panel, order=50)
panels.register("review", review_panel, order=50)
panels.register("rep_home", rep_home_panel, order=50)
