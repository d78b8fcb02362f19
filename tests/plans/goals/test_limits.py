"""Goals on the process: a goal limited to a product and/or channels.

November 2026 (Thanksgiving, the 26th, off: 20 working days), figures as of Wednesday
18 November (13 working days begun). Rita sells widgets and gadgets, walk-in, up-sell
(through e-mail here) and by phone; each limited goal must count only its own rows,
whichever way its actual is read (month rollup or rows), and be named by its limits
wherever a goal is named.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Channel, Metric, Product
from plans.goals import services as goal_services
from plans.goals.reverse_funnel import current_outcome_goal
from plans.goals.selectors import children_of, goal_progress, progress_over_time, rollup
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.commissions.selectors import quota_goal
from reporting.kpis.services import send_deviation_alerts
from reporting.models import CommissionPlan, Kpi
from reporting.reviews.selectors import goal_figures
from salesmgmt.calendar import month_of
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, Holiday, Notification
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 18)
D = Decimal


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")


@pytest.fixture
def cat(db):
    """The catalogue the tests name: two products, three channels, two metrics."""
    return {
        "widget": Product.objects.create(sku="widget", name="Widget"),
        "gadget": Product.objects.create(sku="gadget", name="Gadget"),
        "old": Product.objects.create(sku="old", name="Old thing", active=False),
        "walk-in": Channel.objects.get(key="walk-in"),
        "email": Channel.objects.get(key="email"),
        "phone": Channel.objects.get(key="outbound-phone"),
        "sales": Metric.objects.get(key="sales-closed"),
        "value": Metric.objects.get(key="sales-value"),
    }


def sell(rep, cat, day, quantity, *, product=None, channel=None, metric="sales"):
    ActivityFactory(
        rep=rep,
        metric=cat[metric],
        day=date(2026, 11, day),
        quantity=D(quantity),
        product=cat[product] if product else None,
        channel=cat[channel] if channel else None,
    )


@pytest.fixture
def november_sales(rep, teammate, other_team_rep, cat):
    """Rita: 1+2+4+8+16+32 sales in six kinds of row; her teammate 100 walk-in widgets;
    another team's rep 1000 walk-in widgets; a row of October and one after today."""
    sell(rep, cat, 2, 1, product="widget", channel="walk-in")
    sell(rep, cat, 3, 2, product="widget", channel="email")
    sell(rep, cat, 4, 4, product="widget", channel="phone")
    sell(rep, cat, 5, 8, product="gadget", channel="walk-in")
    sell(rep, cat, 6, 16, channel="email")  # no product
    sell(rep, cat, 9, 32, product="widget")  # no channel
    sell(teammate, cat, 10, 100, product="widget", channel="walk-in")
    sell(other_team_rep, cat, 10, 1000, product="widget", channel="walk-in")
    ActivityFactory(
        rep=rep, metric=cat["sales"], day=date(2026, 10, 30), quantity=500, product=cat["widget"]
    )
    sell(rep, cat, 20, 500, product="widget", channel="walk-in")  # after as_of


def set_goal(by, cat, *, target=10, product=None, channels=(), period=GoalPeriod.MONTH, **owner):
    scope = next(iter(owner), "company")
    return goal_services.set_goal(
        by=by,
        scope=scope,
        metric=cat["sales"],
        period=period,
        day=TODAY,
        target=D(target),
        product=cat[product] if product else None,
        channels=[cat[c] for c in channels],
        **owner,
    )


def actual(goal) -> Decimal:
    (progress,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=TODAY)
    return progress.actual


