"""The open pipeline by stage: one selector (activities.deals.selectors.pipeline_by_stage)
behind the pipeline board, the rep dashboard (page and CSV) and the company report, so
a weighted figure is the same to the cent on each; and which pipeline a key names.

Weighted = amount x (the deal's probability, else its stage's) / 100, summed by the
database at full precision; each stage's sum and the open total are rounded once.
The amounts below leave a fraction of a cent per stage (Lead 400.004, Proposal 210.004)
that only rounding the total once keeps (610.008 -> 610.01; adding the rounded stage
figures gave 610.00).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.deals import selectors as deals_selectors
from activities.models import Deal, Pipeline
from reporting.company.report import company_report_context
from tests.factories.deals import DealFactory, stage
from tests.factories.tasks import company_day


@pytest.fixture
def rita_pipeline(rep):
    """Rita's deals: Lead 1000.01 at 40% (its own), Proposal 250.01 at 40% (its own) and
    200.00 at the stage's 55%, a Renewals deal 100.00 at In talks (75%), and a deal won
    last week (on the board's Won column, never in the open totals)."""
    DealFactory(owner=rep, stage=stage("lead"), amount=Decimal("1000.01"), probability=40)
    DealFactory(owner=rep, stage=stage("proposal"), amount=Decimal("250.01"), probability=40)
    DealFactory(owner=rep, stage=stage("proposal"), amount=Decimal("200.00"))
    DealFactory(
        owner=rep,
        pipeline=Pipeline.objects.get(key="renewals"),
        stage=stage("in-talks", "renewals"),
        amount=Decimal("100.00"),
    )
    DealFactory(
        owner=rep,
        stage=stage("won"),
        amount=Decimal("999.99"),
        closed_on=company_day() - timedelta(days=7),
    )
    return rep


def test_lines_per_stage_in_pipeline_and_stage_order(rita_pipeline):
    figures = deals_selectors.pipeline_by_stage(Deal.objects.filter(owner=rita_pipeline).open())
    assert [(s.pipeline, s.stage, s.count, s.amount, s.weighted) for s in figures] == [
        ("New business", "Lead", 1, Decimal("1000.01"), Decimal("400.00")),  # 400.004
        ("New business", "Proposal", 2, Decimal("450.01"), Decimal("210.00")),  # 100.004 + 110
        ("Renewals", "In talks", 1, Decimal("100.00"), Decimal("75.00")),
    ]
    # 400.004 + 210.004 + 75 = 685.008: the total is rounded once, not summed from lines.
    assert (figures.count, figures.amount, figures.weighted) == (
        4,
        Decimal("1550.02"),
        Decimal("685.01"),
    )


def test_closed_stages_get_lines_but_stay_out_of_the_totals(rita_pipeline):
    deals = Deal.objects.filter(owner=rita_pipeline, pipeline__key="new-business")
    figures = deals_selectors.pipeline_by_stage(deals)
    won = figures.by_stage()[stage("won").pk]
    assert (won.is_open, won.count, won.amount) == (False, 1, Decimal("999.99"))
    assert (figures.count, figures.amount, figures.weighted) == (
        3,
        Decimal("1450.02"),
        Decimal("610.01"),
    )


def test_no_deals_no_lines(rep):
    figures = deals_selectors.pipeline_by_stage(Deal.objects.filter(owner=rep))
    assert (list(figures), figures.count, figures.amount, figures.weighted) == ([], 0, 0, 0)
    assert not figures


def test_the_board_the_rep_dashboard_and_the_company_report_agree(rita_pipeline, admin, client_for):
    rep = rita_pipeline
    board = client_for(rep).get(reverse("deals:pipeline")).context  # New business
    page = client_for(rep).get(reverse("dashboards:me")).context
    csv = client_for(rep).get(reverse("dashboards:me"), {"export": "pipeline"})
    report = company_report_context(user_or_scope=admin, month=company_day())

    columns = {c.stage.name: (c.count, c.amount, c.weighted) for c in board["columns"]}
    dashboard = {s.stage: (s.count, s.amount, s.weighted) for s in page["pipeline"]}
    reported = {s.stage: (s.count, s.amount, s.weighted) for s in report["pipeline"]}
    for name in ("Lead", "Proposal"):
        assert columns[name] == dashboard[name] == reported[name]
    assert dashboard["In talks"] == reported["In talks"] == (1, Decimal("100.00"), Decimal("75.00"))
    # The board's summary is New business only: 400.004 + 210.004, rounded once.
    assert board["open_weighted"] == Decimal("610.01")
    assert page["pipeline"].weighted == Decimal("685.01")  # every pipeline
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[1:] == [
        "Rita Rep,New business,Lead,1,1000.01,400.00",
        "Rita Rep,New business,Proposal,2,450.01,210.00",
        "Rita Rep,Renewals,In talks,1,100.00,75.00",
    ]


# --- Which pipeline a key names -----------------------------------------------------------------


def test_pipeline_from_key(db):
    new_business, renewals = Pipeline.objects.order_by("position")
    assert deals_selectors.pipeline_from_key("renewals") == renewals
    assert deals_selectors.pipeline_from_key(None) == new_business
    assert deals_selectors.pipeline_from_key("") == new_business
    assert deals_selectors.pipeline_from_key(None, default_first=False) is None
    with pytest.raises(deals_selectors.UnknownPipeline):
        deals_selectors.pipeline_from_key("nope")
    renewals.active = False
    renewals.save()
    with pytest.raises(deals_selectors.UnknownPipeline):
        deals_selectors.pipeline_from_key("renewals")
    Pipeline.objects.update(active=False)
    assert deals_selectors.pipeline_from_key(None) is None


@pytest.mark.parametrize(
    "url, query, status",
    [
        ("/pipeline/", {"pipeline": "nope"}, 404),
        ("/funnel/", {"pipeline": "nope"}, 404),
        ("/pipeline/", {"pipeline": "renewals"}, 200),
        ("/funnel/", {"pipeline": "renewals"}, 200),
    ],
)
def test_pages_answer_an_unknown_pipeline_with_404(client_for, rep, url, query, status):
    response = client_for(rep).get(url, query)
    assert response.status_code == status
    if status == 200:
        assert response.context["pipeline"].key == "renewals"
