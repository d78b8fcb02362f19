"""KPIs through the API: definitions (read by all), values per scope (scoped like the KPI
page: 404 outside, 400 for a malformed scope), and deviation episodes (scoped like the
alerts page)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Metric
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.models import CompanySettings, Holiday
from tests.cast import ROLES
from tests.factories import ActivityFactory, UserFactory

WEEK = {"start": "2025-03-03", "end": "2025-03-09"}
D = Decimal


def log(rep, key, quantity, day=date(2025, 3, 4)):
    ActivityFactory(rep=rep, metric=Metric.objects.get(key=key), day=day, quantity=D(quantity))


# --- definitions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_everyone_reads_the_definitions_and_nobody_writes_them(who, cast, api_for):
    api = api_for(cast[who])
    response = api.get("/api/v1/kpis/")
    assert response.status_code == 200
    assert response.data["count"] == 8
    hit = Kpi.objects.get(key="hit-rate")
    detail = api.get(f"/api/v1/kpis/{hit.pk}/").data
    assert (detail["metric"], detail["denominator"], detail["unit"]) == (
        "sales-closed",
        "appointments-held",
        "percent",
    )
    assert detail["definition"] == (
        "Sales closed / Appointments held logged in the period, in percent."
    )
    assert api.post("/api/v1/kpis/", {"name": "x"}).status_code == 405
    assert api.patch(f"/api/v1/kpis/{hit.pk}/", {"target": "1"}).status_code == 405
    assert api.delete(f"/api/v1/kpis/{hit.pk}/").status_code == 405
    assert Kpi.objects.get(pk=hit.pk).target == D("30")


def test_definitions_filter_by_kind(cast, api_for):
    response = api_for(cast["rep"]).get("/api/v1/kpis/", {"kind": "ratio"})
    assert {row["key"] for row in response.data["results"]} == {"held-rate", "hit-rate"}


@pytest.mark.django_db  # the language of a visitor falls back on the company's
def test_anonymous_gets_401(client):
    assert client.get("/api/v1/kpis/values/").status_code in (401, 403)
    assert client.get("/api/v1/alerts/").status_code in (401, 403)


# --- values ---------------------------------------------------------------------------------------


@pytest.fixture
def week(cast):
    log(cast["rep"], "calls", 130)
    log(cast["teammate"], "calls", 60)
    log(cast["other_team_rep"], "calls", 90)
    log(cast["south_rep"], "calls", 20)
    log(cast["rep"], "appointments-held", 10)
    log(cast["rep"], "sales-closed", 3)
    log(cast["teammate"], "appointments-held", 6)
    log(cast["teammate"], "sales-closed", 1)


def by_key(response) -> dict:
    return {row["key"]: row for row in response.data["values"]}


def test_team_values_pin_the_figures(cast, team, week, api_for):
    response = api_for(cast["manager"]).get(
        "/api/v1/kpis/values/", {"scope": f"team:{team.pk}", **WEEK}
    )

    assert response.status_code == 200
    assert response.data["scope"] == {"key": f"team:{team.pk}", "label": "Team Alpha", "reps": 2}
    values = by_key(response)
    assert len(values) == 8
    calls = values["calls-per-week"]
    assert {k: calls[k] for k in ("value", "target", "amber", "red", "status", "unit")} == {
        "value": "95.00",
        "target": "120.00",
        "amber": "100.00",
        "red": "80.00",
        "status": "amber",
        "unit": "count",
    }
    assert (calls["numerator"], calls["denominator"]) == ("190.00", "2.00")
    hit = values["hit-rate"]  # (3 + 1) / (10 + 6)
    assert (hit["value"], hit["status"], hit["unit"]) == ("25.00", "green", "percent")
    assert values["avg-deal-size"]["value"] is None
    assert values["avg-deal-size"]["status"] == ""
    assert (calls["start"], calls["end"]) == ("2025-03-03", "2025-03-09")


def test_without_dates_each_kpi_runs_over_its_own_current_period(cast, api_for):
    company = CompanySettings.load()
    today = company.today()
    values = by_key(api_for(cast["rep"]).get("/api/v1/kpis/values/"))
    week_start = company.week_of(today)
    assert values["calls-per-week"]["start"] == week_start.isoformat()
    assert values["calls-per-week"]["end"] == (week_start + timedelta(6)).isoformat()
    assert values["hit-rate"]["start"] == today.replace(day=1).isoformat()


SCOPES = ["me", "teammate", "south_rep", "alpha", "beta", "gamma", "north", "south", "company"]
ALLOWED = {
    "rep": {"me", "alpha"},
    "teammate": {"teammate", "alpha"},
    "other_team_rep": {"beta"},
    "south_rep": {"south_rep", "gamma"},
    "manager": {"me", "teammate", "alpha"},
    "other_manager": {"beta"},
    "south_manager": {"south_rep", "gamma"},
    # A director's "company" is their division, as on the /company/ page.
    "director": {"me", "teammate", "alpha", "beta", "north", "company"},
    "admin": {"me", "teammate", "south_rep", "alpha", "beta", "gamma", "north", "south", "company"},
}


@pytest.mark.parametrize("who", ROLES)
def test_values_scope_by_role(who, cast, team, other_team, south_team, north, south, api_for):
    keys = {
        "me": f"rep:{cast['rep'].pk}",
        "teammate": f"rep:{cast['teammate'].pk}",
        "south_rep": f"rep:{cast['south_rep'].pk}",
        "alpha": f"team:{team.pk}",
        "beta": f"team:{other_team.pk}",
        "gamma": f"team:{south_team.pk}",
        "north": f"division:{north.pk}",
        "south": f"division:{south.pk}",
        "company": "company",
    }
    api = api_for(cast[who])
    for name in SCOPES:
        response = api.get("/api/v1/kpis/values/", {"scope": keys[name], **WEEK})
        expected = 200 if name in ALLOWED[who] else 404
        assert response.status_code == expected, (who, name)
        if expected == 404:
            assert response.data == {"status": 404, "code": "not_found", "detail": "Not found."}


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("rep", "rep"),
        ("manager", "team"),
        ("director", "division"),
        ("admin", "company"),
    ],
)
def test_default_scope_is_the_widest_view(who, scope, cast, team, north, api_for):
    response = api_for(cast[who]).get("/api/v1/kpis/values/")
    assert response.status_code == 200
    assert response.data["scope"]["key"].partition(":")[0] == scope


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"scope": "planet:3"}, "scope"),
        ({"scope": "team:abc"}, "scope"),
        ({"scope": "team"}, "scope"),
        ({"start": "2025-03-01"}, "end"),
        ({"start": "2025-03-09", "end": "2025-03-01"}, "end"),
        ({"start": "yesterday", "end": "2025-03-01"}, "start"),
        # A millennium used to be measured (a CASE arm per week of it): a year at most.
        ({"start": "1970-01-01", "end": "2999-12-31"}, "end"),
        ({"start": "2025-01-01", "end": "2026-01-02"}, "end"),
    ],
)
def test_bad_queries_answer_400_with_the_field(query, field, cast, api_for):
    response = api_for(cast["admin"]).get("/api/v1/kpis/values/", query)
    assert response.status_code == 400
    assert field in response.data["errors"]


def test_values_queries_do_not_grow_with_reps(cast, team, api_for):
    api = api_for(cast["manager"])
    CompanySettings.load(), Holiday.days()  # both cached, as between any two requests

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/kpis/values/", {"scope": f"team:{team.pk}"}).status_code == 200
        return len(captured)

    for _ in range(3):
        log(UserFactory(team=team), "calls", 10, day=CompanySettings.load().today())
    few = queries()
    for _ in range(45):
        log(UserFactory(team=team), "calls", 10, day=CompanySettings.load().today())
    assert queries() == few


# --- alerts ---------------------------------------------------------------------------------------


def episode(*, severity="amber", closed_on=None, **owner):
    today = CompanySettings.load().today()
    return DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        period_start=today,
        severity=severity,
        opened_on=today,
        closed_on=closed_on,
        actual=D("31"),
        expected=D("48"),
        url="/dashboard/",
        **owner,
    )


@pytest.fixture
def alerts(cast):
    long_ago = CompanySettings.load().today() - timedelta(days=90)
    return {
        "rep": episode(rep=cast["rep"], severity="red"),
        "rep_closed": episode(rep=cast["rep"], closed_on=long_ago),
        "teammate": episode(rep=cast["teammate"]),
        "other_team_rep": episode(rep=cast["other_team_rep"]),
        "south_rep": episode(rep=cast["south_rep"]),
    }


ALERTS_SEEN = {
    "rep": {"rep", "rep_closed"},
    "teammate": {"teammate"},
    "other_team_rep": {"other_team_rep"},
    "south_rep": {"south_rep"},
    "manager": {"rep", "rep_closed", "teammate"},
    "other_manager": {"other_team_rep"},
    "south_manager": {"south_rep"},
    "director": {"rep", "rep_closed", "teammate", "other_team_rep"},
    "admin": {"rep", "rep_closed", "teammate", "other_team_rep", "south_rep"},
}


@pytest.mark.parametrize("who", ROLES)
def test_alerts_are_scoped(who, cast, alerts, api_for):
    api = api_for(cast[who])
    response = api.get("/api/v1/alerts/", {"page_size": 500})
    assert response.status_code == 200
    assert {row["id"] for row in response.data["results"]} == {
        alerts[name].pk for name in ALERTS_SEEN[who]
    }
    for name, e in alerts.items():
        expected = 200 if name in ALERTS_SEEN[who] else 404
        assert api.get(f"/api/v1/alerts/{e.pk}/").status_code == expected
    assert api.delete(f"/api/v1/alerts/{alerts['rep'].pk}/").status_code == 405


def test_alert_body_and_filters(cast, alerts, api_for):
    api = api_for(cast["manager"])

    row = api.get(f"/api/v1/alerts/{alerts['rep'].pk}/").data
    assert {
        k: row[k] for k in ("subject", "owner", "severity", "is_open", "actual", "expected")
    } == {
        "subject": "Calls per rep per week",
        "owner": "Rita Rep",
        "severity": "red",
        "is_open": True,
        "actual": "31.00",
        "expected": "48.00",
    }

    def ids(**query):
        return {r["id"] for r in api.get("/api/v1/alerts/", query).data["results"]}

    assert ids(open="true") == {alerts["rep"].pk, alerts["teammate"].pk}
    assert ids(open="false") == {alerts["rep_closed"].pk}
    assert ids(severity="red") == {alerts["rep"].pk}
    assert ids(rep=cast["teammate"].pk) == {alerts["teammate"].pk}
    response = api.get("/api/v1/alerts/", {"rep": cast["south_rep"].pk})
    assert response.status_code == 400  # outside the scope: not a valid choice


def test_alerts_list_queries_do_not_grow(cast, team, api_for):
    api = api_for(cast["manager"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/alerts/").status_code == 200
        return len(captured)

    for _ in range(5):
        episode(rep=UserFactory(team=team))
    few = queries()
    for _ in range(45):
        episode(rep=UserFactory(team=team))
    assert queries() == few