# --- Actuals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "channels", "expected"),
    [
        (None, (), 63),  # every row of the month up to today
        ("widget", (), 1 + 2 + 4 + 32),
        (None, ("walk-in",), 1 + 8),
        (None, ("walk-in", "email"), 1 + 2 + 8 + 16),  # any of the channels
        ("widget", ("walk-in", "email"), 1 + 2),
        ("gadget", ("email",), 0),
    ],
)
@pytest.mark.parametrize("period", [GoalPeriod.MONTH, GoalPeriod.WEEK, GoalPeriod.YEAR])
def test_a_limited_rep_goal_counts_only_its_product_and_channels(
    november_sales, manager, rep, cat, product, channels, expected, period
):
    """Month and year goals of the whole total are read from the month rollup, which
    keeps no product or channel: a limited one must read the rows, whatever the period."""
    goal = set_goal(manager, cat, product=product, channels=channels, period=period, rep=rep)
    week_rows = {  # the week of Mon 16 Nov holds no sale of Rita's up to Wed 18
        GoalPeriod.WEEK: 0,
        GoalPeriod.MONTH: expected,
        GoalPeriod.YEAR: expected + (500 if product in (None, "widget") and not channels else 0),
    }
    assert actual(goal) == week_rows[period]


def test_team_division_and_company_goals_count_their_people_within_the_limits(
    november_sales, admin, manager, rep, team, cat
):
    team_goal = set_goal(manager, cat, product="widget", channels=("walk-in",), team=team)
    division_goal = set_goal(
        admin, cat, product="widget", channels=("walk-in",), division=team.division
    )
    company_goal = set_goal(admin, cat, product="widget", channels=("walk-in",))
    assert actual(team_goal) == 1 + 100
    assert actual(division_goal) == 1 + 100 + 1000  # other_team is in the same division
    assert actual(company_goal) == 1 + 100 + 1000


def test_limited_and_unlimited_goals_side_by_side_in_one_list(
    november_sales, manager, rep, teammate, cat
):
    """One query computes all of them; each keeps its own figure."""
    whole = set_goal(manager, cat, rep=rep)
    walk_in = set_goal(manager, cat, channels=("walk-in",), rep=rep)
    widget = set_goal(manager, cat, product="widget", rep=rep)
    mate = set_goal(manager, cat, product="widget", channels=("walk-in",), rep=teammate)
    figures = {p.goal.pk: p.actual for p in goal_progress(Goal.objects.all(), as_of=TODAY)}
    assert figures == {whole.pk: 63, walk_in.pk: 9, widget.pk: 39, mate.pk: 100}


def test_the_goal_page_chart_counts_within_the_limits(november_sales, manager, rep, cat):
    goal = set_goal(manager, cat, product="widget", channels=("walk-in", "email"), rep=rep)
    points = progress_over_time(goal, as_of=TODAY)
    reached = [p.actual for p in points if p.actual is not None]
    assert reached[-1] == 3
    assert reached[:2] == [0, 3]  # Sun 1 Nov ends a company week; the sales are 2 and 3 Nov


# --- Uniqueness and roll-up ---------------------------------------------------------------------


def test_one_goal_per_owner_metric_period_and_limits(manager, rep, cat):
    set_goal(manager, cat, rep=rep)
    set_goal(manager, cat, product="widget", rep=rep)
    set_goal(manager, cat, channels=("walk-in", "email"), rep=rep)
    for product, channels in [(None, ()), ("widget", ()), (None, ("email", "walk-in"))]:
        with pytest.raises(RuleViolation, match="already has a Sales closed"):
            set_goal(manager, cat, product=product, channels=channels, rep=rep)
    set_goal(manager, cat, channels=("walk-in",), rep=rep)  # another set of channels
    assert Goal.objects.count() == 4


