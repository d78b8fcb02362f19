"""A session's .ics: RFC 5545 lines (CRLF, folded at 75 octets), UTC times, escaped
text, a stable UID, and what the rep may read only (no private notes)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from coaching.models import SessionStatus
from coaching.sessions import services
from coaching.sessions.ics import escape, fold
from tests.coaching.sessions.conftest import PRIVATE

pytestmark = pytest.mark.django_db


def test_escape_and_fold():
    assert escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "DESCRIPTION:" + "é" * 60
    folded = fold(line)
    parts = folded.split("\r\n ")
    assert len(parts) > 1 and all(len(p.encode()) <= 75 for p in parts)
    assert "".join(parts) == line


def test_ics_of_a_session(book, cast, client_for):
    start = datetime(2030, 3, 4, 9, 30, tzinfo=UTC)
    session = book(
        cast["rep"],
        cast["manager"],
        starts_at=start,
        duration_minutes=45,
        location="Room 3, floor 2; east wing",
        shared_notes="Bring the Acme file, and the numbers;\nthen we plan. " * 3,
    )
    response = client_for(cast["rep"]).get(reverse("coaching:ics", args=[session.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert "DTSTART:20300304T093000Z" in lines and "DTEND:20300304T101500Z" in lines
    assert f"UID:coaching-session-{session.pk}@salesmgmt" in lines
    assert "LOCATION:Room 3\\, floor 2\\; east wing" in lines
    assert any(
        line.startswith("SUMMARY:Coaching: One-to-one — Rita Rep with Maria Manager")
        for line in lines
    )
    assert "Bring the Acme file\\, and the numbers\\;\\nthen we plan." in unfolded
    assert "STATUS:CONFIRMED" in lines
    assert PRIVATE not in unfolded and PRIVATE not in client_for(cast["manager"]).get(
        reverse("coaching:ics", args=[session.pk])
    ).content.decode().replace("\r\n ", "")


def test_cancelled_session_ics_says_so(book, cast, client_for):
    session = book(cast["rep"], cast["manager"])
    services.cancel_session(session=session, by=cast["manager"], version=1)
    assert session.status == SessionStatus.CANCELLED
    body = (
        client_for(cast["manager"]).get(reverse("coaching:ics", args=[session.pk])).content.decode()
    )
    assert "STATUS:CANCELLED" in body and "SEQUENCE:2" in body
