"""Director/admin figures (reporting/company/selectors.py), pinned on a hand-built March 2025.

The cast: North = Alpha (rep, teammate) + Beta (other_team_rep); South = Gamma
(south_rep). Sales value logged (product, channel):

  rep             3 Mar 1,000 (Widget, Door)   20 Mar 500 (Gadget, -)   15 Feb 1,000
  teammate       10 Mar 2,000 (Widget, Phone)
  other_team_rep  5 Mar   300 (-, Door)
  south_rep      31 Mar   700 (Gadget, Phone)  29 Jan 400
  rep, a year before: 10 Feb 2024 100, 10 Mar 2024 800; and 1 Dec 2024 50
  manager (not a rep) 3 Mar 100,000: never counted

Calls: rep 3 Mar 10, teammate 4 Mar 5; rep 20 Feb 20.

March (31 days) against the 31 days before (29 Jan - 28 Feb): sales value 4,500 vs
1,400 (+221.4%), calls 15 vs 20 (-25.0%). North 3,800 (84.4%), South 700 (15.6%).
"""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Channel, Metric, Product
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.company import selectors as company
from reporting.company.selectors import CompanyScope, resolve_company_scope
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, UserFactory

START, END = date(2025, 3, 1), date(2025, 3, 31)
D = Decimal


@pytest.fixture
def catalogue(db):
    return {
        "widget": Product.objects.create(sku="widget", name="Widget"),
        "gadget": Product.objects.create(sku="gadget", name="Gadget"),
        "door": Channel.objects.create(key="door-to-door", name="Door to door"),
        "phone": Channel.objects.create(key="phone-test", name="Phone (test)"),
        "sales": Metric.objects.get(key="sales-value"),
        "calls": Metric.objects.get(key="calls"),
    }


def log(rep, day, metric, quantity, **extra):
    return ActivityFactory(rep=rep, day=day, metric=metric, quantity=D(quantity), **extra)


@pytest.fixture
def march(cast, catalogue):
    c = catalogue
    sales, calls = c["sales"], c["calls"]
    log(cast["rep"], date(2025, 3, 3), sales, "1000", product=c["widget"], channel=c["door"])
    log(cast["rep"], date(2025, 3, 20), sales, "500", product=c["gadget"])
    log(cast["rep"], date(2025, 2, 15), sales, "1000")
    log(cast["teammate"], date(2025, 3, 10), sales, "2000", product=c["widget"], channel=c["phone"])
    log(cast["other_team_rep"], date(2025, 3, 5), sales, "300", channel=c["door"])
    log(cast["south_rep"], date(2025, 3, 31), sales, "700", product=c["gadget"], channel=c["phone"])
    log(cast["south_rep"], date(2025, 1, 29), sales, "400")
    log(cast["rep"], date(2024, 2, 10), sales, "100")
    log(cast["rep"], date(2024, 3, 10), sales, "800")
    log(cast["rep"], date(2024, 12, 1), sales, "50")
    log(cast["manager"], date(2025, 3, 3), sales, "100000")
    log(cast["rep"], date(2025, 3, 3), calls, "10")
    log(cast["teammate"], date(2025, 3, 4), calls, "5")
    log(cast["rep"], date(2025, 2, 20), calls, "20")
    return c


def month_goal(*, by, metric, target, **owner):
    return Goal.objects.create(
        metric=metric,
        period=GoalPeriod.MONTH,
        start=START,
        end=END,
        target=D(target),
        created_by=by,
        **owner,
    )


@pytest.fixture
def goals(march, cast, team, other_team, north):
    """Alpha: sales 5,000 (70.0%) and calls 10 (150.0%) -> mean 110.0; Beta: sales 600
    (50.0%); Gamma none. Company sales 9,000 (50.0%); North sales 4,000 (95.0%)."""
    admin, sales, calls = cast["admin"], march["sales"], march["calls"]
    month_goal(by=admin, metric=sales, target="5000", scope=GoalScope.TEAM, team=team)
    month_goal(by=admin, metric=calls, target="10", scope=GoalScope.TEAM, team=team)
    month_goal(by=admin, metric=sales, target="600", scope=GoalScope.TEAM, team=other_team)
    month_goal(by=admin, metric=sales, target="9000", scope=GoalScope.COMPANY)
    month_goal(by=admin, metric=sales, target="4000", scope=GoalScope.DIVISION, division=north)


def company_of(cast) -> CompanyScope:
    return resolve_company_scope(cast["admin"])


def north_of(cast) -> CompanyScope:
    return resolve_company_scope(cast["director"])


# --- Scope ----------------------------------------------------------------------------------------


