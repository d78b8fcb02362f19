"""One coaching session as an iCalendar file (RFC 5545), for the rep's and the coach's
calendars. It says what the rep may read: never the private notes."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from coaching.models import CoachingSession, SessionStatus

LINE_OCTETS = 75


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space,
    never splitting a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # the leading space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(session: CoachingSession, *, url: str, now: datetime | None = None) -> str:
    """The texts are in the active language (the reader's); times stay UTC, machine-read."""
    start = session.starts_at
    end = start + timedelta(minutes=session.duration_minutes)
    areas = ", ".join(a.label for a in session.focus_areas.all())
    kind = session.get_kind_display()
    description = [
        _("%(kind)s with %(coach)s and %(rep)s.")
        % {"kind": kind, "coach": session.coach, "rep": session.rep}
    ]
    if areas:
        description.append(_("Focus: %(areas)s.") % {"areas": areas})
    summary = _("Coaching: %(kind)s — %(rep)s with %(coach)s") % {
        "kind": kind,
        "rep": session.rep,
        "coach": session.coach,
    }
    if session.shared_notes:
        description.append(session.shared_notes)
    description.append(url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Salesmgmt//Coaching sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:coaching-session-{session.pk}@salesmgmt",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SEQUENCE:{session.version}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(chr(10).join(description))}",
    ]
    if session.location:
        lines.append(f"LOCATION:{escape(session.location)}")
    lines.append(f"URL:{url}")
    lines.append(
        "STATUS:" + ("CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
