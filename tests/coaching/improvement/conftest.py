"""Improvement plan fixtures: review misses with a root cause, and one open plan per
rep of the cast, opened by the rep's own manager from a miss of skill."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coaching.improvement import services
from reporting.models import MonthlyReview, ReviewMiss, ReviewStatus, RootCause
from salesmgmt.models import CompanySettings
from tests.cast import REPS

MANAGER_OF = {
    "rep": "manager",
    "teammate": "manager",
    "other_team_rep": "other_manager",
    "south_rep": "south_manager",
}


@pytest.fixture
def today(db):
    return CompanySettings.load().today()


@pytest.fixture
def make_miss(today):
    """make_miss(rep, cause=skill, status=shared) -> a miss on the rep's last-month review."""

    def make(rep, cause=RootCause.SKILL, status=ReviewStatus.SHARED, key="metric:calls"):
        month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        review, _ = MonthlyReview.objects.get_or_create(
            rep=rep,
            month=month,
            defaults={"status": status, "generated_at": timezone.now(), "figures": {}},
        )
        return ReviewMiss.objects.create(
            review=review,
            key=key,
            label=f"Calls ({key})",
            expected=Decimal("40"),
            actual=Decimal("10"),
            root_cause=cause,
        )

    return make


@pytest.fixture
def open_plan(today):
    """open_plan(rep, by, miss=None, **overrides) -> a plan with two checkpoints."""

    def make(rep, by, miss=None, **overrides):
        fields = {
            "goals_text": "Reach 40 calls a month",
            "starts_on": today,
            "ends_on": today + timedelta(days=60),
            "checkpoints": [
                services.CheckpointIn(due=today + timedelta(days=14), what="Call review"),
                services.CheckpointIn(due=today + timedelta(days=45), what="Month figures"),
            ],
            "support_text": "Weekly ride-along",
        }
        if miss is None and "reason" not in overrides:
            fields["reason"] = "Calls far below the team for two months."
        fields.update(overrides)
        return services.open_plan(by=by, rep=rep, miss=miss, **fields)

    return make


@pytest.fixture
def plans(cast, make_miss, open_plan):
    """One open plan per rep of the cast, from a skill miss, by the rep's manager."""
    return {
        name: open_plan(cast[name], cast[MANAGER_OF[name]], miss=make_miss(cast[name]))
        for name in REPS
    }