def test_scope_per_role(cast, north, south):
    """Admins: the company or any division; directors: their own division only; the rest none."""
    assert resolve_company_scope(cast["admin"]).is_company
    assert resolve_company_scope(cast["admin"], south.pk).division == south
    assert resolve_company_scope(cast["director"]).division == north
    assert resolve_company_scope(cast["director"], north.pk).division == north
    assert resolve_company_scope(cast["director"], south.pk) is None
    assert resolve_company_scope(cast["admin"], 999999) is None
    for name in ("rep", "teammate", "manager", "other_manager", "south_manager", "south_rep"):
        assert resolve_company_scope(cast[name]) is None


# --- Totals and breakdowns ------------------------------------------------------------------------


def test_totals_compare_with_the_previous_equal_range(march, cast):
    totals = {
        t.metric.key: t
        for t in company.metric_totals(
            company_of(cast), [march["sales"], march["calls"]], START, END
        )
    }
    assert (totals["sales-value"].current, totals["sales-value"].previous) == (D("4500"), D("1400"))
    assert totals["sales-value"].change == D("221.4")
    assert (totals["calls"].current, totals["calls"].previous, totals["calls"].change) == (
        D("15"),
        D("20"),
        D("-25.0"),
    )
    # 31 days from a Saturday: the 31 days from the Saturday five weeks before.
    assert company.previous_range(START, END) == (date(2025, 1, 25), date(2025, 2, 24))


@pytest.mark.parametrize(
    "start, end, previous",
    [
        # Tue 1 - Thu 3 Dec 2026: Tue 24 - Thu 26 Nov, not Sat 28 - Mon 30 Nov.
        (date(2026, 12, 1), date(2026, 12, 3), (date(2026, 11, 24), date(2026, 11, 26))),
        # A whole week: the week before.
        (date(2026, 11, 30), date(2026, 12, 6), (date(2026, 11, 23), date(2026, 11, 29))),
        # Eight days: two weeks back, so the two ranges do not overlap.
        (date(2026, 12, 1), date(2026, 12, 8), (date(2026, 11, 17), date(2026, 11, 24))),
    ],
)
def test_the_previous_range_falls_on_the_same_weekdays(start, end, previous):
    assert company.previous_range(start, end) == previous
    assert [d.weekday() for d in (previous[0], previous[1])] == [start.weekday(), end.weekday()]


def test_director_totals_are_their_division(march, cast):
    (sales,) = company.metric_totals(north_of(cast), [march["sales"]], START, END)
    assert (sales.current, sales.previous) == (D("3800"), D("1000"))


def test_breakdown_by_division_product_and_channel(march, cast):
    scope = company_of(cast)
    sales = march["sales"]
    assert [(r.label, r.total, r.share) for r in company.by_division(scope, sales, START, END)] == [
        ("North", D("3800"), D("84.4")),
        ("South", D("700"), D("15.6")),
    ]
    products = company.by_group(scope, sales, START, END, "product")
    assert [(r.label, r.total, r.share) for r in products] == [
        ("Widget", D("3000"), D("66.7")),
        ("Gadget", D("1200"), D("26.7")),
        ("No product", D("300"), D("6.7")),
    ]
    channels = company.by_group(scope, sales, START, END, "channel")
    assert [(r.label, r.total, r.share) for r in channels] == [
        ("Phone (test)", D("2700"), D("60.0")),
        ("Door to door", D("1300"), D("28.9")),
        ("No channel", D("500"), D("11.1")),
    ]


def test_director_breakdown_by_team_includes_teams_with_nothing(march, cast, team, other_team):
    empty = UserFactory(username="empty-team-rep")
    quiet = type(team).objects.create(name="Quiet", division=team.division)
    empty.team = quiet
    empty.save()
    rows = company.team_figures(north_of(cast), march["sales"], START, END)
    assert [(t.team.name, t.total, t.reps, t.share) for t in rows] == [
        ("Alpha", D("3500"), 2, D("92.1")),
        ("Beta", D("300"), 1, D("7.9")),
        ("Quiet", D("0"), 1, D("0.0")),
    ]
    assert rows[0].per_rep == D("1750.00")


# --- Over time ------------------------------------------------------------------------------------


def test_day_by_day_is_the_31_days_to_the_end(march, cast):
    days = company.day_by_day(company_of(cast), march["sales"], END)
    assert len(days) == 31 and days[0].start == START and days[-1].start == END
    assert {b.start.day: b.total for b in days if b.total} == {
        3: D("1000"),
        5: D("300"),
        10: D("2000"),
        20: D("500"),
        31: D("700"),
    }


def test_week_over_week_has_12_company_weeks(march, cast):
    weeks = company.week_over_week(company_of(cast), march["sales"], END, CompanySettings.load())
    assert [b.start for b in weeks][:2] == [date(2025, 1, 13), date(2025, 1, 20)]
    assert [(b.start, b.end) for b in weeks][-1] == (date(2025, 3, 31), date(2025, 3, 31))
    assert [b.total for b in weeks] == [
        D(v) for v in ("0", "0", "400", "0", "1000", "0", "0", "1300", "2000", "500", "0", "700")
    ]
    assert weeks[8].previous == D("1300") and weeks[8].change == D("53.8")
    assert weeks[0].previous is None and weeks[3].change == D("-100.0")


