"""The company monthly report (/reports/company/), on the March 2025 of test_company plus deals.

Deals (owner, amount, customer, how it ended):

  D1 rep             1,000  Acme     won 20 Mar 2025   (Acme's first win: new customer)
  D0 teammate          500  Bolt     won 10 Jan 2025
  D2 teammate        3,000  Bolt     won 25 Mar 2025   (Bolt bought before: not new)
  D3 rep               700  Crane    lost 14 Mar 2025 (price)
  D4 south_rep         900  Delta    won 10 Mar 2025   (new)
  D5 other_team_rep    200  Ember    lost 16 Mar 2025 (competitor)
  D6 rep               400  Fjord    won 12 Feb 2025   (new in February)
  D7 rep             1,200  Gale     won 5 Mar 2024    (new in March 2024)
  D8 rep               250  Acme     open, proposal

Company, March 2025: 3 won for 4,900 (average 1,633.33), 2 lost, hit rate 60.0%,
2 new customers; February 1 won (400), 1 new; March 2024 1 won (1,200), 1 new.
North (the director): 2 won for 4,000 (average 2,000.00), 2 lost, hit rate 50.0%,
1 new customer.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Metric
from reporting.company.report import company_report_context
from reporting.models import Kpi, KpiKind
from salesmgmt.models import CompanySettings
from tests.cast import ROLES
from tests.factories import ActivityFactory, TeamFactory, UserFactory
from tests.factories.customers import reason
from tests.factories.deals import CustomerFactory, DealFactory, at, walk
from tests.reporting.company.test_selectors import catalogue, goals, march  # noqa: F401  (fixtures)

D = Decimal
MARCH = date(2025, 3, 1)


def won(owner, amount, customer, day, title):
    deal = DealFactory(owner=owner, amount=D(amount), customer=customer, title=title)
    return walk(deal, [("lead", at(day - timedelta(days=5))), ("won", at(day))], by=owner)


def lost(owner, amount, customer, day, title, why):
    deal = DealFactory(owner=owner, amount=D(amount), customer=customer, title=title)
    steps = [("lead", at(day - timedelta(days=5))), ("lost", at(day))]
    return walk(deal, steps, by=owner, lost_reason=reason(why))


@pytest.fixture
def deals(march, cast):  # noqa: F811
    rep, mate = cast["rep"], cast["teammate"]
    acme = CustomerFactory(owner=rep, name="Acme")
    bolt = CustomerFactory(owner=mate, name="Bolt")
    won(rep, "1000", acme, date(2025, 3, 20), "D1")
    won(mate, "500", bolt, date(2025, 1, 10), "D0")
    won(mate, "3000", bolt, date(2025, 3, 25), "D2")
    lost(rep, "700", CustomerFactory(owner=rep, name="Crane"), date(2025, 3, 14), "D3", "price")
    won(
        cast["south_rep"],
        "900",
        CustomerFactory(owner=cast["south_rep"], name="Delta"),
        date(2025, 3, 10),
        "D4",
    )
    other = cast["other_team_rep"]
    lost(
        other,
        "200",
        CustomerFactory(owner=other, name="Ember"),
        date(2025, 3, 16),
        "D5",
        "competitor",
    )
    won(rep, "400", CustomerFactory(owner=rep, name="Fjord"), date(2025, 2, 12), "D6")
    won(rep, "1200", CustomerFactory(owner=rep, name="Gale"), date(2024, 3, 5), "D7")
    DealFactory(owner=rep, amount=D("250"), customer=acme, title="D8")
    Kpi.objects.create(
        key="deal-size",
        name="Average deal size",
        kind=KpiKind.AVG_DEAL_SIZE,
        target=D("1000"),
        amber_threshold=D("800"),
        red_threshold=D("500"),
    )


def headline(report, label):
    return next(h for h in report["headlines"] if h.label == label)


def test_company_figures_for_the_admin(deals, goals, cast):  # noqa: F811
    report = company_report_context(user_or_scope=cast["admin"], month=MARCH)
    deals_won = headline(report, "Deals won")
    assert (deals_won.current, deals_won.previous, deals_won.last_year) == (3, 1, 1)
    assert deals_won.vs_previous == D("200.0") and deals_won.vs_last_year == D("200.0")
    size = headline(report, "Average deal size")
    assert (size.current, size.previous, size.last_year) == (
        D("1633.33"),
        D("400.00"),
        D("1200.00"),
    )
    new = headline(report, "New customers")
    assert (new.current, new.previous, new.last_year) == (2, 1, 1)
    assert headline(report, "Hit rate (won / closed)").current == D("60.0")
    assert report["deal_headlines"]["amount"].current == D("4900.00")
    sales = headline(report, "Sales value")  # what reps logged (test_company's March)
    assert (sales.current, sales.previous, sales.last_year) == (
        D("4500.00"),
        D("1000.00"),
        D("800.00"),
    )
    assert [(r["reason"], r["deals"], r["amount"]) for r in report["lost_reasons"]] == [
        ("Price", 1, D("700.00")),
        ("Competitor", 1, D("200.00")),
    ]
    assert [d.title for d in report["wins"]] == ["D2", "D1", "D4"]
    assert [(t.team.name, t.total, t.mean_attainment) for t in report["teams"]] == [
        ("Alpha", D("3500.00"), D("110.0")),
        ("Gamma", D("700.00"), None),
        ("Beta", D("300.00"), D("50.0")),
    ]
    assert sorted((p.goal.owner_label, p.attainment) for p in report["goals"]) == [
        ("Company", D("50.0")),
        ("North", D("95.0")),
    ]
    kpi = next(v for v in report["kpis"] if v.kpi.key == "deal-size")
    assert (kpi.value, kpi.status) == (D("1633.33"), "green")
    open_deals = {row.stage: row for row in report["pipeline"]}
    assert (open_deals["Lead"].count, open_deals["Lead"].amount) == (1, D("250.00"))
    assert open_deals["Lead"].weighted == D("12.50")


def test_director_sees_their_division_only(deals, goals, cast):  # noqa: F811
    report = company_report_context(user_or_scope=cast["director"], month=MARCH)
    assert report["scope"].label == "Division North"
    assert headline(report, "Deals won").current == 2
    assert headline(report, "Average deal size").current == D("2000.00")
    assert headline(report, "Hit rate (won / closed)").current == D("50.0")
    assert headline(report, "New customers").current == 1
    assert headline(report, "Sales value").current == D("3800.00")
    assert [t.team.name for t in report["teams"]] == ["Alpha", "Beta"]
    assert [d.title for d in report["wins"]] == ["D2", "D1"]
    kpi = next(v for v in report["kpis"] if v.kpi.key == "deal-size")
    assert kpi.value == D("2000.00")


def test_managers_and_reps_get_no_report(cast):
    for name in ROLES[:-2]:
        assert company_report_context(user_or_scope=cast[name], month=MARCH) is None


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_report_page_per_role(role, deals, cast, client_for):
    """Directors read their division's report, admins the company's; others get a 404."""
    response = client_for(cast[role]).get(reverse("reports:company_monthly", args=[MARCH]))
    if role == "admin":
        assert response.status_code == 200
        assert response.context["report"]["scope"].is_company
        assert b"Delta" in response.content  # the South win
    elif role == "director":
        assert response.status_code == 200
        assert response.context["report"]["scope"].label == "Division North"
        # Matched as cell text: a bare b"D4" also turns up inside the page's CSRF token now and then.
        assert b">D2</td>" in response.content
        assert b">D4</td>" not in response.content and b"Gamma" not in response.content
    else:
        assert response.status_code == 404


def test_director_cannot_open_another_division(cast, south, client_for):
    url = reverse("reports:company_monthly", args=[MARCH])
    assert client_for(cast["director"]).get(url, {"division": south.pk}).status_code == 404
    response = client_for(cast["admin"]).get(url, {"division": south.pk})
    assert response.status_code == 200 and response.context["report"]["scope"].division == south


def test_default_is_the_last_complete_month(cast, client_for):
    today = CompanySettings.load().today()
    response = client_for(cast["admin"]).get(reverse("reports:company_monthly"))
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert response.status_code == 200
    assert response.context["report"]["month"].start == last
    assert response.context["next"] is not None  # the running month is one click away


def test_future_and_malformed_months_are_404(cast, client_for):
    client = client_for(cast["admin"])
    future = (CompanySettings.load().today().replace(day=1) + timedelta(days=40)).replace(day=1)
    assert client.get(reverse("reports:company_monthly", args=[future])).status_code == 404
    assert client.get("/reports/company/2025-13/").status_code == 404
    assert client.get("/reports/company/2025-3/").status_code == 404


def test_report_is_print_friendly(deals, cast, client_for):
    response = client_for(cast["admin"]).get(reverse("reports:company_monthly", args=[MARCH]))
    html = response.content.decode()
    assert "css/company.css" in html and "data-print" in html
    assert html.count('class="report-section"') == 6
    with open("static/css/company.css") as css:
        text = css.read()
    assert "@media print" in text and "break-before: page" in text and ".topbar" in text


def _history(cast, *, reps: int, months: int):
    """``reps`` more reps in new teams, each logging sales for ``months`` months."""
    sales = Metric.objects.get(key="sales-value")
    division = cast["director"].division
    for _ in range(reps):
        team = TeamFactory(division=division)
        rep = UserFactory(team=team)
        for m in range(months):
            ActivityFactory(
                rep=rep, metric=sales, day=MARCH - timedelta(days=30 * m), quantity=D("10")
            )


@pytest.mark.parametrize("role", ["admin", "director"])
def test_report_query_count_does_not_grow(role, deals, cast, client_for):
    client = client_for(cast[role])
    url = reverse("reports:company_monthly", args=[MARCH])
    assert client.get(url).status_code == 200  # warms the settings cache
    counts = []
    for reps, months in ((5, 1), (50, 12)):
        _history(cast, reps=reps, months=months)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 30


def test_director_without_a_division_is_told_so(db, client_for):
    """The nav links a director to the report; without a division they get a page, not a 404."""
    director = UserFactory(role="director", division=None)
    for url in (reverse("reports:company_monthly"), "/reports/company/2025-03/"):
        response = client_for(director).get(url)
        assert response.status_code == 200
        assert b'id="no-division"' in response.content
