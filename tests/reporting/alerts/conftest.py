from datetime import timedelta
from decimal import Decimal

import pytest

from reporting.models import DeviationEpisode, Kpi
from salesmgmt.models import CompanySettings
from tests.factories import UserFactory


def today():
    return CompanySettings.load().today()


def episode(*, severity="amber", closed_on=None, opened_on=None, **owner):
    return DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        period_start=today(),
        severity=severity,
        opened_on=opened_on or today(),
        closed_on=closed_on,
        actual=Decimal("31"),
        expected=Decimal("48"),
        url="/dashboard/",
        **owner,
    )


@pytest.fixture
def rita_alert(cast):
    return episode(rep=cast["rep"], severity="red")


@pytest.fixture
def team_alert(cast, team):
    return episode(team=team)


@pytest.fixture
def outsider(db):
    """Signed in, but in no team and managing nobody."""
    return UserFactory(username="outsider", first_name="Olga", last_name="Outside")


@pytest.fixture
def everyone(cast, outsider):
    return {**cast, "outsider": outsider}


def later(days: int):
    return today() + timedelta(days=days)
