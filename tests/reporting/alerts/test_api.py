"""Alerts' handling through the API: statuses and actions on the list, POST actions with
field errors, and every role's permission on each endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Task
from reporting.models import DeviationAction
from tests.cast import ROLES
from tests.factories import UserFactory

from .conftest import episode, later, today

# Rita's alert: who may read it, who may act on it (the rep reads; outsiders get 404).
READS = {"rep", "manager", "director", "admin"}
ACTS = {"manager", "director", "admin"}
WHO = [*ROLES, "outsider"]


def post(api, alert, **body):
    return api.post(f"/api/v1/alerts/{alert.pk}/actions/", body, format="json")


@pytest.mark.parametrize("who", WHO)
def test_every_role_reads_and_acts_as_its_scope_says(who, everyone, rita_alert, api_for):
    api = api_for(everyone[who])
    listed = {r["id"] for r in api.get("/api/v1/alerts/").data["results"]}
    assert (rita_alert.pk in listed) == (who in READS)
    assert api.get(f"/api/v1/alerts/{rita_alert.pk}/").status_code == (200 if who in READS else 404)

    bodies = [
        {"kind": "note", "text": "Talked it through."},
        {"kind": "task", "text": "Call the old leads", "due": str(later(2))},
        {"kind": "acknowledge"},
        {"kind": "snooze", "until": str(later(7))},
    ]
    expected = 201 if who in ACTS else 403 if who in READS else 404
    for body in bodies:
        assert post(api, rita_alert, **body).status_code == expected, body
    assert DeviationAction.objects.count() == (4 if who in ACTS else 0)
    assert Task.objects.filter(assignee=everyone["rep"]).count() == (1 if who in ACTS else 0)


def test_anonymous_gets_401(client, rita_alert):
    response = client.post(f"/api/v1/alerts/{rita_alert.pk}/actions/", {"kind": "note"})
    assert response.status_code in (401, 403)


def test_the_list_shows_status_and_actions(cast, rita_alert, api_for):
    manager = api_for(cast["manager"])
    assert post(manager, rita_alert, kind="note", text="Seen.").status_code == 201
    task = post(manager, rita_alert, kind="task", text="Call the old leads", due=str(later(2)))
    assert task.status_code == 201
    assert (task.data["kind"], task.data["task_done"]) == ("task", False)

    row = api_for(cast["rep"]).get(f"/api/v1/alerts/{rita_alert.pk}/").data  # the rep reads it
    assert row["status"] == "new"
    assert [(a["kind"], a["text"], a["by"]) for a in row["actions"]] == [
        ("note", "Seen.", "Maria Manager"),
        ("task", "Call the old leads", "Maria Manager"),
    ]

    ack = post(manager, rita_alert, kind="acknowledge", text="Handled.", version=1)
    assert ack.status_code == 201
    row = manager.get(f"/api/v1/alerts/{rita_alert.pk}/").data
    assert (row["status"], row["acknowledged_by"], row["version"]) == (
        "acknowledged",
        "Maria Manager",
        2,
    )


def test_bad_input_is_a_400_with_field_errors(cast, rita_alert, team_alert, api_for):
    api = api_for(cast["manager"])

    def errors(alert=rita_alert, **body):
        response = post(api, alert, **body)
        assert response.status_code == 400, response.data
        return response.data["errors"]

    assert "kind" in errors(kind="coaching")
    assert "text" in errors(kind="note", text="  ")
    assert set(errors(kind="task")) == {"text", "due"}
    assert "due" in errors(kind="task", text="Call", due=str(later(-1)))
    assert "due" in errors(kind="task", text="Call", due="tomorrow")
    assert "kind" in errors(team_alert, kind="task", text="Call", due=str(later(1)))
    assert "until" in errors(kind="snooze")
    assert "until" in errors(kind="snooze", until=str(today()))
    assert "until" in errors(kind="snooze", until=str(later(91)))
    assert not DeviationAction.objects.exists()


def test_a_stale_version_is_a_409_and_changes_nothing(cast, rita_alert, api_for):
    assert (
        post(api_for(cast["director"]), rita_alert, kind="acknowledge", version=1).status_code
        == 201
    )
    response = post(
        api_for(cast["manager"]), rita_alert, kind="snooze", until=str(later(3)), version=1
    )
    assert response.status_code == 409
    assert "acknowledged or snoozed this alert" in response.data["detail"]
    rita_alert.refresh_from_db()
    assert rita_alert.snoozed_until is None


def test_snoozed_alerts_leave_the_open_state_until_their_day(cast, rita_alert, api_for):
    api = api_for(cast["manager"])
    other = episode(rep=cast["teammate"])
    assert post(api, rita_alert, kind="snooze", until=str(later(5))).status_code == 201

    def ids(**query):
        return {r["id"] for r in api.get("/api/v1/alerts/", query).data["results"]}

    assert ids(state="open") == {other.pk}
    assert ids(state="snoozed") == ids(status="snoozed") == {rita_alert.pk}
    assert ids(status="new") == {other.pk}
    assert ids(open="true") == {rita_alert.pk, other.pk}  # not closed, snoozed or not

    rita_alert.refresh_from_db()
    rita_alert.snoozed_until = today()  # the day came
    rita_alert.save(update_fields=["snoozed_until"])
    assert ids(state="open") == {rita_alert.pk, other.pk}
    assert ids(status="new") == {rita_alert.pk, other.pk}


def test_list_queries_do_not_grow_with_alerts_and_actions(
    cast, team, api_for, django_assert_max_num_queries
):
    api = api_for(cast["manager"])

    def alerts(n):
        for _ in range(n):
            alert = episode(rep=UserFactory(team=team))
            post(api, alert, kind="note", text="Seen.")
            post(api, alert, kind="task", text="Call", due=str(later(1)))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/alerts/").status_code == 200
        return len(captured)

    alerts(3)
    few = queries()
    alerts(20)
    with django_assert_max_num_queries(few):
        assert len(api.get("/api/v1/alerts/").data["results"]) == 23
