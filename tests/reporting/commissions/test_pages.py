"""Commission pages (statements list and detail, plans) and the admin, for every role.

Rita (rep) and Tom (teammate) are team Alpha (manager Maria, North); Otto is team Beta
(other_manager Oscar, North); Sofia is team Gamma (South). All four are on the 5% plan
"Field" and won one deal each in March 2024: Rita 500, Tom 1,000, Otto 2,000, Sofia 4,000,
so their March statements total 25, 50, 100 and 200.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.commissions.services import compute_statement
from reporting.models import CommissionPlan, CommissionStatement, CommissionTier, StatementLine
from salesmgmt.models import CompanySettings
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.factories import TeamFactory, UserFactory
from tests.reporting.commissions.test_selectors import make_plan, quota, won

MARCH = date(2024, 3, 1)
VISIBLE = REP_ROWS_SEEN
AMOUNTS = {
    "rep": "500.00",
    "teammate": "1000.00",
    "other_team_rep": "2000.00",
    "south_rep": "4000.00",
}
TOTALS = {"rep": "25.00", "teammate": "50.00", "other_team_rep": "100.00", "south_rep": "200.00"}


@pytest.fixture
def world(cast, team, other_team, south_team):
    plan = make_plan(*(cast[name] for name in REPS), rate="5", quota_key=None)
    statements = {}
    for name in REPS:
        won(cast[name], AMOUNTS[name], date(2024, 3, 12), title=f"{name} big win")
        statements[name] = compute_statement(rep=cast[name], month=MARCH)
    return {"people": cast, "plan": plan, "statements": statements}


def names_in(response, world):
    by_id = {s.pk: name for name, s in world["statements"].items()}
    return {by_id[s.pk] for s in response.context["page"]}


def csv_rows(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- statements list -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_the_statements_each_role_sees_with_totals(world, client_for, role):
    response = client_for(world["people"][role]).get(reverse("commissions:list"))
    assert response.status_code == 200
    assert names_in(response, world) == VISIBLE[role]
    totals = response.context["totals"]
    assert totals["count"] == len(VISIBLE[role])
    assert totals["total"] == sum(Decimal(TOTALS[n]) for n in VISIBLE[role])


def test_list_totals_row_and_filters(world, client_for, team):
    client = client_for(world["people"]["director"])
    response = client.get(reverse("commissions:list"))
    html = response.content.decode()
    assert "Total · 3 statements" in html
    assert "3,500.00" in html and "175.00" in html  # won value and total of the three

    response = client.get(reverse("commissions:list"), {"team": team.pk})
    assert names_in(response, world) == {"rep", "teammate"}
    assert response.context["totals"]["total"] == Decimal("75.00")
    response = client.get(
        reverse("commissions:list"), {"rep": world["people"]["other_team_rep"].pk}
    )
    assert names_in(response, world) == {"other_team_rep"}
    assert names_in(client.get(reverse("commissions:list"), {"month": "2024-03"}), world) == {
        "rep",
        "teammate",
        "other_team_rep",
    }
    assert names_in(client.get(reverse("commissions:list"), {"month": "2024-02"}), world) == set()


def test_list_filters_refuse_what_is_outside_scope_or_malformed(world, client_for):
    client = client_for(world["people"]["manager"])
    response = client.get(reverse("commissions:list"), {"rep": world["people"]["south_rep"].pk})
    assert "Select a valid choice" in response.content.decode()
    response = client.get(reverse("commissions:list"), {"month": "March"})
    assert response.status_code == 200
    assert "Enter a month as YYYY-MM." in response.content.decode()
    assert names_in(response, world) == {"rep", "teammate"}


def test_list_csv_has_the_visible_statements(world, client_for):
    response = client_for(world["people"]["manager"]).get(
        reverse("commissions:list"), {"export": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][:3] == ["rep", "team", "month"]
    assert rows[0][8:11] == ["bonus", "adjustment", "total"]
    assert sorted((r[0], r[2], r[4], r[10], r[11]) for r in rows[1:]) == [
        ("Rita Rep", "2024-03", "500.00", "25.00", "USD"),
        ("Tom Teammate", "2024-03", "1000.00", "50.00", "USD"),
    ]


def test_list_query_count_does_not_grow_with_statements(
    db, client_for, admin, django_assert_max_num_queries
):
    plan = CommissionPlan.objects.create(name="Flat", rate=Decimal("5"))
    team = TeamFactory(name="Many")

    def add_statements(n):
        people = [UserFactory(team=team) for _ in range(n)]
        CommissionStatement.objects.bulk_create(
            CommissionStatement(
                rep=person,
                month=MARCH,
                plan=plan,
                credited_value=Decimal("100"),
                commission=Decimal("5"),
                bonus=Decimal("0"),
                total=Decimal("5"),
                computed_at=timezone.now(),
            )
            for person in people
        )

    client = client_for(admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("commissions:list")).status_code == 200
        return len(queries)

    add_statements(5)
    count()  # the first request loads the company settings into the cache
    few = count()
    add_statements(45)
    assert count() == few
    with django_assert_max_num_queries(12):
        client.get(reverse("commissions:list"))


def test_rep_sees_the_month_to_date_preview(world, client_for):
    rep = world["people"]["rep"]
    today = CompanySettings.load().today()
    won(rep, "800.00", today, title="Fresh win")
    response = client_for(rep).get(reverse("commissions:list"))
    preview = response.context["preview"]
    assert preview.month == today.replace(day=1)
    assert preview.credited_value == Decimal("800.00") and preview.total == Decimal("40.00")
    assert 'id="month-to-date"' in response.content.decode()
    assert CommissionStatement.objects.filter(month=today.replace(day=1)).count() == 0


def test_manager_not_on_a_plan_has_no_preview(world, client_for):
    response = client_for(world["people"]["manager"]).get(reverse("commissions:list"))
    assert response.context["preview"] is None
    assert 'id="month-to-date"' not in response.content.decode()


# --- statement detail ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owner", REPS)
def test_detail_is_visible_in_scope_and_404_outside(world, client_for, role, owner):
    statement = world["statements"][owner]
    url = reverse("commissions:detail", args=[statement.pk])
    response = client_for(world["people"][role]).get(url)
    if owner in VISIBLE[role]:
        assert response.status_code == 200
        assert f"{owner} big win" in response.content.decode()
    else:
        assert response.status_code == 404
        assert f"{owner} big win" not in response.content.decode()
    csv_response = client_for(world["people"][role]).get(url, {"export": "csv"})
    assert csv_response.status_code == (200 if owner in VISIBLE[role] else 404)


def test_detail_shows_lines_terms_quota_and_attainment(rep, manager, client_for):
    plan = make_plan(
        rep, rate="5", cap="2000", tiers=[("100", "8")], bonuses=[("Club", "100", "300")]
    )
    quota(rep, manager, "10000", month=MARCH)
    won(rep, "12000.00", date(2024, 3, 5), title="Harbour cranes")
    statement = compute_statement(rep=rep, month=MARCH)
    response = client_for(rep).get(reverse("commissions:detail", args=[statement.pk]))
    html = response.content.decode()
    assert response.context["plan"] == plan
    assert [line.kind for line in response.context["lines"]] == [
        "sale",
        "commission",
        "accelerator",
        "cap",
        "bonus",
    ]
    for text in (
        "Harbour cranes",
        "120.0%",  # attainment
        "10,000.00",  # quota
        "660.00",  # 600 + 3% x 2,000
        "USD 960.00",  # total with the 300 bonus
        "8%",  # the tier's rate in the plan's terms
        "Club",
        "USD 2,000.00",  # the cap in the terms
    ):
        assert text in html, text
    assert 'id="no-quota"' not in html


def test_detail_says_when_there_was_no_quota(world, client_for):
    response = client_for(world["people"]["rep"]).get(
        reverse("commissions:detail", args=[world["statements"]["rep"].pk])
    )
    assert 'id="no-quota"' in response.content.decode()


def test_lines_csv_is_formula_safe(rep, client_for):
    make_plan(rep, rate="5", quota_key=None)
    won(rep, "500.00", date(2024, 3, 5), title='=HYPERLINK("http://x")')
    statement = compute_statement(rep=rep, month=MARCH)
    response = client_for(rep).get(
        reverse("commissions:detail", args=[statement.pk]), {"export": "csv"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="commission-rep-2024-03.csv"'
    rows = csv_rows(response)
    assert rows[0] == [
        "rep",
        "month",
        "position",
        "kind",
        "description",
        "deal_id",
        "base",
        "rate",
        "amount",
    ]
    assert rows[1][4].startswith("'=HYPERLINK")
    assert rows[1][3] == "sale"
    assert rows[1][6:] == ["500.00", "", "0.00"]
    assert rows[2][3:5] == ["commission", "Base commission: 5% of 500.00 = 25.00"]
    assert rows[2][6:] == ["500.00", "5.00", "25.00"]


def test_detail_query_count_does_not_grow_with_lines(
    rep, client_for, django_assert_max_num_queries
):
    plan = make_plan(rep, rate="5", quota_key=None, tiers=[("100", "8")])
    statement = CommissionStatement.objects.create(
        rep=rep,
        month=MARCH,
        plan=plan,
        credited_value=Decimal("0"),
        commission=Decimal("0"),
        bonus=Decimal("0"),
        total=Decimal("0"),
        computed_at=timezone.now(),
    )
    url = reverse("commissions:detail", args=[statement.pk])
    client = client_for(rep)

    def add_lines(n):
        for _ in range(n):
            deal = won(rep, "100.00", date(2024, 3, 5))
            StatementLine.objects.create(
                statement=statement, kind="commission", deal=deal, description="x", amount=5
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_lines(3)
    count()  # the first request loads the company settings into the cache
    few = count()
    add_lines(27)
    assert count() == few
    with django_assert_max_num_queries(12):
        client.get(url)


# --- plans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_plans_page_is_for_managers_and_up(world, client_for, role):
    CommissionTier.objects.create(plan=world["plan"], attainment_from=100, rate=Decimal("7.5"))
    response = client_for(world["people"][role]).get(reverse("commissions:plans"))
    if role in REPS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "Field" in html and "7.5%" in html
    (plan,) = response.context["plans"]
    assert plan.member_count == 4
    seen = {p.username for p in plan.visible_members}
    expected = {world["people"][n].username for n in VISIBLE[role]}
    assert seen == expected
    hidden = {world["people"][n] for n in REPS} - {world["people"][n] for n in VISIBLE[role]}
    for person in hidden:
        assert str(person) not in html


def test_plans_page_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for(world["people"]["admin"])
    with django_assert_max_num_queries(8):
        client.get(reverse("commissions:plans"))


# --- admin ---------------------------------------------------------------------------------


def plan_form_data(*, name, reps, rate="5", tiers=(), active=True):
    data = {
        "name": name,
        "rate": rate,
        "cap": "",
        "quota_metric": "",
        "reps": [r.pk for r in reps],
        "tiers-TOTAL_FORMS": str(len(tiers)),
        "tiers-INITIAL_FORMS": "0",
        "bonuses-TOTAL_FORMS": "0",
        "bonuses-INITIAL_FORMS": "0",
    }
    if active:
        data["active"] = "on"
    for i, (start, tier_rate) in enumerate(tiers):
        data[f"tiers-{i}-attainment_from"] = start
        data[f"tiers-{i}-rate"] = tier_rate
    return data


def test_admin_refuses_a_rep_on_two_active_plans(world, client_for):
    client = client_for(world["people"]["admin"])
    rep = world["people"]["rep"]
    url = reverse("admin:reporting_commissionplan_add")
    response = client.post(url, plan_form_data(name="Inside", reps=[rep]))
    assert response.status_code == 200
    assert "A rep is on one active plan at a time" in response.content.decode()
    assert "rep (Field)" in response.content.decode()
    assert not CommissionPlan.objects.filter(name="Inside").exists()

    # An inactive plan may hold them (e.g. next year's plan, prepared ahead).
    response = client.post(url, plan_form_data(name="Next year", reps=[rep], active=False))
    assert response.status_code == 302
    # Re-saving the plan they are on is fine.
    field = world["plan"]
    response = client.post(
        reverse("admin:reporting_commissionplan_change", args=[field.pk]),
        plan_form_data(name="Field", reps=[world["people"][n] for n in REPS], rate="6"),
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.rate == Decimal("6.00")


def test_admin_checks_tiers(world, client_for):
    client = client_for(world["people"]["admin"])
    url = reverse("admin:reporting_commissionplan_add")
    response = client.post(url, plan_form_data(name="Low", reps=[], tiers=[("90", "8")]))
    assert "greater than or equal to 100" in response.content.decode()
    response = client.post(url, plan_form_data(name="Down", reps=[], tiers=[("100", "4")]))
    assert "An accelerator pays at least the plan&#x27;s rate" in response.content.decode()
    assert not CommissionPlan.objects.filter(name__in=["Low", "Down"]).exists()
    response = client.post(url, plan_form_data(name="Up", reps=[], tiers=[("100", "8")]))
    assert response.status_code == 302
    assert CommissionPlan.objects.get(name="Up").tiers.get().rate == Decimal("8.00")


def test_admin_shows_statements_read_only(world, client_for):
    client = client_for(world["people"]["admin"])
    statement = world["statements"]["rep"]
    response = client.get(
        reverse("admin:reporting_commissionstatement_change", args=[statement.pk])
    )
    assert response.status_code == 200
    assert "rep big win" in response.content.decode()
    assert client.get(reverse("admin:reporting_commissionstatement_add")).status_code == 403
    response = client.post(
        reverse("admin:reporting_commissionstatement_delete", args=[statement.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert CommissionStatement.objects.filter(pk=statement.pk).exists()
