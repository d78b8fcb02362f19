"""GET /api/v1/dashboards/company/: the director/admin dashboard for machines.

Admins: the company (or ?division=); directors: their division; managers, reps and
another division: 404 with the standard error body. Figures: test_company's March.
"""

import pytest

from tests.cast import ROLES
from tests.reporting.company.test_selectors import catalogue, goals, march  # noqa: F401  (fixtures)

URL = "/api/v1/dashboards/company/"
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_company_dashboard(role, march, cast, api_for):  # noqa: F811
    response = api_for(cast[role]).get(URL, MARCH)
    if role == "admin":
        assert response.status_code == 200
        assert response.data["scope"]["key"] == "company"
        assert [(r["label"], r["total"]) for r in response.data["breakdown"]] == [
            ("North", "3800.00"),
            ("South", "700.00"),
        ]
    elif role == "director":
        assert response.status_code == 200
        assert response.data["scope"]["label"] == "Division North"
        assert response.data["breakdown_by"] == "team"
        assert [t["name"] for t in response.data["teams"]] == ["Alpha", "Beta"]
    else:
        assert response.status_code == 404
        assert response.data["code"] == "not_found"


def test_director_asking_for_another_division_is_404(cast, south, api_for):
    assert api_for(cast["director"]).get(URL, {"division": south.pk}).status_code == 404
    assert api_for(cast["admin"]).get(URL, {"division": south.pk}).status_code == 200


def test_figures(goals, cast, api_for):  # noqa: F811
    data = api_for(cast["admin"]).get(URL, MARCH).data
    assert (data["previous_start"], data["previous_end"]) == ("2025-01-25", "2025-02-24")
    totals = {t["metric"]: t for t in data["totals"]}
    assert (totals["sales-value"]["total"], totals["sales-value"]["previous"]) == (
        "4500.00",
        "1400.00",
    )
    assert totals["sales-value"]["change_percent"] == "221.4"
    assert totals["calls"]["change_percent"] == "-25.0"
    assert [p["label"] for p in data["products"]] == ["Widget", "Gadget", "No product"]
    assert len(data["day_by_day"]) == 31 and len(data["week_over_week"]) == 12
    assert len(data["month_over_month"]) == 12
    assert [(y["label"], y["total"], y["compared_with"]) for y in data["year_over_year"]] == [
        ("Jan", "400.00", None),  # nothing logged in January 2024
        ("Feb", "1000.00", "100.00"),
        ("Mar", "4500.00", "800.00"),
    ]
    ranking = data["top_bottom_by_attainment"]
    assert [t["name"] for t in ranking["top"]] == ["Alpha"]
    assert [(t["name"], t["mean_attainment_percent"]) for t in ranking["bottom"]] == [
        ("Beta", "50.0")
    ]
    assert data["top_bottom_by_value_per_rep"]["top"][0]["per_rep"] == "1750.00"
    assert sorted((g["owner"], g["attainment_percent"]) for g in data["goals"]) == [
        ("Company", "50.0"),
        ("North", "95.0"),
    ]


def test_metric_choice(march, cast, api_for):  # noqa: F811
    data = api_for(cast["admin"]).get(URL, {**MARCH, "metric": "calls"}).data
    assert data["metric"] == "calls"
    assert [r["total"] for r in data["breakdown"]] == ["15.00", "0.00"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"start": "2025-03-31", "end": "2025-03-01"}, "end"),
        ({"start": "2025-03-01"}, "end"),
        ({"start": "yesterday", "end": "2025-03-01"}, "start"),
        ({"division": "north"}, "division"),
        ({"metric": "no-such-metric"}, "metric"),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "start"),
        ({"start": "2025-03-01", "end": "9999-12-31"}, "end"),
    ],
)
def test_bad_queries_are_400(query, field, cast, api_for):
    response = api_for(cast["admin"]).get(URL, query)
    assert response.status_code == 400
    assert field in str(response.data)


def test_in_the_schema(cast, api_for):
    response = api_for(cast["admin"]).get("/api/schema/", {"format": "json"})
    assert "/api/v1/dashboards/company/" in response.json()["paths"]
