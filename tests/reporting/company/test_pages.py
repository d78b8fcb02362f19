"""The director/admin dashboard page (/company/): who opens it, its CSVs, its query count.

Managers and reps get a 404 (their dashboards are elsewhere): the page gives
nothing away about the company's numbers.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Metric, Product
from salesmgmt.models import CompanySettings
from tests.cast import ROLES
from tests.factories import ActivityFactory, TeamFactory, UserFactory
from tests.reporting.company.test_selectors import catalogue, goals, march  # noqa: F401  (fixtures)

URL = reverse("company:dashboard")
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
TABLES = ["totals", "breakdown", "products", "channels", "days", "weeks", "months", "years", "teams", "goals"]  # fmt: skip


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_per_role(role, march, cast, client_for):  # noqa: F811
    response = client_for(cast[role]).get(URL, MARCH)
    if role == "admin":
        assert response.status_code == 200
        data = response.context["data"]
        assert data.scope.is_company and data.breakdown_label == "Division"
        assert [(r.label, r.total) for r in data.breakdown] == [
            ("North", Decimal("3800")),
            ("South", Decimal("700")),
        ]
    elif role == "director":
        assert response.status_code == 200
        data = response.context["data"]
        assert data.scope.label == "Division North" and data.breakdown_label == "Team"
        assert [(t.team.name, t.total) for t in data.breakdown] == [
            ("Alpha", Decimal("3500")),
            ("Beta", Decimal("300")),
        ]
        assert b"Gamma" not in response.content
    else:
        assert response.status_code == 404


def test_director_cannot_drill_into_another_division(cast, south, north, client_for):
    assert client_for(cast["director"]).get(URL, {"division": south.pk}).status_code == 404
    assert client_for(cast["director"]).get(URL, {"division": north.pk}).status_code == 200


def test_admin_drills_into_a_division(march, cast, south, client_for):  # noqa: F811
    response = client_for(cast["admin"]).get(URL, {**MARCH, "division": south.pk})
    assert response.status_code == 200
    data = response.context["data"]
    assert [(t.team.name, t.total) for t in data.breakdown] == [("Gamma", Decimal("700"))]
    assert [t.metric.key for t in data.totals if t.current] == ["sales-value"]


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_bad_division_is_404(value, cast, client_for):
    assert client_for(cast["admin"]).get(URL, {"division": value}).status_code == 404


def test_range_defaults_to_month_to_date(cast, client_for):
    today = CompanySettings.load().today()
    for query in ({}, {"start": "2025-03-31", "end": "2025-03-01"}, {"start": "junk"}):
        data = client_for(cast["admin"]).get(URL, query).context["data"]
        assert (data.start, data.end) == (today.replace(day=1), today)


def test_page_has_charts_with_their_tables(march, cast, client_for):  # noqa: F811
    html = client_for(cast["admin"]).get(URL, MARCH).content.decode()
    for chart in ("breakdown", "days", "weeks", "months", "years"):
        assert f'data-chart="chart-{chart}"' in html and f'id="chart-{chart}"' in html
    assert "includes/charts" not in html and "chart-4.6.1" in html
    for table in TABLES:
        assert f"export={table}" in html


@pytest.mark.parametrize("table", TABLES)
def test_every_table_exports_to_csv(table, march, goals, cast, client_for):  # noqa: F811
    response = client_for(cast["admin"]).get(URL, {**MARCH, "export": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert len(rows) > 1


def test_csv_figures(march, goals, cast, client_for):  # noqa: F811
    client = client_for(cast["admin"])
    totals = {r[0]: r for r in rows_of(client.get(URL, {**MARCH, "export": "totals"}))}
    assert totals["Sales value"][1:4] == ["money", "4500.00", "1400.00"]
    assert totals["Sales value"][6] == "221.4"
    weeks = rows_of(client.get(URL, {**MARCH, "export": "weeks"}))
    assert weeks[0] == ["start", "end", "metric", "total", "previous", "change_percent"]
    assert weeks[-1] == ["2025-03-31", "2025-03-31", "sales-value", "700.00", "0.00", ""]
    teams = {r[0]: r for r in rows_of(client.get(URL, {**MARCH, "export": "teams"}))}
    assert teams["Alpha"] == ["Alpha", "North", "3500.00", "2", "1750.00", "2", "110.0"]


def test_director_csv_is_their_division(march, cast, client_for):  # noqa: F811
    rows = rows_of(client_for(cast["director"]).get(URL, {**MARCH, "export": "teams"}))
    assert [r[0] for r in rows[1:]] == ["Alpha", "Beta"]


def test_unknown_export_is_404(cast, client_for):
    assert client_for(cast["admin"]).get(URL, {"export": "secrets"}).status_code == 404


def test_csv_is_formula_safe(march, cast, client_for):  # noqa: F811
    evil = Product.objects.create(sku="evil", name='=HYPERLINK("http://x","click")')
    ActivityFactory(
        rep=cast["rep"],
        day=date(2025, 3, 4),
        metric=march["sales"],
        quantity=Decimal("5"),
        product=evil,
    )
    rows = rows_of(client_for(cast["admin"]).get(URL, {**MARCH, "export": "products"}))
    assert ['\'=HYPERLINK("http://x","click")', "sales-value", "5.00", "0.1"] in rows


# --- Query count ----------------------------------------------------------------------------------


def _grow(cast, *, reps: int, months: int):
    """``reps`` more reps (one new team for every 5) logging sales for ``months`` months."""
    sales = Metric.objects.get(key="sales-value")
    calls = Metric.objects.get(key="calls")
    team = None
    for n in range(reps):
        if n % 5 == 0:
            team = TeamFactory(division=cast["director"].division)
        rep = UserFactory(team=team)
        for m in range(months):
            day = date(2025, 3, 28) - timedelta(days=30 * m)
            ActivityFactory(rep=rep, metric=sales, day=day, quantity=Decimal("10"))
            ActivityFactory(rep=rep, metric=calls, day=day, quantity=Decimal("3"))


@pytest.mark.parametrize("role", ["admin", "director"])
def test_query_count_does_not_grow_with_reps_or_history(role, goals, cast, client_for):  # noqa: F811
    client = client_for(cast[role])
    assert client.get(URL, MARCH).status_code == 200  # warms the settings cache
    counts = []
    for reps, months in ((5, 1), (50, 12)):
        _grow(cast, reps=reps, months=months)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, MARCH).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 22


def test_director_without_a_division_is_told_so(db, client_for):
    """The nav links a director to /company/; without a division they get a page, not a 404."""
    director = UserFactory(role="director", division=None)
    response = client_for(director).get(URL)
    assert response.status_code == 200
    assert b'id="no-division"' in response.content