def test_a_team_goal_rolls_up_only_rep_goals_with_the_same_limits(
    manager, rep, teammate, team, cat
):
    walk_in = {"product": "widget", "channels": ("walk-in", "email")}
    team_goal = set_goal(manager, cat, target=50, team=team, **walk_in)
    whole_team = set_goal(manager, cat, target=70, team=team)
    set_goal(manager, cat, target=20, rep=rep, **walk_in)
    set_goal(manager, cat, target=15, rep=teammate, product="widget", channels=("email", "walk-in"))
    set_goal(manager, cat, target=30, rep=rep)  # the whole total
    set_goal(manager, cat, target=40, rep=teammate, product="widget")  # no channels
    set_goal(manager, cat, target=99, rep=rep, channels=("walk-in", "email"))  # no product

    rolls = rollup([team_goal, whole_team])
    assert (rolls[team_goal.pk].children_total, rolls[team_goal.pk].children_count) == (35, 2)
    assert (rolls[whole_team.pk].children_total, rolls[whole_team.pk].children_count) == (30, 1)
    assert {g.target for g in children_of(team_goal)} == {20, 15}
    assert {g.target for g in children_of(whole_team)} == {30}


def test_the_team_grid_sets_and_shows_goals_on_the_whole_total_only(
    client_for, manager, rep, team, cat
):
    set_goal(manager, cat, target=7, product="widget", rep=rep)
    page = client_for(manager).get(
        reverse("goals:team_set"),
        {"team": team.pk, "metric": "sales-closed", "period": "month", "day": "2026-11-18"},
    )
    assert page.context["existing"] == {}


# --- Forms and API -------------------------------------------------------------------------------


def form_data(rep, **extra):
    return {
        "scope": "rep",
        "rep": rep.pk,
        "metric": "sales-closed",
        "period": "month",
        "day": "2026-11-18",
        "target": "20",
        **extra,
    }


