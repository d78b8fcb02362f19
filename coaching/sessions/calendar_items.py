"""Coaching sessions in the calendars of both the rep and the coach
(salesmgmt.calendar_feeds). They read what the rep may read: never the private notes.
A cancelled session stays, marked cancelled, so calendars strike it out."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coaching.models import CoachingSession, SessionStatus
from salesmgmt.calendar_feeds.sources import FeedItem, absolute_url


def session_items(user, start: datetime, end: datetime) -> list[FeedItem]:
    """Sessions where ``user`` is the rep or the coach (two queries: the sessions and
    their focus areas)."""
    sessions = (
        CoachingSession.objects.visible_to(user)
        .filter(Q(rep=user) | Q(coach=user))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("rep", "coach")
        .prefetch_related("focus_areas")
        .order_by("starts_at", "pk")
    )
    items = []
    for session in sessions:
        kind = session.get_kind_display()
        lines = [
            _("%(kind)s with %(coach)s and %(rep)s.")
            % {"kind": kind, "coach": session.coach, "rep": session.rep}
        ]
        areas = ", ".join(area.label for area in session.focus_areas.all())
        if areas:
            lines.append(_("Focus: %(areas)s.") % {"areas": areas})
        if session.shared_notes:
            lines.append(session.shared_notes)
        items.append(
            FeedItem(
                uid=f"coaching-session-{session.pk}@salesmgmt",
                summary=_("Coaching: %(kind)s — %(rep)s with %(coach)s")
                % {"kind": kind, "rep": session.rep, "coach": session.coach},
                start=session.starts_at,
                end=session.starts_at + timedelta(minutes=session.duration_minutes),
                description="\n".join(lines),
                location=session.location,
                url=absolute_url("coaching:detail", session.pk),
                categories=(pgettext("calendar category", "Coaching"),),
                status="CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED",
                sequence=session.version,
            )
        )
    return items
