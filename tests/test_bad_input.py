"""Absurd or malformed input in URLs and query strings never ends in a 500."""

import pytest
from django.urls import reverse

from tests.factories import WeeklyPlanFactory


@pytest.mark.parametrize(
    "url",
    [
        "/activities/?week=9999-12-31",
        "/activities/?week=0001-01-01",
        "/activities/?day_from=not-a-date",
        "/activities/log/?day=0001-01-01",
        "/activities/log/?day=9999-12-31",
        "/plans/?week=garbage&page=99999",
        "/api/v1/activities/?week=9999-12-31",
        "/api/v1/activities/?page=abc",
    ],
)
def test_odd_query_strings_answer_normally(url, rep, client_for):
    response = client_for(rep).get(url)
    assert response.status_code in (200, 400, 404)


def test_odd_dates_in_the_team_week_fall_back_to_this_week(manager, client_for, team):
    for week in ("9999-12-31", "0001-01-01", "nonsense"):
        response = client_for(manager).get(reverse("plans:team_week"), {"week": week})
        assert response.status_code == 200


@pytest.mark.parametrize("week", ["9999-12-27", "0001-01-01"])
def test_plan_for_an_absurd_week_is_not_found(week, rep, client_for):
    assert client_for(rep).get(f"/plans/week/{week}/").status_code == 404


def test_editing_a_plan_without_its_version_is_refused(rep, client_for):
    """A form posted without the version it was read at cannot overwrite anything."""
    plan = WeeklyPlanFactory(rep=rep, objectives="kept")
    response = client_for(rep).post(
        reverse("plans:edit", args=[plan.pk]),
        {"objectives": "overwritten", "priorities": "", "risks": "", "key_accounts": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["version"] == ["This field is required."]
    plan.refresh_from_db()
    assert plan.objectives == "kept"


@pytest.mark.django_db  # a visitor's language falls back to the company's default
def test_schema_and_docs_are_public_but_data_needs_a_login(client):
    # A newcomer reads how to get a token; nothing else opens without one.
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/v1/me/").status_code in (401, 403)
