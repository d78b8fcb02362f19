""" "Sales credited" on the dashboards (pages and API): the same rows commission counts.

Rita (rep) has, this month to date, one won deal (1,000) and two walk-ins (300, 200);
her teammate one walk-in (400). A sale last month and a lost deal do not count.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.log.selectors import credited_sales_of
from reporting.commissions.selectors import compute
from reporting.reviews.selectors import compute_figures
from tests.factories.deals import DealFactory, stage
from tests.factories.tasks import company_day
from tests.reporting.commissions.test_selectors import make_plan, walk_in, won


@pytest.fixture
def sales(cast, team):
    today = company_day()
    first = today.replace(day=1)
    won(cast["rep"], "1000.00", first, title="Harbour renewal")
    walk_in(cast["rep"], "300.00", first)
    walk_in(cast["rep"], "200.00", today)
    walk_in(cast["rep"], "5000.00", first - timedelta(days=1))  # last month
    DealFactory(owner=cast["rep"], stage=stage("lost"), amount=Decimal("9000"), closed_on=today)
    walk_in(cast["teammate"], "400.00", today)
    return today


def test_the_rep_dashboard_says_what_the_sales_are(sales, cast, client_for):
    response = client_for(cast["rep"]).get(reverse("dashboards:me"))
    c = response.context["credited_sales"]
    assert (c.count, c.value, c.won_deals, c.won_value, c.walk_ins, c.walk_in_value) == (
        Decimal("3"),
        Decimal("1500.00"),
        Decimal("1"),
        Decimal("1000.00"),
        Decimal("2"),
        Decimal("500.00"),
    )
    html = response.content.decode()
    assert 'id="sales"' in html
    assert "USD 1,500.00" in html
    assert "1 won deal, USD 1,000.00; 2 walk-in sales, USD 500.00" in html


def test_the_tile_is_the_commission_base(sales, cast):
    """The dashboard's month-to-date figure is what the statement would pay on."""
    plan = make_plan(cast["rep"], rate="5", quota_key=None)
    computed = compute(rep=cast["rep"], plan=plan, month=sales.replace(day=1), as_of=sales)
    tile = credited_sales_of([cast["rep"].pk], start=sales.replace(day=1), end=sales)
    assert computed.credited == tile
    assert computed.credited_value == Decimal("1500.00")


def test_the_team_dashboard_adds_up_its_reps(sales, cast, team, client_for):
    response = client_for(cast["manager"]).get(reverse("dashboards:team"), {"team": team.pk})
    c = response.context["credited_sales"]
    assert (c.count, c.value, c.won_deals, c.walk_ins) == (
        Decimal("4"),
        Decimal("1900.00"),
        Decimal("1"),
        Decimal("3"),
    )
    board = {s.rep.username: s.sales_value for s in response.context["leaderboard"]}
    assert board["rep"] == Decimal("1500.00")
    assert board["teammate"] == Decimal("400.00")
    assert "Sales credited" in response.content.decode()


def test_the_api_has_the_same_figures(sales, cast, api_for):
    body = api_for(cast["rep"]).get("/api/v1/dashboards/me/").data
    assert {k: str(v) for k, v in body["sales"].items()} == {
        "count": "3.00",
        "value": "1500.00",
        "won_deals": "1.00",
        "won_value": "1000.00",
        "walk_ins": "2.00",
        "walk_in_value": "500.00",
    }


def test_the_tile_costs_one_query_whatever_the_sales(sales, cast, client_for):
    client = client_for(cast["rep"])
    url = reverse("dashboards:me")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    few = count()
    for n in range(20):
        walk_in(cast["rep"], "10.00", sales)
        won(cast["rep"], "20.00", sales, title=f"Deal {n}")
    assert count() == few


def test_the_monthly_review_card_counts_the_same_sales(sales, cast):
    """The review's "Sales credited" card (where "Deals won" sat beside the sales figures)."""
    figures = compute_figures(cast["rep"], sales.replace(day=1))
    assert figures["sales"] == {
        "count": "3",
        "value": "1500.00",
        "won_deals": "1",
        "won_value": "1000.00",
        "walk_ins": "2",
        "walk_in_value": "500.00",
    }
    assert figures["pipeline"]["won"] == 1  # the deals stay in the pipeline section
