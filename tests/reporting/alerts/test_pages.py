"""An alert's page and the alerts list: history, status, the managers' forms (errors keep
the input, a stale version is refused in words), the rep's read-only view, queries."""

from datetime import datetime, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activities.models import Task
from reporting.alerts import services
from reporting.models import DeviationAction
from salesmgmt.models import CompanySettings, Holiday
from tests.factories import UserFactory

from .conftest import episode, later, today

WHO = {  # who opens Rita's alert, and what a POST of a note answers
    "rep": (200, 403),
    "teammate": (404, 404),
    "other_team_rep": (404, 404),
    "south_rep": (404, 404),
    "manager": (200, 302),
    "other_manager": (404, 404),
    "south_manager": (404, 404),
    "director": (200, 302),
    "admin": (200, 302),
    "outsider": (404, 404),
}


def url(alert, kind=""):
    return f"/kpis/alerts/{alert.pk}/" + (f"{kind}/" if kind else "")


@pytest.mark.parametrize("who", list(WHO))
def test_every_role_opens_and_acts_as_its_scope_says(who, everyone, rita_alert, client_for):
    client = client_for(everyone[who])
    page, act = WHO[who]
    assert client.get(url(rita_alert)).status_code == page
    for kind, body in [
        ("note", {"text": "Seen."}),
        ("task", {"text": "Call", "due": later(1)}),
        ("acknowledge", {"version": 1}),
        ("snooze", {"version": 2, "until": later(3)}),  # after the acknowledgement
    ]:
        assert client.post(url(rita_alert, kind), body).status_code == act, kind
    assert DeviationAction.objects.count() == (4 if act == 302 else 0)


def test_pages_need_a_login_and_a_csrf_token(client, cast, rita_alert):
    response = client.get(url(rita_alert))
    assert response.status_code == 302 and "/login" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast["manager"])
    assert strict.post(url(rita_alert, "note"), {"text": "Seen."}).status_code == 403
    assert not DeviationAction.objects.exists()


def test_an_unknown_action_is_a_404(cast, rita_alert, client_for):
    assert client_for(cast["manager"]).post(url(rita_alert, "coach"), {}).status_code == 404


def test_a_task_goes_to_the_rep_due_at_the_end_of_the_day_and_links_back(
    cast, rita_alert, client_for
):
    client = client_for(cast["manager"])
    response = client.post(url(rita_alert, "task"), {"text": "Call the old leads", "due": later(2)})
    assert response.status_code == 302 and response["Location"] == url(rita_alert) + "#history"

    task = Task.objects.get()
    zone = CompanySettings.load().tzinfo
    assert (task.assignee, task.created_by, task.title) == (
        cast["rep"],
        cast["manager"],
        "Call the old leads",
    )
    assert task.due_at == datetime.combine(later(2), time(17), tzinfo=zone)
    assert url(rita_alert) in task.notes
    assert DeviationAction.objects.get().task == task
    html = client.get(url(rita_alert)).content.decode()
    assert "Call the old leads" in html and f"/tasks/{task.pk}/edit/" in html


