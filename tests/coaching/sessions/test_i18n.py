"""Coaching sessions in the reader's language: the pages in Greek with Greek dates,
notifications written in the rep's language whatever the manager's, the CSV's column
names translated while its cells stay machine-readable, and the calendar file."""

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from coaching.models import SessionStatus
from coaching.sessions.services import update_session
from salesmgmt.models import Notification


def main_of(html: str) -> str:
    """The page's own content (the top bar and its menu belong to the base template)."""
    return html[html.index("<main") : html.index("</main>")]


def _greek(user):
    user.language = "el"
    user.save(update_fields=["language"])
    return user


def test_detail_page_in_greek_has_greek_words_and_dates(book, cast, client_for):
    """A manager whose browser asks for Greek reads the session in Greek: headings,
    buttons, the kind and status, the focus area (a seeded name) and a Greek month."""
    session = book(cast["rep"], cast["manager"], days=3)
    page = client_for(cast["manager"]).get(
        reverse("coaching:detail", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="el"
    )
    html = page.content.decode()
    assert '<html lang="el"' in html
    assert "Ενέργειες" in html and "Ιδιωτικές σημειώσεις" in html
    assert "Ατομική συνάντηση" in html  # SessionKind.ONE_TO_ONE
    assert "Κλείσιμο πώλησης" in html  # the seeded focus area "Closing"
    assert "Προσθήκη στο ημερολόγιο (.ics)" in html
    month = session.starts_at.astimezone(timezone.get_current_timezone()).month
    greek_months = [
        "Ιαν",
        "Φεβ",
        "Μάρ",
        "Απρ",
        "Μαΐ",
        "Ιουν",
        "Ιουλ",
        "Αύγ",
        "Σεπ",
        "Οκτ",
        "Νοέ",
        "Δεκ",
    ]
    assert greek_months[month - 1] in html
    for english in ("Action items", "Private notes", "Add to calendar", "Mark held"):
        assert english not in main_of(html)


def test_overview_in_indonesian(book, cast, client_for):
    book(cast["rep"], cast["manager"], days=3)
    html = (
        client_for(cast["manager"])
        .get(reverse("coaching:overview"), HTTP_ACCEPT_LANGUAGE="id")
        .content.decode()
    )
    assert "Sesi mendatang" in html and "Sales, yang paling membutuhkan lebih dulu" in html
    assert "Upcoming sessions" not in main_of(html)


def test_booking_notice_is_in_the_reps_language_not_the_managers(book, cast):
    """Maria writes in English; Rita reads Greek: the notification is Greek, with Greek
    day and month names, and never carries the private notes."""
    _greek(cast["rep"])
    session = book(cast["rep"], cast["manager"], days=3)
    note = Notification.objects.get(user=cast["rep"], key=f"session-booked:{session.pk}")
    assert "έκλεισε συνεδρία coaching μαζί σας" in note.title
    assert "Ατομική συνάντηση" in note.title and "Maria Manager" in note.title
    assert "λεπτά" in note.body
    assert "booked" not in note.title


def test_moved_notice_follows_the_rep_while_the_manager_reads_english(book, cast):
    _greek(cast["rep"])
    session = book(cast["rep"], cast["manager"], days=3)
    update_session(
        session=session,
        by=cast["manager"],
        version=session.version,
        starts_at=session.starts_at + timedelta(days=1),
    )
    moved = Notification.objects.get(user=cast["rep"], key__startswith="session-moved:")
    assert "μετέφερε τη συνεδρία coaching σας" in moved.title


def test_csv_under_greek_translates_the_header_and_keeps_iso_cells(book, cast, client_for):
    session = book(cast["rep"], cast["manager"], days=3, next_session_on=None)
    response = client_for(cast["manager"]).get(
        reverse("coaching:list"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["έναρξη", "πωλητής", "ομάδα"]
    assert rows[0][-1] == "ιδιωτικές_σημειώσεις"
    assert rows[1][0] == session.starts_at.isoformat()  # machine-readable, not "Σαβ 7 Δεκ"
    assert rows[1][6] == "60"  # minutes: a plain number


def test_calendar_file_speaks_the_readers_language(book, cast, client_for):
    session = book(cast["rep"], cast["manager"], days=3)
    body = (
        client_for(cast["rep"])
        .get(reverse("coaching:ics", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="fil")
        .content.decode()
        .replace("\r\n ", "")
    )
    assert "kasama si Maria Manager" in body
    assert "DTSTART:" in body and "STATUS:CONFIRMED" in body
    assert session.status == SessionStatus.PLANNED
