"""Deals on /api/v1/.

Writes go through the deals feature's services: a deal's stage changes only through
`move` (which records the transition), Lost needs a reason, and deals are never deleted.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.models import Activity, Deal, StageTransition
from tests.factories.api import CustomerFactory, ids, invalid, make_deal
from tests.factories.tasks import company_day


def test_rep_creates_a_deal_in_the_first_stage(rep, acme, pro_plan, api_for):
    close = company_day() + timedelta(days=20)
    response = api_for(rep).post(
        "/api/v1/deals/",
        {
            "title": "Acme fleet",
            "customer": acme.pk,
            "pipeline": "new-business",
            "products": ["pro-plan"],
            "amount": "12000.00",
            "expected_close": str(close),
            "next_step": "Send the quote",
            "next_step_date": str(company_day() + timedelta(days=2)),
        },
    )

    assert response.status_code == 201, response.data
    deal = Deal.objects.get()
    assert response.data == {
        "id": deal.pk,
        "title": "Acme fleet",
        "customer": acme.pk,
        "customer_name": "Acme",
        "owner": rep.pk,
        "pipeline": "new-business",
        "stage": "lead",
        "stage_name": "Lead",
        "status": "open",
        "products": ["pro-plan"],
        "amount": "12000.00",
        "expected_close": str(close),
        "probability": None,
        "win_probability": 5,
        "weighted_amount": "600.00",
        "next_step": "Send the quote",
        "next_step_date": str(company_day() + timedelta(days=2)),
        "needs_attention": False,
        "lost_reason": None,
        "lost_note": "",
        "closed_on": None,
        "stage_entered_at": response.data["stage_entered_at"],
        "source": "",
        "external_id": "",
        "version": 1,
        "created_at": response.data["created_at"],
        "updated_at": response.data["updated_at"],
    }
    assert list(deal.transitions.values_list("from_stage", "to_stage__key", "by")) == [
        (None, "lead", rep.pk)
    ]


def test_deal_created_in_a_named_stage_with_own_probability(rep, acme, api_for):
    response = api_for(rep).post(
        "/api/v1/deals/",
        {
            "title": "Acme renewal",
            "customer": acme.pk,
            "pipeline": "renewals",
            "stage": "quoted",
            "amount": "800",
            "probability": 90,
            "expected_close": str(company_day()),
        },
    )

    assert response.status_code == 201, response.data
    assert (response.data["stage"], response.data["win_probability"]) == ("quoted", 90)
    assert response.data["weighted_amount"] == "720.00"
    assert response.data["needs_attention"] is True  # no next step


def test_unknown_stage_is_named(rep, acme, api_for):
    response = api_for(rep).post(
        "/api/v1/deals/",
        {
            "title": "Acme",
            "customer": acme.pk,
            "pipeline": "renewals",
            "stage": "proposal",
            "amount": "1",
            "expected_close": str(company_day()),
        },
    )

    assert response.status_code == 400
    assert response.data == invalid({"stage": ["Renewals has no stage 'proposal'."]})
    assert not Deal.objects.exists()


def test_deal_for_a_customer_out_of_scope_is_refused(rep, teammate, api_for):
    theirs = CustomerFactory(owner=teammate)

    response = api_for(rep).post(
        "/api/v1/deals/",
        {
            "title": "Poach",
            "customer": theirs.pk,
            "pipeline": "new-business",
            "amount": "1",
            "expected_close": str(company_day()),
        },
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "customer": [f'Invalid pk "{theirs.pk}" - object does not exist.']
    }


def test_deal_update_changes_details(rep, acme, pro_plan, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"amount": "2500.50", "products": ["pro-plan"], "next_step": "Demo", "version": 1},
    )

    assert response.status_code == 200, response.data
    assert (response.data["amount"], response.data["products"], response.data["next_step"]) == (
        "2500.50",
        ["pro-plan"],
        "Demo",
    )
    deal.refresh_from_db()
    assert deal.amount == Decimal("2500.50")
    assert deal.transitions.count() == 1


def test_deal_update_cannot_change_the_stage(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).patch(f"/api/v1/deals/{deal.pk}/", {"stage": "won", "version": 1})

    assert response.status_code == 400
    assert response.data == invalid(
        {"stage": ["Change the stage with the move action, so the change is recorded."]}
    )
    deal.refresh_from_db()
    assert deal.stage.key == "lead"


def test_deal_update_may_repeat_the_current_stage_and_pipeline(rep, acme, api_for):
    """A client PUTting back what it read is not refused."""
    deal = make_deal(rep, customer=acme)
    api = api_for(rep)
    body = api.get(f"/api/v1/deals/{deal.pk}/").data

    response = api.put(f"/api/v1/deals/{deal.pk}/", {**body, "title": "Renamed"})

    assert response.status_code == 200, response.data
    assert response.data["title"] == "Renamed"


def test_deal_update_cannot_change_the_pipeline(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).patch(
        f"/api/v1/deals/{deal.pk}/", {"pipeline": "renewals", "version": 1}
    )

    assert response.status_code == 400
    assert response.data == invalid({"pipeline": ["A deal cannot move to another pipeline."]})


def test_deals_are_not_deleted(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    assert api_for(rep).delete(f"/api/v1/deals/{deal.pk}/").status_code == 405
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_move_records_a_transition(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).post(
        f"/api/v1/deals/{deal.pk}/move/", {"stage": "proposal", "note": "Quote sent"}
    )

    assert response.status_code == 200, response.data
    assert (response.data["stage"], response.data["win_probability"]) == ("proposal", 55)
    assert list(
        StageTransition.objects.filter(deal=deal).values_list(
            "from_stage__key", "to_stage__key", "by", "note"
        )
    ) == [(None, "lead", rep.pk, ""), ("lead", "proposal", rep.pk, "Quote sent")]


def test_move_to_lost_needs_a_reason(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "lost"})

    assert response.status_code == 400
    assert response.data == invalid({"lost_reason": ["Say why the deal was lost."]})
    deal.refresh_from_db()
    assert deal.stage.key == "lead"
    assert deal.transitions.count() == 1


def test_move_to_lost_with_a_reason(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": "lost", "lost_reason": "competitor", "note": "Went elsewhere"},
    )

    assert response.status_code == 200, response.data
    assert (
        response.data["status"],
        response.data["lost_reason"],
        response.data["lost_note"],
        response.data["closed_on"],
        response.data["needs_attention"],
    ) == ("lost", "competitor", "Went elsewhere", str(company_day()), False)


def test_move_to_an_unknown_stage(rep, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "due"})

    assert response.status_code == 400
    assert response.data == invalid({"stage": ["New business has no stage 'due'."]})


def test_move_to_won_counts_the_sale(rep, acme, api_for):
    deal = make_deal(rep, customer=acme, amount="4500.00")

    api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "won"})

    assert sorted(Activity.objects.filter(deal=deal).values_list("metric__key", "quantity")) == [
        ("sales-closed", Decimal("1")),
        ("sales-value", Decimal("4500")),
    ]


def test_manager_moves_a_reps_deal(rep, manager, acme, api_for):
    deal = make_deal(rep, customer=acme)

    response = api_for(manager).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "contacted"})

    assert response.status_code == 200, response.data
    assert deal.transitions.last().by == manager


def test_transitions_list_the_whole_history_unpaginated(rep, manager, acme, api_for):
    deal = make_deal(rep, customer=acme)
    api_for(rep).post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "contacted"})
    api_for(manager).post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": "lost", "lost_reason": "no-budget", "note": "Budget frozen"},
    )

    response = api_for(rep).get(f"/api/v1/deals/{deal.pk}/transitions/")

    assert response.status_code == 200
    rows = [{k: v for k, v in row.items() if k not in ("id", "at")} for row in response.data]
    assert rows == [
        {
            "from_stage": None,
            "from_stage_name": None,
            "to_stage": "lead",
            "to_stage_name": "Lead",
            "by": rep.pk,
            "by_name": "Rita Rep",
            "note": "",
        },
        {
            "from_stage": "lead",
            "from_stage_name": "Lead",
            "to_stage": "contacted",
            "to_stage_name": "Contacted",
            "by": rep.pk,
            "by_name": "Rita Rep",
            "note": "",
        },
        {
            "from_stage": "contacted",
            "from_stage_name": "Contacted",
            "to_stage": "lost",
            "to_stage_name": "Lost",
            "by": manager.pk,
            "by_name": "Maria Manager",
            "note": "Budget frozen",
        },
    ]


@pytest.fixture
def deals(rep, teammate, acme):
    mate_customer = CustomerFactory(owner=teammate, name="Crane")
    late = make_deal(
        rep,
        customer=acme,
        title="late",
        stage_key="proposal",
        expected_close=company_day() + timedelta(days=5),
        next_step_date=company_day() - timedelta(days=1),
    )
    won = make_deal(rep, customer=acme, title="won", stage_key="won", expected_close=company_day())
    renewal = make_deal(
        teammate,
        customer=mate_customer,
        title="renewal",
        pipeline="renewals",
        stage_key="due",
        expected_close=company_day() + timedelta(days=40),
        next_step="",
    )
    fine = make_deal(
        teammate,
        customer=mate_customer,
        title="fine",
        stage_key="lead",
        expected_close=company_day() + timedelta(days=10),
    )
    return {"late": late, "won": won, "renewal": renewal, "fine": fine}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["won", "late", "fine", "renewal"]),
        ({"status": "open"}, ["late", "fine", "renewal"]),
        ({"status": "won"}, ["won"]),
        ({"status": "lost"}, []),
        ({"pipeline": "renewals"}, ["renewal"]),
        ({"stage": "lead"}, ["fine"]),
        ({"pipeline": "new-business", "stage": "proposal"}, ["late"]),
        ({"needs_attention": "true"}, ["late", "renewal"]),
        ({"needs_attention": "false"}, ["won", "fine"]),
        ({"expected_close_from": 5, "expected_close_to": 10}, ["late", "fine"]),
    ],
)
def test_deal_filters(query, expected, deals, manager, api_for):
    if "expected_close_from" in query:
        query = {
            "expected_close_from": str(
                company_day() + timedelta(days=query["expected_close_from"])
            ),
            "expected_close_to": str(company_day() + timedelta(days=query["expected_close_to"])),
        }

    response = api_for(manager).get("/api/v1/deals/", query)

    assert ids(response) == [deals[name].pk for name in expected]


def test_deal_filters_by_owner_team_and_customer(deals, rep, team, acme, manager, api_for):
    api = api_for(manager)

    assert ids(api.get("/api/v1/deals/", {"owner": rep.pk})) == [
        deals["won"].pk,
        deals["late"].pk,
    ]
    assert len(ids(api.get("/api/v1/deals/", {"team": team.pk}))) == 4
    assert ids(api.get("/api/v1/deals/", {"customer": acme.pk})) == [
        deals["won"].pk,
        deals["late"].pk,
    ]
