"""What coaching.feedback shows on lower apps' pages (see salesmgmt.panels): on a rep's
home page, an open feedback period they have not answered yet."""

from django.template.loader import render_to_string

from coaching.feedback import selectors
from salesmgmt import panels
from salesmgmt.models import CompanySettings


def feedback_due_panel(request, user=None, **_) -> str:
    """Two queries: the open period, and whether ``user`` answered it."""
    if user is None or not user.is_rep or not user.team_id:
        return ""
    period = selectors.open_period(CompanySettings.load().today())
    if period is None or selectors.has_answered(user, period):
        return ""
    return render_to_string(
        "coaching/feedback/_due_panel.html", {"period": period}, request=request
    )


panels.register("rep_home", feedback_due_panel, order=40)