def test_the_page_sets_a_goal_with_a_product_and_channels(client_for, manager, rep, cat):
    response = client_for(manager).post(
        reverse("goals:create"),
        form_data(rep, product=cat["widget"].pk, channels=[cat["walk-in"].pk, cat["email"].pk]),
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert (goal.product, goal.channel_key) == (
        cat["widget"],
        ",".join(sorted(str(cat[c].pk) for c in ("walk-in", "email"))),
    )
    assert goal.label == "Sales closed · Widget · E-mail, Walk-in"
    assert Notification.objects.get(user=rep).title.startswith(
        "Your Sales closed · Widget · E-mail, Walk-in goal for November 2026"
    )


def test_the_page_refuses_a_product_off_sale_and_an_unknown_channel(client_for, manager, rep, cat):
    cat["email"].active = False
    cat["email"].save()
    response = client_for(manager).post(
        reverse("goals:create"),
        form_data(rep, product=cat["old"].pk, channels=[cat["email"].pk]),
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) == {"product", "channels"}
    assert not Goal.objects.exists()


def test_the_service_refuses_a_product_off_sale(manager, rep, cat):
    with pytest.raises(RuleViolation) as refused:
        set_goal(manager, cat, product="old", rep=rep)
    assert set(refused.value.message_dict) == {"product"}


def api_body(rep, **extra):
    return {
        "scope": "rep",
        "rep": rep.pk,
        "metric": "sales-closed",
        "period": "month",
        "day": "2026-11-18",
        "target": "20",
        **extra,
    }


def test_the_api_sets_and_reads_product_channels_and_label(
    api_for, november_sales, manager, rep, cat
):
    api = api_for(manager)
    made = api.post(
        "/api/v1/goals/",
        api_body(rep, product="widget", channels=["walk-in", "email"]),
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["product"], sorted(body["channels"])) == ("widget", ["email", "walk-in"])
    assert body["label"] == "Sales closed · Widget · E-mail, Walk-in"
    assert body["progress"]["actual"] == "3.00"

    plain = api.post("/api/v1/goals/", api_body(rep), format="json").json()
    assert (plain["product"], plain["channels"], plain["label"]) == (None, [], "Sales closed")
    assert plain["progress"]["actual"] == "63.00"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"product": "old"}, "product"),  # off sale
        ({"product": "nope"}, "product"),
        ({"channels": ["walk-in", "carrier-pigeon"]}, "channels"),
        ({"channels": "walk-in"}, "channels"),  # not a list
    ],
)
def test_the_api_answers_400_naming_the_field(api_for, manager, rep, cat, extra, field):
    response = api_for(manager).post("/api/v1/goals/", api_body(rep, **extra), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert not Goal.objects.exists()


def test_the_api_refuses_a_duplicate_limited_goal(api_for, manager, rep, cat):
    api = api_for(manager)
    body = api_body(rep, product="widget", channels=["walk-in"])
    assert api.post("/api/v1/goals/", body, format="json").status_code == 201
    again = api.post("/api/v1/goals/", body, format="json")
    assert again.status_code == 400
    assert "already has a Sales closed · Widget · Walk-in goal" in str(again.json())


def test_the_api_filters_by_product_channel_and_limits(api_for, manager, rep, cat):
    whole = set_goal(manager, cat, rep=rep)
    widget = set_goal(manager, cat, product="widget", rep=rep)
    walk_in = set_goal(manager, cat, channels=("walk-in", "email"), rep=rep)
    both = set_goal(manager, cat, product="widget", channels=("walk-in",), rep=rep)
    api = api_for(manager)

    def ids(query):
        return {g["id"] for g in api.get(f"/api/v1/goals/?{query}").json()["results"]}

    assert ids("product=widget") == {widget.pk, both.pk}
    assert ids("channel=walk-in") == {walk_in.pk, both.pk}
    assert ids("channel=email") == {walk_in.pk}
    assert ids("limited=true") == {widget.pk, walk_in.pk, both.pk}
    assert ids("limited=false") == {whole.pk}
    assert api.get("/api/v1/goals/?product=nope").status_code == 400


def test_the_schema_documents_the_limits(api_for, admin):
    schema = api_for(admin).get("/api/schema/", {"format": "json"}).json()
    goal = schema["components"]["schemas"]["Goal"]["properties"]
    create = schema["components"]["schemas"]["GoalCreateRequest"]["properties"]
    assert {"product", "channels", "label"} <= set(goal)
    assert {"product", "channels"} <= set(create)
    params = {p["name"] for p in schema["paths"]["/api/v1/goals/"]["get"]["parameters"]}
    assert {"product", "channel", "limited"} <= params


# --- The label wherever a goal is named ----------------------------------------------------------


@pytest.fixture
def limited_goal(november_sales, manager, rep, cat):
    return set_goal(manager, cat, target=200, product="widget", channels=("walk-in",), rep=rep)


LABEL = "Sales closed · Widget · Walk-in"


def test_the_goals_list_and_the_goal_page_name_the_limits(client_for, manager, limited_goal):
    client = client_for(manager)
    listed = client.get(reverse("goals:list")).content.decode()
    page = client.get(reverse("goals:detail", args=[limited_goal.pk])).content.decode()
    assert LABEL in listed
    assert f"Rita Rep: {LABEL}, November 2026" in page
    assert "Counts only activity of <strong>Widget</strong> through <strong>Walk-in</strong>" in (
        page
    )


def test_a_deviation_alert_names_the_limits(manager, rep, limited_goal):
    Kpi.objects.update(active=False)
    moment = datetime(2026, 11, 19, 12, tzinfo=CompanySettings.load().tzinfo)
    assert send_deviation_alerts(now=moment) > 0
    titles = set(
        Notification.objects.filter(key__startswith="deviation:").values_list("title", flat=True)
    )
    assert titles == {f"Far behind: {LABEL} goal ({rep})"}


def test_the_alerts_page_names_the_limits(client_for, manager, rep, limited_goal):
    Kpi.objects.update(active=False)
    send_deviation_alerts(now=datetime(2026, 11, 19, 12, tzinfo=CompanySettings.load().tzinfo))
    page = client_for(manager).get(reverse("kpis:alerts")).content.decode()
    assert f"{LABEL} goal" in page


def test_the_monthly_review_names_the_limits(rep, manager, cat, limited_goal):
    plain = set_goal(manager, cat, target=50, rep=rep)
    figures = goal_figures([rep.pk], month_of(date(2026, 11, 1)))[rep.pk]
    assert [(g["id"], g["label"]) for g in figures] == [
        (plain.pk, "Sales closed"),  # the goal on the whole total leads the summary
        (limited_goal.pk, LABEL),
    ]


def test_the_rep_dashboard_names_the_limits(client_for, manager, rep, limited_goal):
    page = client_for(manager).get(reverse("dashboards:rep", args=[rep.pk])).content.decode()
    assert LABEL in page


# --- Query counts ---------------------------------------------------------------------------------


@pytest.fixture(params=[4, 20])
def many_goals(request, manager, team, cat):
    """As many reps, each with a goal on the whole total and two limited ones, and rows."""
    for n in range(request.param):
        person = UserFactory(team=team)
        set_goal(manager, cat, rep=person)
        set_goal(manager, cat, product="widget", rep=person)
        set_goal(manager, cat, channels=("walk-in", "email"), rep=person)
        sell(person, cat, 2, n + 1, product="widget", channel="walk-in")
    set_goal(manager, cat, channels=("walk-in", "email"), team=team)
    return request.param


def test_the_goals_page_costs_the_same_with_limited_goals(
    client_for, manager, many_goals, django_assert_max_num_queries
):
    client = client_for(manager)
    with django_assert_max_num_queries(18):  # the list's 17, plus the limited goals' channels
        page = client.get(reverse("goals:list"), {"per_page": 100})
    assert len(page.context["rows"]) == min(3 * many_goals + 1, 50)


def test_the_goals_api_costs_the_same_with_limited_goals(
    api_for, manager, many_goals, django_assert_max_num_queries
):
    api = api_for(manager)
    with django_assert_max_num_queries(9):  # the list's 8, plus the limited goals' channels
        body = api.get("/api/v1/goals/").json()
    assert body["count"] == 3 * many_goals + 1
    walk_in = [g for g in body["results"] if g["channels"]]
    assert all(g["label"].endswith("E-mail, Walk-in") for g in walk_in)


def test_the_goal_page_costs_the_same_with_limited_children(
    client_for, manager, team, many_goals, django_assert_max_num_queries
):
    team_goal = Goal.objects.get(scope=GoalScope.TEAM)
    client = client_for(manager)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("goals:detail", args=[team_goal.pk]))
    assert len(page.context["children"]) == many_goals


