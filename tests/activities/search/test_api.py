"""The global search on /api/v1/search/: the page's groups, in the same scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.cast import REP_ROWS_SEEN, ROLES
from tests.factories.customers import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


def names(data) -> dict[str, set[str]]:
    return {
        "customers": {c["name"] for c in data["customers"]["results"]},
        "contacts": {c["name"] for c in data["contacts"]["results"]},
        "deals": {d["title"] for d in data["deals"]["results"]},
        "reps": {r["username"] for r in data["reps"]["results"]},
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_what_it_may_see(role, cast, books, api_for):
    response = api_for(cast[role]).get(URL, {"q": "harbour"})

    assert response.status_code == 200
    seen = REP_ROWS_SEEN[role]
    assert names(response.data) == {
        "customers": {f"Harbour {name} ltd" for name in seen},
        "contacts": {f"Harbour contact of {name}" for name in seen},
        "deals": {f"Harbour deal of {name}" for name in seen},
        "reps": set(),
    }
    assert response.data["customers"]["count"] == len(seen)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_the_reps_it_may_see(role, cast, api_for):
    response = api_for(cast[role]).get(URL, {"q": "example.com"})

    assert names(response.data)["reps"] == {cast[name].username for name in REP_ROWS_SEEN[role]}


def test_an_outsider_finds_nothing(outsider, books, api_for):
    response = api_for(outsider).get(URL, {"q": "harbour"})

    assert response.status_code == 200
    assert [
        response.data[kind]["count"] for kind in ("customers", "contacts", "deals", "reps")
    ] == [
        0,
        0,
        0,
        0,
    ]


def test_anonymous_is_refused(books):
    response = APIClient().get(URL, {"q": "harbour"})

    assert response.status_code in (401, 403)
    assert "customers" not in response.json()


def test_the_results_say_what_each_row_is(cast, books, api_for):
    customer, contact, deal = books["rep"]

    data = api_for(cast["rep"]).get(URL, {"q": "rep"}).data

    assert data["q"] == "rep"
    assert data["customers"] == {
        "count": 1,
        "results": [
            {
                "id": customer.pk,
                "name": "Harbour rep ltd",
                "status": "prospect",
                "city": "Athens",
                "phone": "(415) 555-0101",
                "email": "office@rep.harbour.test",
                "owner": cast["rep"].pk,
            }
        ],
    }
    assert data["contacts"]["results"] == [
        {
            "id": contact.pk,
            "name": "Harbour contact of rep",
            "role": "",
            "phone": "212-555-0101",
            "email": "buyer@rep.harbour.test",
            "customer": {"id": customer.pk, "name": "Harbour rep ltd"},
        }
    ]
    assert data["deals"]["results"] == [
        {
            "id": deal.pk,
            "title": "Harbour deal of rep",
            "customer": {"id": customer.pk, "name": "Harbour rep ltd"},
            "stage": {"key": "proposal", "name": deal.stage.name, "kind": "open"},
            "amount": "1000.00",
            "expected_close": deal.expected_close.isoformat(),
            "owner": cast["rep"].pk,
        }
    ]
    assert data["reps"]["results"] == [
        {
            "id": cast["rep"].pk,
            "name": "Rita Rep",
            "username": "rep",
            "email": "rep@example.com",
            "team": {"id": cast["rep"].team_id, "name": "Alpha"},
            "is_active": True,
        }
    ]


@pytest.mark.parametrize("q", ["4155550102", "415 555-0102", "office@teammate"])
def test_matches_by_phone_and_email(q, cast, books, api_for):
    data = api_for(cast["manager"]).get(URL, {"q": q}).data

    assert names(data)["customers"] == {"Harbour teammate ltd"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": ""}, "q"), ({"q": " a "}, "q"), ({"q": "x" * 101}, "q")]
    + [({"q": "harbour", "limit": limit}, "limit") for limit in ("0", "51", "many")],
)
def test_a_bad_query_answers_400_with_the_fields_message(params, field, rep, api_for):
    response = api_for(rep).get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]


def test_limit_caps_each_group_and_count_says_how_many_match(rep, api_for):
    for n in range(4):
        DealFactory(customer=CustomerFactory(owner=rep, name=f"Zephyr {n}"))

    data = api_for(rep).get(URL, {"q": "zephyr", "limit": 2}).data

    assert [c["name"] for c in data["customers"]["results"]] == ["Zephyr 0", "Zephyr 1"]
    assert data["customers"]["count"] == 4
    assert len(data["deals"]["results"]) == 2
    assert data["deals"]["count"] == 4


def test_the_query_count_stays_the_same_as_data_grows(
    cast, books, api_for, django_assert_max_num_queries
):
    api = api_for(cast["admin"])
    with CaptureQueriesContext(connection) as few:
        api.get(URL, {"q": "harbour", "limit": 3})
    for n in range(20):
        DealFactory(customer=CustomerFactory(owner=cast["south_rep"], name=f"Harbour x{n}"))

    with django_assert_max_num_queries(len(few)) as many:
        response = api.get(URL, {"q": "harbour", "limit": 3})

    assert response.data["customers"]["count"] == 24
    assert len(many) == len(few)


def test_the_schema_describes_the_search(rep, api_for):
    schema = api_for(rep).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    results = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(results["properties"]) == {"q", "customers", "contacts", "deals", "reps"}
