"""Training fixtures: a small catalogue and a helper that writes assignments as they
would stand (open, overdue, done, confirmed) without going through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coaching.models import AssignmentSource, TrainingAssignment, TrainingModule
from salesmgmt.models import CompanySettings


def today():
    return CompanySettings.load().today()


def days(n: int):
    """The company day ``n`` days from today (negative: ago)."""
    return today() + timedelta(days=n)


def make_module(title: str, **fields) -> TrainingModule:
    fields.setdefault("material_text", f"Read about {title}.")
    return TrainingModule.objects.create(title=title, **fields)


def make_assignment(module, rep, *, due, done=False, confirmed_by=None, score=None, **fields):
    """An assignment due on ``due``; ``done``: completed now (with ``score``);
    ``confirmed_by``: also confirmed by that manager."""
    now = timezone.now()
    return TrainingAssignment.objects.create(
        module=module,
        rep=rep,
        due=due,
        source=fields.pop("source", AssignmentSource.MANUAL),
        completed_at=now if done or confirmed_by else None,
        score=score,
        confirmed_at=now if confirmed_by else None,
        confirmed_by=confirmed_by,
        **fields,
    )


@pytest.fixture
def catalogue(db):
    """Product knowledge (quarterly), competitive intelligence (once), and an onboarding
    module due 14 days after joining."""
    return {
        "product": make_module("Product knowledge", recurrence_months=3),
        "competition": make_module("Competitive intelligence"),
        "welcome": make_module("Welcome", onboarding=True, onboarding_due_days=14),
    }
