"""Helpers of the coaching session tests: sessions booked through the service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coaching.models import FocusArea, SessionKind, SessionStatus
from coaching.sessions import services

PRIVATE = "PRIVATE-tell-nobody-but-the-coach"
SHARED = "Shared: open with a question, not a pitch."


@pytest.fixture
def book():
    """book(rep, by, **fields) -> a session the manager booked through the service."""

    def make(rep, by, *, days=2, status=SessionStatus.PLANNED, areas=("closing",), **fields):
        fields.setdefault("kind", SessionKind.ONE_TO_ONE)
        fields.setdefault("starts_at", timezone.now() + timedelta(days=days))
        fields.setdefault("private_notes", PRIVATE)
        fields.setdefault("shared_notes", SHARED)
        return services.create_session(
            by=by,
            rep=rep,
            status=status,
            focus_areas=FocusArea.objects.filter(key__in=areas),
            **fields,
        )

    return make
