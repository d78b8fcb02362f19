"""Commission plans and statements on /api/v1/, for every role of the cast.

Rita (rep) and Tom (teammate) are on the plan "Field"; Otto (Beta) and Sofia (South)
on "Inside". Each has a March 2024 statement (one won deal at 5%). Statements are
scoped like everything else (404 outside); reps read only the plans they are on;
managers, directors and admins read every plan, listing only the members they see.
Both endpoints are read-only.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reporting.commissions.services import compute_statement
from reporting.models import CommissionPlan, CommissionStatement, CommissionTier
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.factories import UserFactory
from tests.reporting.commissions.test_selectors import make_plan, won

VISIBLE = REP_ROWS_SEEN
PLAN_OF = {"rep": "Field", "teammate": "Field", "other_team_rep": "Inside", "south_rep": "Inside"}
NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}
STATEMENTS = "/api/v1/commission-statements/"
PLANS = "/api/v1/commission-plans/"
MARCH = date(2024, 3, 1)


@pytest.fixture
def world(cast, team, other_team, south_team):
    field = make_plan(cast["rep"], cast["teammate"], rate="5", tiers=[("100", "8")], name="Field")
    inside = make_plan(cast["other_team_rep"], cast["south_rep"], rate="4", name="Inside")
    statements = {}
    for n, name in enumerate(REPS, start=1):
        won(cast[name], f"{n * 500}.00", date(2024, 3, 12), title=f"{name} deal")
        statements[name] = compute_statement(rep=cast[name], month=MARCH)
    return {"people": cast, "plans": {"Field": field, "Inside": inside}, "statements": statements}


def listed(api, url, **query):
    response = api.get(url, {"page_size": 500, **query})
    assert response.status_code == 200, response.data
    assert response.data["count"] == len(response.data["results"])
    return response.data["results"]


def names(world, rows):
    by_id = {s.pk: name for name, s in world["statements"].items()}
    return {by_id[row["id"]] for row in rows}


# --- statements ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_statement_list_is_scoped(world, api_for, role):
    rows = listed(api_for(world["people"][role]), STATEMENTS)
    assert names(world, rows) == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("owner", REPS)
def test_statement_detail_in_scope_and_404_outside(world, api_for, role, owner):
    statement = world["statements"][owner]
    response = api_for(world["people"][role]).get(f"{STATEMENTS}{statement.pk}/")
    if owner in VISIBLE[role]:
        assert response.status_code == 200
        assert response.data["lines"][0]["description"].startswith(f"{owner} deal")
    else:
        assert response.status_code == 404
        assert response.data == NOT_FOUND


def test_statement_body_has_figures_and_nested_lines(world, api_for):
    rep = world["people"]["rep"]
    statement = world["statements"]["rep"]
    response = api_for(rep).get(f"{STATEMENTS}{statement.pk}/")
    deal_id = statement.lines.get(kind="sale").deal_id
    assert response.data == {
        "id": statement.pk,
        "rep": rep.pk,
        "month": "2024-03",
        "plan": world["plans"]["Field"].pk,
        "credited_value": "500.00",
        "quota": None,
        "attainment": None,
        "commission": "25.00",
        "bonus": "0.00",
        "adjustment": "0.00",
        "total": "25.00",
        "computed_at": response.data["computed_at"],
        "lines": [
            {
                "position": 1,
                "kind": "sale",
                "description": "rep deal — won deal, 12 Mar 2024",
                "deal": deal_id,
                "base": "500.00",
                "rate": None,
                "amount": "0.00",
            },
            {
                "position": 2,
                "kind": "commission",
                "description": "Base commission: 5% of 500.00 = 25.00",
                "deal": None,
                "base": "500.00",
                "rate": "5.00",
                "amount": "25.00",
            },
        ],
        "adjustments": [],
    }


def test_statement_filters(world, api_for, team):
    api = api_for(world["people"]["admin"])
    assert names(world, listed(api, STATEMENTS, month="2024-03")) == set(REPS)
    assert names(world, listed(api, STATEMENTS, month="2024-04")) == set()
    assert names(world, listed(api, STATEMENTS, team=team.pk)) == {"rep", "teammate"}
    rep = world["people"]["south_rep"]
    assert names(world, listed(api, STATEMENTS, rep=rep.pk)) == {"south_rep"}


def test_statement_filters_refuse_bad_month_and_people_outside_scope(world, api_for):
    api = api_for(world["people"]["manager"])
    response = api.get(STATEMENTS, {"month": "March"})
    assert response.status_code == 400
    assert response.data["errors"] == {"month": ["Enter a month as YYYY-MM."]}
    response = api.get(STATEMENTS, {"rep": world["people"]["south_rep"].pk})
    assert response.status_code == 400
    assert "rep" in response.data["errors"]


@pytest.mark.parametrize("role", ROLES)
def test_statements_are_read_only(world, api_for, role):
    api = api_for(world["people"][role])
    statement = world["statements"]["rep"]
    assert api.post(STATEMENTS, {}).status_code == 405
    detail = f"{STATEMENTS}{statement.pk}/"
    for method in (api.patch, api.put, api.delete):
        assert method(detail, {"total": "1000000.00"}).status_code in (404, 405)
    statement.refresh_from_db()
    assert statement.total == Decimal("25.00")


def test_statement_list_query_count_does_not_grow(db, admin, django_assert_max_num_queries):
    plan = CommissionPlan.objects.create(name="Flat", rate=Decimal("5"))
    api = APIClient()
    api.force_authenticate(admin)

    def add(n):
        for _ in range(n):
            statement = CommissionStatement.objects.create(
                rep=UserFactory(),
                month=MARCH,
                plan=plan,
                credited_value=Decimal("100"),
                commission=Decimal("5"),
                bonus=Decimal("0"),
                total=Decimal("5"),
                computed_at=timezone.now(),
            )
            for position in (1, 2, 3):
                statement.lines.create(
                    kind="commission", description="x", amount=Decimal("5"), position=position
                )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(STATEMENTS).status_code == 200
        return len(queries)

    add(2)
    count()
    few = count()
    add(20)
    assert count() == few
    with django_assert_max_num_queries(5):
        api.get(STATEMENTS)


def test_anonymous_is_refused(world):
    assert APIClient().get(STATEMENTS).status_code in (401, 403)
    assert APIClient().get(PLANS).status_code in (401, 403)


# --- plans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_plans_reps_read_their_own_managers_all(world, api_for, role):
    rows = listed(api_for(world["people"][role]), PLANS)
    expected = {PLAN_OF[role]} if role in REPS else {"Field", "Inside"}
    assert {row["name"] for row in rows} == expected
    seen_members = {pk for row in rows for pk in row["reps"]}
    visible_pks = {world["people"][n].pk for n in VISIBLE[role]}
    on_plans = {world["people"][n].pk for n in REPS if PLAN_OF[n] in expected}
    assert seen_members == visible_pks & on_plans


@pytest.mark.parametrize("role", ROLES)
def test_plan_detail_404_for_a_rep_not_on_it(world, api_for, role):
    inside = world["plans"]["Inside"]
    response = api_for(world["people"][role]).get(f"{PLANS}{inside.pk}/")
    if role in REPS and PLAN_OF[role] != "Inside":
        assert response.status_code == 404
        assert response.data == NOT_FOUND
    else:
        assert response.status_code == 200


def test_plan_body_has_terms(world, api_for):
    CommissionTier.objects.create(
        plan=world["plans"]["Field"], attainment_from=Decimal("120"), rate=Decimal("10")
    )
    response = api_for(world["people"]["rep"]).get(f"{PLANS}{world['plans']['Field'].pk}/")
    assert response.data == {
        "id": world["plans"]["Field"].pk,
        "name": "Field",
        "rate": "5.00",
        "cap": None,
        "quota_metric": "sales-value",
        "active": True,
        "tiers": [
            {"attainment_from": "100.00", "rate": "8.00"},
            {"attainment_from": "120.00", "rate": "10.00"},
        ],
        "bonuses": [],
        "reps": [world["people"]["rep"].pk],
    }


def test_plans_are_read_only(world, api_for):
    api = api_for(world["people"]["admin"])
    assert api.post(PLANS, {"name": "New", "rate": "50"}).status_code == 405
    field = world["plans"]["Field"]
    assert api.patch(f"{PLANS}{field.pk}/", {"rate": "50"}).status_code == 405
    field.refresh_from_db()
    assert field.rate == Decimal("5.00")