def test_the_team_dashboard_names_the_limits_in_goals_leaderboard_and_alerts(
    client_for, manager, rep, limited_goal
):
    Kpi.objects.update(active=False)
    send_deviation_alerts(now=datetime(2026, 11, 19, 12, tzinfo=CompanySettings.load().tzinfo))
    client = client_for(manager)
    team_page = client.get(reverse("dashboards:team")).content.decode()
    rep_page = client.get(reverse("dashboards:rep", args=[rep.pk])).content.decode()
    assert f"<strong>{LABEL}</strong>" in team_page  # the goal chips
    assert f'data-label="Lags most on">{LABEL} <small' in team_page  # the leaderboard
    assert f"{LABEL}, November 2026" in rep_page  # the open alerts


# --- Where only the whole total is meant ----------------------------------------------------------


def test_a_limited_goal_is_neither_the_commission_quota_nor_the_funnel_goal(manager, rep, cat):
    limited = set_goal(manager, cat, target=5, product="widget", rep=rep)
    plan = CommissionPlan.objects.create(name="Plan", rate=D(5), quota_metric=cat["sales"])
    assert list(quota_goal(rep, plan, date(2026, 11, 1))) == []
    assert current_outcome_goal(rep, TODAY) is None
    whole = set_goal(manager, cat, target=9, rep=rep)
    assert list(quota_goal(rep, plan, date(2026, 11, 1))) == [whole]
    assert current_outcome_goal(rep, TODAY) == whole
    assert limited.pk != whole.pk
