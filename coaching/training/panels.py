"""What coaching.training shows on lower apps' pages (see salesmgmt.panels): the team
dashboard's overdue training, a monthly review's training completed that month, and a
rep's training due soon on their home page. Each runs one query."""

from django.template.loader import render_to_string

from coaching.training import selectors
from salesmgmt import panels
from salesmgmt.models import CompanySettings


def team_training(request, *, team=None, today=None, **_) -> str:
    """Overdue training of the team (how many, and whose) and what is due this month."""
    if team is None or not request.user.reviews_plans:
        return ""
    today = today or CompanySettings.load().today()
    rows = selectors.team_open_through(team, end=selectors.month_end(today))
    overdue = [a for a in rows if a.due < today]
    return render_to_string(
        "coaching/training/panel_team.html",
        {
            "team": team,
            "overdue": overdue,
            "due_this_month": [a for a in rows if a.due >= today],
            "today": today,
        },
        request=request,
    )


def review_training(request, *, review=None, **_) -> str:
    """The training the review's rep completed in the review's month, with scores."""
    if review is None:
        return ""
    done = selectors.completed_in_month(review.rep, review.month)
    return render_to_string(
        "coaching/training/panel_review.html", {"review": review, "done": done}, request=request
    )


def rep_training(request, *, user=None, **_) -> str:
    """A rep's training overdue or due within two weeks."""
    if user is None or not user.is_rep:
        return ""
    today = CompanySettings.load().today()
    rows = selectors.due_soon_for(user, today=today)
    if not rows:
        return ""
    return render_to_string(
        "coaching/training/panel_rep.html", {"rows": rows, "today": today}, request=request
    )


panels.register("team_dashboard", team_training, order=30)
panels.register("review", review_training, order=30)
panels.register("rep_home", rep_training, order=30)
