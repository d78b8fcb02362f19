"""What coaching.recognition shows on lower apps' pages (see salesmgmt.panels).

- "review": the kudos and awards the rep received in the review's month, with the
  computed wins, as the review's own recognition section (never among the areas to
  improve), with links to the separate recognition forms;
- "team_dashboard": recognition given this month in the team;
- "rep_home": the latest kudos to me (of the last two weeks).
Each runs a fixed number of queries.
"""

from datetime import timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coaching.recognition import selectors
from coaching.recognition.services import can_award
from salesmgmt import panels
from salesmgmt.models import CompanySettings


def review_panel(request, *, review, **_) -> str:
    user = request.user
    kudos, awards = selectors.month_recognition(review.rep, review.month, user, review=review)
    for item in kudos:
        item.feed_type = selectors.KUDOS
    for item in awards:
        item.feed_type = "award"
    return render_to_string(
        "coaching/recognition/panel_review.html",
        {
            "review": review,
            "wins": review.figures.get("wins", []),
            "kudos": kudos,
            "awards": awards,
            "currency": CompanySettings.load().currency,
            "can_thank": user.pk != review.rep_id,
            "can_award": user.reviews_plans and can_award(user, review.rep),
            "kudos_url": f"{reverse('recognition:kudos_new')}?recipient={review.rep_id}"
            f"&review={review.pk}",
            "award_url": f"{reverse('recognition:award_new')}?recipient={review.rep_id}",
        },
        request=request,
    )


def team_dashboard_panel(request, *, team, today, **_) -> str:
    context = selectors.team_month(team, today, request.user)
    return render_to_string(
        "coaching/recognition/panel_team.html",
        context | {"team": team, "currency": CompanySettings.load().currency},
        request=request,
    )


def rep_home_panel(request, *, user, **_) -> str:
    """The latest kudos to me of the last two weeks (nothing when there are none)."""
    since = timezone.now() - timedelta(days=14)
    kudos = list(
        selectors.kudos_for(request.user).filter(recipient=user, created_at__gte=since)[:3]
    )
    if not kudos:
        return ""
    for item in kudos:
        item.feed_type = selectors.KUDOS
    return render_to_string(
        "coaching/recognition/panel_rep_home.html", {"kudos": kudos}, request=request
    )


panels.register("review", review_panel, order=10)
panels.register("team_dashboard", team_dashboard_panel, order=30)
panels.register("rep_home", rep_home_panel, order=30)
