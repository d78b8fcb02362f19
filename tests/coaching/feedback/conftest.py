"""Feedback fixtures on top of the cast: the open period, and team Alpha grown to four
reps (rep, teammate, third, fourth) so that it can reach the threshold of 3. Team Beta
(other_team_rep alone) stays too small; team Gamma (south_rep) too."""

import pytest

from coaching.feedback import selectors, services
from salesmgmt.models import CompanySettings
from tests.factories import UserFactory

SECRET = "Stand-ups run long and the Zephyr quota was never explained (marker 7731)"


@pytest.fixture
def period(db):
    return services.ensure_period(today=CompanySettings.load().today())


@pytest.fixture
def third(team):
    return UserFactory(username="third_rep", first_name="Thea", last_name="Third", team=team)


@pytest.fixture
def fourth(team):
    return UserFactory(username="fourth_rep", first_name="Finn", last_name="Fourth", team=team)


@pytest.fixture
def alpha(cast, third, fourth):
    """Team Alpha's four reps, in the cast's order."""
    return [cast["rep"], cast["teammate"], third, fourth]


def ratings(value: int = 4) -> dict[int, int]:
    return {q.pk: value for q in selectors.questions()}


def answer(user, value: int = 4, text: str = ""):
    return services.submit_feedback(by=user, ratings=ratings(value), text=text)


def form_data(value: int = 4, text: str = "") -> dict:
    return {**{f"q{q}": value for q in ratings(value)}, "text": text}


def api_body(value: int = 4, text: str = "") -> dict:
    return {
        "ratings": [{"question": q, "rating": value} for q in ratings(value)],
        "text": text,
    }
