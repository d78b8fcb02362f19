"""Funnel and forecast figures on /api/v1/reports/."""

from datetime import timedelta

import pytest

from activities.deals import services
from activities.models import LostReason
from tests.factories.api import invalid, make_deal, stage
from tests.factories.tasks import company_day


def move(deal, key, by, **kwargs):
    return services.move_deal(deal=deal, to_stage=stage(key), by=by, **kwargs)


@pytest.fixture
def history(rep, teammate, other_team_rep):
    """Alpha: one deal lead -> contacted -> proposal -> won (1,000), one lead -> lost
    (500). Beta: one deal still in Lead, outside team Alpha's figures."""
    won = make_deal(rep, amount="1000.00")
    move(won, "contacted", rep)
    move(won, "proposal", rep)
    move(won, "won", rep)
    lost = make_deal(teammate, amount="500.00")
    move(lost, "lost", teammate, lost_reason=LostReason.objects.get(key="price"))
    make_deal(other_team_rep, amount="9000.00")


def stage_rows(body):
    return [
        (s["stage"], s["entered"], s["advanced"], s["conversion"], s["stays"])
        for s in body["stages"]
    ]


def test_funnel_for_a_team_and_period(history, team, manager, api_for):
    day = str(company_day())

    response = api_for(manager).get(
        "/api/v1/reports/funnel/", {"scope": "team", "team": team.pk, "start": day, "end": day}
    )

    assert response.status_code == 200, response.data
    body = response.data
    assert body["scope"] == {"key": f"team:{team.pk}", "label": "Team Alpha"}
    assert body["pipeline"] == "new-business"
    assert (body["period"]["key"], body["period"]["start"], body["period"]["end"]) == (
        "custom",
        day,
        day,
    )
    assert stage_rows(body) == [
        ("lead", 2, 1, "50.0", 2),
        ("contacted", 1, 1, "100.0", 1),
        ("appointment-set", 0, 0, None, 0),
        ("appointment-held", 0, 0, None, 0),
        ("proposal", 1, 1, "100.0", 1),
        ("negotiation", 0, 0, None, 0),
        ("won", 1, 0, None, 0),
    ]
    assert body["stages"][0]["avg_days"] == "0.0"
    assert body["outcomes"] == {
        "won": 1,
        "lost": 1,
        "hit_rate": "50.0",
        "won_amount": "1000.00",
        "avg_deal_size": "1000.00",
        "avg_cycle_days": "0.0",
    }


def test_funnel_defaults_to_this_month_and_the_callers_widest_scope(history, director, api_for):
    response = api_for(director).get("/api/v1/reports/funnel/")

    assert response.status_code == 200, response.data
    assert response.data["scope"]["key"] == f"division:{director.division_id}"
    assert response.data["period"]["key"] == "month"
    assert response.data["stages"][0]["entered"] == 3  # Alpha's two and Beta's one


def test_funnel_of_another_pipeline_is_empty(history, manager, api_for):
    response = api_for(manager).get("/api/v1/reports/funnel/", {"pipeline": "renewals"})

    assert response.status_code == 200
    assert [s["stage"] for s in response.data["stages"]] == ["due", "in-talks", "quoted", "won"]
    assert response.data["outcomes"]["won"] == 0
    assert response.data["outcomes"]["hit_rate"] is None


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"scope": "team"}, {"team": ["Say which team: scope=team needs team=<id>."]}),
        ({"scope": "galaxy"}, {"scope": ['"galaxy" is not a valid choice.']}),
        ({"start": "2026-11-01"}, {"end": ["Give both start and end, or neither."]}),
        (
            {"start": "2026-11-10", "end": "2026-11-01"},
            {"end": ["end must not be before start."]},
        ),
        ({"pipeline": "nope"}, {"pipeline": ["No active pipeline 'nope'."]}),
    ],
)
def test_bad_report_queries_are_400(query, errors, manager, api_for):
    response = api_for(manager).get("/api/v1/reports/funnel/", query)

    assert response.status_code == 400
    assert response.data == invalid(errors)


def test_forecast_for_this_month_and_quarter(rep, manager, team, api_for):
    close = company_day()
    make_deal(rep, stage_key="proposal", amount="2000.00", expected_close=close)
    make_deal(rep, stage_key="lead", amount="1000.00", probability=80, expected_close=close)
    make_deal(rep, stage_key="won", amount="700.00", expected_close=close)
    make_deal(rep, stage_key="lead", amount="5000.00", expected_close=close + timedelta(days=400))

    response = api_for(manager).get("/api/v1/reports/forecast/", {"scope": "team", "team": team.pk})

    assert response.status_code == 200, response.data
    body = response.data
    assert (body["scope"]["key"], body["pipeline"], body["commit_probability"]) == (
        f"team:{team.pk}",
        None,
        70,
    )
    figures = [
        (p["key"], p["open_deals"], p["weighted"], p["best_case"], p["commit"], p["won_to_date"])
        for p in body["periods"]
    ]
    assert figures == [
        ("month", 2, "1900.00", "3000.00", "1000.00", "700.00"),
        ("quarter", 2, "1900.00", "3000.00", "1000.00", "700.00"),
    ]


def test_forecast_of_one_pipeline(rep, api_for):
    make_deal(rep, stage_key="proposal", amount="2000.00", expected_close=company_day())

    response = api_for(rep).get("/api/v1/reports/forecast/", {"pipeline": "renewals"})

    assert response.status_code == 200
    assert response.data["scope"] == {"key": "me", "label": "Me"}
    assert response.data["periods"][0]["open_deals"] == 0