def test_month_over_month_has_12_months(march, cast):
    months = company.month_over_month(company_of(cast), march["sales"], END)
    assert [m.label for m in months] == [
        "Apr 2024", "May 2024", "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024",
        "Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025",
    ]  # fmt: skip
    assert [m.total for m in months][-4:] == [D("50"), D("400"), D("1000"), D("4500")]
    assert months[-1].change == D("350.0") and months[-2].change == D("150.0")


def test_year_over_year_compares_the_same_dates(march, cast):
    settings = CompanySettings.load()
    years = company.year_over_year(company_of(cast), march["sales"], END, settings)
    # Nothing at all was logged in January 2024: no comparable data, not a zero.
    assert [(b.label, b.total, b.previous, b.change, b.note) for b in years] == [
        ("Jan", D("400"), None, None, "nothing was logged a year before"),
        ("Feb", D("1000"), D("100"), D("900.0"), ""),
        ("Mar", D("4500"), D("800"), D("462.5"), ""),
    ]
    # On 20 March, March counts 1-20 March against 1-20 March 2024.
    (*_, mar) = company.year_over_year(
        company_of(cast), march["sales"], date(2025, 3, 20), settings
    )
    assert (mar.total, mar.previous, mar.change) == (D("3800"), D("800"), D("375.0"))


def test_year_over_year_never_sets_days_against_an_imported_monthly_total(march, cast):
    """History before ``daily_figures_from`` holds one total per month: 1-20 March 2025 has
    nothing to compare with in March 2024 then (it did -89% in the demo), whole months do."""
    settings = CompanySettings.load()
    settings.daily_figures_from = date(2024, 6, 1)
    settings.save()
    (*_, feb, mar) = company.year_over_year(
        company_of(cast), march["sales"], date(2025, 3, 20), settings
    )
    assert (mar.total, mar.previous, mar.change) == (D("3800"), None, None)
    assert mar.note == "a year before holds one total for the whole month"
    assert (feb.previous, feb.change) == (D("100"), D("900.0"))  # a whole month: comparable


def test_same_dates_a_year_before_a_leap_day():
    assert company.year_before(date(2024, 2, 29)) == date(2023, 2, 28)


# --- Teams and goals ------------------------------------------------------------------------------


def test_top_and_bottom_teams(goals, cast):
    data = company.company_dashboard(company_of(cast), start=START, end=END)
    by_name = {t.team.name: t for t in data.teams}
    assert (by_name["Alpha"].mean_attainment, by_name["Alpha"].goals) == (D("110.0"), 2)
    assert (by_name["Beta"].mean_attainment, by_name["Gamma"].mean_attainment) == (D("50.0"), None)
    assert [t.team.name for t in data.top_by_attainment] == ["Alpha"]
    assert [t.team.name for t in data.bottom_by_attainment] == ["Beta"]
    assert [(t.team.name, t.per_rep) for t in data.top_by_value] == [("Alpha", D("1750.00"))]
    assert [(t.team.name, t.per_rep) for t in data.bottom_by_value] == [("Beta", D("300.00"))]


def test_top_and_bottom_never_overlap():
    rows = [D(v) for v in ("5", "4", "3", "2", "1", "0", "7")]
    top, bottom = company.top_and_bottom(rows, lambda r: r)
    assert top == [D("7"), D("5"), D("4")] and bottom == [D("0"), D("1"), D("2")]
    assert company.top_and_bottom([D("1")], lambda r: r) == ([D("1")], [])
    assert company.top_and_bottom([None], lambda r: r) == ([], [])


def test_goal_pace_of_company_and_division_goals(goals, cast):
    admin_view = company.company_dashboard(company_of(cast), start=START, end=END)
    assert sorted((p.goal.owner_label, p.actual, p.attainment) for p in admin_view.goals) == [
        ("Company", D("4500.00"), D("50.0")),
        ("North", D("3800.00"), D("95.0")),
    ]
    south = resolve_company_scope(cast["admin"], cast["south_rep"].team.division_id)
    south_view = company.company_dashboard(south, start=START, end=END)
    assert [p.goal.owner_label for p in south_view.goals] == ["Company"]


def test_dashboard_defaults_to_sales_value(march, cast):
    data = company.company_dashboard(company_of(cast), start=START, end=END, metric_key="nope")
    assert data.metric.key == "sales-value"
    calls = company.company_dashboard(company_of(cast), start=START, end=END, metric_key="calls")
    assert calls.metric.key == "calls" and [r.total for r in calls.breakdown] == [D("15"), D("0")]
