"""The guards around integrations writing activity: no back doors around the
edit window, no rows moving between reps, no posing as hand-logged entries."""

import pytest

from activities.models import Activity
from tests.activities.log.test_bulk_ingest import URL, entry
from tests.factories import ActivityFactory, days_ago


def row_errors(response):
    return response.data["errors"]["entries"]


def test_rep_cannot_rewrite_an_old_row_through_a_resend(rep, manager, api_for):
    """A manager stored a row 40 days back; the rep may re-send it unchanged, not change it."""
    old = entry(rep, "erp-1", day=days_ago(40), quantity=5, source="erp")
    assert api_for(manager).post(URL, {"entries": [old]}).status_code == 200

    unchanged = api_for(rep).post(URL, {"entries": [old]})
    assert unchanged.status_code == 200
    assert unchanged.data == {"created": 0, "updated": 0, "unchanged": 1}

    moved = {**old, "day": str(days_ago(1)), "quantity": 999}
    response = api_for(rep).post(URL, {"entries": [moved]})
    assert response.status_code == 400
    assert list(row_errors(response)["0"]) == ["day"]
    assert Activity.objects.get(external_id="erp-1").quantity == 5


def test_a_stored_row_cannot_move_to_another_rep(rep, teammate, manager, api_for):
    api = api_for(manager)
    api.post(URL, {"entries": [entry(rep, "x-1")]})
    response = api.post(URL, {"entries": [entry(teammate, "x-1")]})
    assert response.status_code == 400
    assert row_errors(response) == {"0": {"rep": ["An activity cannot move to another rep."]}}
    assert Activity.objects.get(external_id="x-1").rep == rep


@pytest.mark.parametrize("source", ["manual", "api"])
def test_reserved_sources_are_refused(source, rep, api_for):
    response = api_for(rep).post(URL, {"entries": [entry(rep, "e-1", source=source)]})
    assert response.status_code == 400
    assert list(row_errors(response)["0"]) == ["source"]
    assert not Activity.objects.exists()


def test_managers_must_name_the_rep(manager, api_for):
    row = entry(manager, "m-1")
    del row["rep"]
    response = api_for(manager).post(URL, {"entries": [row]})
    assert response.status_code == 400
    assert row_errors(response) == {"0": {"rep": ["Say which rep this activity is for."]}}


def test_crossed_source_and_id_pairs_do_not_confuse_the_lookup(rep, api_for):
    """Stored dialer/x2; a batch of dialer/x1 + web/x2 creates two new rows."""
    api = api_for(rep)
    api.post(URL, {"entries": [entry(rep, "x2", source="dialer")]})
    response = api.post(
        URL, {"entries": [entry(rep, "x1", source="dialer"), entry(rep, "x2", source="web")]}
    )
    assert response.status_code == 200, response.data
    assert response.data == {"created": 2, "updated": 0, "unchanged": 0}


def test_single_create_with_a_used_external_id_is_a_field_error(rep, api_for):
    api = api_for(rep)
    body = {"day": str(days_ago(1)), "metric": "calls", "quantity": 3, "external_id": "dup"}
    assert api.post("/api/v1/activities/", body).status_code == 201
    response = api.post("/api/v1/activities/", body)
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["external_id"]
    assert Activity.objects.filter(external_id="dup").count() == 1


def test_manager_creating_an_activity_names_the_rep(manager, api_for):
    body = {"day": str(days_ago(1)), "metric": "calls", "quantity": 3}
    response = api_for(manager).post("/api/v1/activities/", body)
    assert response.status_code == 400
    assert response.data["errors"] == {"rep": ["Say which rep this activity is for."]}


def test_filters_do_not_reveal_teams_outside_scope(rep, other_team, api_for):
    """An unseen team is 'not a valid choice', the same as one that does not exist."""
    ActivityFactory(rep=rep)
    response = api_for(rep).get("/api/v1/users/", {"team": other_team.pk})
    assert response.status_code == 400
    missing = api_for(rep).get("/api/v1/users/", {"team": 999999})
    assert missing.status_code == 400
    assert response.data["errors"].keys() == missing.data["errors"].keys() == {"team"}
