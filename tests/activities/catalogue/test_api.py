"""Lost reasons, pipelines and stages on /api/v1/: listed in order, and what an admin may add."""

from activities.models import LostReason, Stage
from tests.factories.api import invalid, stage


def test_lost_reasons_are_listed_in_order(rep, api_for):
    response = api_for(rep).get("/api/v1/lost-reasons/")

    assert response.status_code == 200
    assert [r["key"] for r in response.data["results"]] == [
        "price",
        "product-fit",
        "timing",
        "competitor",
        "no-budget",
        "no-response",
        "other",
    ]


def test_admin_adds_a_lost_reason(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/lost-reasons/", {"key": "delivery", "name": "Delivery delays", "position": 7}
    )

    assert response.status_code == 201, response.data
    assert LostReason.objects.get(key="delivery").name == "Delivery delays"


def test_pipelines_list_their_stages_in_order(rep, api_for):
    response = api_for(rep).get("/api/v1/pipelines/")

    assert response.status_code == 200
    pipelines = response.data["results"]
    assert [p["key"] for p in pipelines] == ["new-business", "renewals"]
    assert [(s["key"], s["probability"], s["kind"]) for s in pipelines[1]["stages"]] == [
        ("due", 60, "open"),
        ("in-talks", 75, "open"),
        ("quoted", 85, "open"),
        ("won", 100, "won"),
        ("lost", 0, "lost"),
    ]
    assert pipelines[0]["stages"][0] == {
        "id": stage("lead").pk,
        "pipeline": "new-business",
        "key": "lead",
        "name": "Lead",
        "position": 0,
        "probability": 5,
        "kind": "open",
    }


def test_stages_filter_by_pipeline_and_kind(rep, api_for):
    api = api_for(rep)

    renewals = api.get("/api/v1/stages/", {"pipeline": "renewals"})
    won = api.get("/api/v1/stages/", {"kind": "won"})

    assert [s["key"] for s in renewals.data["results"]] == [
        "due",
        "in-talks",
        "quoted",
        "won",
        "lost",
    ]
    assert [(s["pipeline"], s["name"]) for s in won.data["results"]] == [
        ("new-business", "Won"),
        ("renewals", "Renewed"),
    ]


def test_admin_adds_a_stage(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/",
        {
            "pipeline": "renewals",
            "key": "signed",
            "name": "Signed",
            "position": 3,
            "probability": 95,
        },
    )

    assert response.status_code == 201, response.data
    assert Stage.objects.get(pipeline__key="renewals", key="signed").probability == 95


def test_stage_probability_is_a_percentage(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/",
        {"pipeline": "renewals", "key": "sure", "name": "Sure", "probability": 120},
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"probability": ["Ensure this value is less than or equal to 100."]}
    )


def test_stage_keys_are_unique_within_a_pipeline(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/", {"pipeline": "renewals", "key": "won", "name": "Won again"}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["The fields pipeline, key must make a unique set."]}
    )


def test_a_stage_stays_in_its_pipeline(admin, api_for):
    response = api_for(admin).patch(f"/api/v1/stages/{stage('lead').pk}/", {"pipeline": "renewals"})

    assert response.status_code == 400
    assert response.data == invalid(
        {"pipeline": ["A stage cannot move to another pipeline; its deals stay."]}
    )