def test_form_errors_keep_the_input(cast, rita_alert, client_for):
    client = client_for(cast["manager"])
    response = client.post(
        url(rita_alert, "task"), {"text": "Call the old leads", "due": later(-3)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pick a due date from today on." in html
    assert 'value="Call the old leads"' in html
    response = client.post(
        url(rita_alert, "snooze"), {"version": 1, "until": today(), "text": "Away"}
    )
    assert response.status_code == 400
    assert "Pick a day after today." in response.content.decode()
    assert 'value="Away"' in response.content.decode()
    assert not DeviationAction.objects.exists() and not Task.objects.exists()


def test_a_stale_acknowledgement_is_refused_in_words(cast, rita_alert, client_for):
    services.snooze(episode=rita_alert, by=cast["director"], until=later(4), version=1)
    response = client_for(cast["manager"]).post(url(rita_alert, "acknowledge"), {"version": 1})
    assert response.status_code == 409
    assert "Someone else acknowledged or snoozed this alert" in response.content.decode()
    rita_alert.refresh_from_db()
    assert (rita_alert.acknowledged_at, rita_alert.snoozed_until) == (None, later(4))


def test_acknowledging_ends_a_snooze(cast, rita_alert):
    services.snooze(episode=rita_alert, by=cast["manager"], until=later(4))
    services.acknowledge(episode=rita_alert, by=cast["manager"], text="Handled.")
    rita_alert.refresh_from_db()
    assert (rita_alert.snoozed_until, rita_alert.acknowledged_by, rita_alert.version) == (
        None,
        cast["manager"],
        3,
    )


def test_a_closed_alert_cannot_be_snoozed(cast, client_for):
    closed = episode(rep=cast["rep"], closed_on=today())
    response = client_for(cast["manager"]).post(
        url(closed, "snooze"), {"version": 1, "until": later(2)}
    )
    assert response.status_code == 400
    assert "nothing to snooze" in response.content.decode()


def test_the_rep_reads_the_history_and_who_reads_notes_without_forms(cast, rita_alert, client_for):
    services.add_note(episode=rita_alert, by=cast["manager"], text="Two days off sick.")
    services.acknowledge(episode=rita_alert, by=cast["manager"])
    html = client_for(cast["rep"]).get(url(rita_alert)).content.decode()
    assert "Two days off sick." in html
    assert "seen by Rita Rep and the people who manage them" in html
    assert 'id="read-only"' in html and "<form" not in html.split('id="history"')[1]
    manager_html = client_for(cast["manager"]).get(url(rita_alert)).content.decode()
    assert "Who reads it: Rita Rep and the people who manage them" in manager_html


def test_a_manager_does_not_act_on_their_own_alert(cast, manager):
    own = episode(rep=manager)
    assert not services.may_act_on(own, manager)


def test_the_list_shows_status_and_last_action_and_hides_snoozed_from_open(
    cast, rita_alert, client_for
):
    teammate_alert = episode(rep=cast["teammate"])
    services.add_note(episode=teammate_alert, by=cast["manager"], text="Covering accounts.")
    services.snooze(episode=rita_alert, by=cast["manager"], until=later(6), text="Training")
    client = client_for(cast["manager"])

    response = client.get("/kpis/alerts/")
    rows = {e.pk: e for e in response.context["page"]}
    assert (rows[rita_alert.pk].status, rows[teammate_alert.pk].status) == ("snoozed", "new")
    assert rows[teammate_alert.pk].last_action.text == "Covering accounts."
    assert (response.context["open_count"], response.context["snoozed_count"]) == (1, 1)
    html = response.content.decode()
    assert f"snoozed until {later(6):%a} {later(6).day} {later(6):%b}" in html
    assert "Note: Covering accounts." in html

    def shown(**query):
        return {e.pk for e in client.get("/kpis/alerts/", query).context["page"]}

    assert shown(state="open") == {teammate_alert.pk}
    assert shown(state="snoozed") == {rita_alert.pk}
    assert shown(status="new") == {teammate_alert.pk}
    services.acknowledge(episode=teammate_alert, by=cast["director"])
    assert shown(status="acknowledged") == {teammate_alert.pk}


def test_the_dashboards_leave_snoozed_alerts_out(cast, rita_alert, client_for):
    services.snooze(episode=rita_alert, by=cast["manager"], until=later(6))
    response = client_for(cast["manager"]).get(f"/dashboard/reps/{cast['rep'].pk}/")
    assert response.status_code == 200
    assert rita_alert.pk not in {e.pk for e in response.context["alerts"]}


@pytest.mark.parametrize("path", ["/kpis/alerts/", "detail"])
def test_alert_pages_queries_do_not_grow(
    path, cast, team, client_for, django_assert_max_num_queries
):
    client = client_for(cast["manager"])
    CompanySettings.load(), Holiday.days()  # both cached, as between any two requests
    target = episode(rep=cast["rep"])

    def grow(n):
        for _ in range(n):
            alert = episode(rep=UserFactory(team=team))
            for e in (alert, target):
                services.add_note(episode=e, by=cast["manager"], text="Seen.")
                services.give_task(episode=e, by=cast["director"], text="Call", due=later(1))
                services.acknowledge(episode=e, by=cast["manager"])

    address = url(target) if path == "detail" else path

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    grow(2)
    few = queries()
    grow(20)
    with django_assert_max_num_queries(few):
        assert client.get(address).status_code == 200
