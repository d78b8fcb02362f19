"""Customers, contacts, lost reasons, pipelines, stages, deals and tasks on /api/v1/.

Writes go through activities' feature services, so the API keeps the pages' rules:
'did not buy' and 'lost' need a reason, a deal's stage changes only through
`move` (which records the transition), Lost needs a reason, a manager's task
for a rep tells the rep. Customers, deals and tasks are never deleted.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from activities.deals import services
from activities.models import (
    Activity,
    Channel,
    Contact,
    Customer,
    Deal,
    LostReason,
    Product,
    Stage,
    StageTransition,
    Task,
)
from salesmgmt.models import CompanySettings, Notification
from tests.factories.api import ContactFactory, CustomerFactory, TaskFactory, make_deal, stage


def invalid(errors):
    return {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": errors,
    }


def today():
    return CompanySettings.load().today()


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


# --- customers --------------------------------------------------------------------------------


def test_rep_creates_a_customer_for_themselves(rep, api_for):
    response = api_for(rep).post(
        "/api/v1/customers/",
        {
            "name": "Harbour Logistics",
            "segment": "mid",
            "source_channel": "referral",
            "city": "Harbour Town",
            "email": "buyer@harbour.example",
        },
    )

    assert response.status_code == 201, response.data
    customer = Customer.objects.get()
    assert response.data == {
        "id": customer.pk,
        "name": "Harbour Logistics",
        "owner": rep.pk,
        "status": "prospect",
        "segment": "mid",
        "source_channel": "referral",
        "lost_reason": None,
        "lost_note": "",
        "city": "Harbour Town",
        "phone": "",
        "email": "buyer@harbour.example",
        "external_id": "",
        "contacts": [],
        "version": 1,
        "created_at": response.data["created_at"],
        "updated_at": response.data["updated_at"],
    }
    assert customer.owner == rep


def test_customer_detail_reads_its_contacts(rep, api_for):
    customer = CustomerFactory(owner=rep, name="Acme")
    zed = ContactFactory(customer=customer, name="Zed Buyer", email="zed@acme.example")
    ann = ContactFactory(customer=customer, name="Ann Chief", role="CEO")

    response = api_for(rep).get(f"/api/v1/customers/{customer.pk}/")

    assert response.status_code == 200
    assert response.data["contacts"] == [
        {"id": ann.pk, "name": "Ann Chief", "role": "CEO", "phone": "", "email": ""},
        {
            "id": zed.pk,
            "name": "Zed Buyer",
            "role": "Buyer",
            "phone": "",
            "email": "zed@acme.example",
        },
    ]


def test_did_not_buy_needs_a_reason(rep, api_for):
    response = api_for(rep).post(
        "/api/v1/customers/", {"name": "Tightwad Ltd", "status": "did_not_buy"}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"lost_reason": ["Say why: a reason is required for this status."]}
    )
    assert not Customer.objects.exists()


def test_did_not_buy_with_a_reason_is_kept(rep, api_for):
    response = api_for(rep).post(
        "/api/v1/customers/",
        {
            "name": "Tightwad Ltd",
            "status": "did_not_buy",
            "lost_reason": "price",
            "lost_note": "Half our price elsewhere",
        },
    )

    assert response.status_code == 201, response.data
    customer = Customer.objects.get()
    assert (customer.status, customer.lost_reason.key, customer.lost_note) == (
        "did_not_buy",
        "price",
        "Half our price elsewhere",
    )


def test_becoming_active_again_clears_the_reason(rep, api_for):
    customer = CustomerFactory(
        owner=rep, status="lost", lost_reason=LostReason.objects.get(key="timing"), lost_note="x"
    )

    response = api_for(rep).patch(
        f"/api/v1/customers/{customer.pk}/", {"status": "active", "version": customer.version}
    )

    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["lost_reason"], response.data["lost_note"]) == (
        "active",
        None,
        "",
    )


def test_manager_creates_a_customer_for_a_rep(rep, manager, api_for):
    response = api_for(manager).post("/api/v1/customers/", {"name": "Acme", "owner": rep.pk})

    assert response.status_code == 201, response.data
    assert Customer.objects.get().owner == rep


def test_manager_must_name_the_owner(manager, api_for):
    response = api_for(manager).post("/api/v1/customers/", {"name": "Acme"})

    assert response.status_code == 400
    assert response.data == invalid({"owner": ["Say which rep this is for."]})


def test_manager_cannot_give_a_customer_to_another_teams_rep(manager, other_team_rep, api_for):
    response = api_for(manager).post(
        "/api/v1/customers/", {"name": "Acme", "owner": other_team_rep.pk}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"owner": [f'Invalid pk "{other_team_rep.pk}" - object does not exist.']}
    )


def test_external_id_is_unique_among_customers(rep, api_for):
    CustomerFactory(owner=rep, external_id="crm-1")

    response = api_for(rep).post("/api/v1/customers/", {"name": "Copy", "external_id": "crm-1"})

    assert response.status_code == 400
    assert list(response.data["errors"]) == ["external_id"]
    assert Customer.objects.count() == 1


def test_blank_external_ids_do_not_clash(rep, api_for):
    CustomerFactory(owner=rep)

    response = api_for(rep).post("/api/v1/customers/", {"name": "Second", "external_id": ""})

    assert response.status_code == 201, response.data


def test_customers_are_not_deleted(rep, api_for):
    customer = CustomerFactory(owner=rep)

    response = api_for(rep).delete(f"/api/v1/customers/{customer.pk}/")

    assert response.status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.fixture
def customers(rep, teammate):
    price = LostReason.objects.get(key="price")
    return {
        "acme": CustomerFactory(owner=rep, name="Acme", segment="small", city="Harbour Town"),
        "lost": CustomerFactory(
            owner=rep, name="Bolt", status="did_not_buy", lost_reason=price, segment="mid"
        ),
        "mate": CustomerFactory(
            owner=teammate,
            name="Crane",
            status="active",
            source_channel_id=_channel("referral"),
        ),
    }


def _channel(key):
    return Channel.objects.get(key=key).pk


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["acme", "lost", "mate"]),
        ({"status": "did_not_buy"}, ["lost"]),
        ({"segment": "mid"}, ["lost"]),
        ({"source_channel": "referral"}, ["mate"]),
        ({"lost_reason": "price"}, ["lost"]),
        ({"q": "harbour"}, ["acme"]),
        ({"q": "ran"}, ["mate"]),
    ],
)
def test_customer_filters(query, expected, customers, manager, api_for):
    response = api_for(manager).get("/api/v1/customers/", query)

    assert ids(response) == [customers[name].pk for name in expected]


def test_customer_filters_by_owner_and_team(customers, rep, team, manager, api_for):
    api = api_for(manager)

    assert ids(api.get("/api/v1/customers/", {"owner": rep.pk})) == [
        customers["acme"].pk,
        customers["lost"].pk,
    ]
    assert len(ids(api.get("/api/v1/customers/", {"team": team.pk}))) == 3


def test_customer_search_finds_contacts(customers, rep, api_for):
    ContactFactory(customer=customers["lost"], name="Quentin Quill")

    response = api_for(rep).get("/api/v1/customers/", {"q": "quill"})

    assert ids(response) == [customers["lost"].pk]


def test_unknown_filter_choice_is_a_400(customers, manager, api_for):
    response = api_for(manager).get("/api/v1/customers/", {"status": "asleep"})

    assert response.status_code == 400
    assert response.data["errors"] == {
        "status": ["Select a valid choice. asleep is not one of the available choices."]
    }


# --- contacts ---------------------------------------------------------------------------------


def test_contact_crud(rep, api_for):
    customer = CustomerFactory(owner=rep)
    api = api_for(rep)

    created = api.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "name": "Ann Chief", "role": "CEO", "phone": "+1 555 0100"},
    )
    assert created.status_code == 201, created.data
    contact = Contact.objects.get()
    assert created.data == {
        "id": contact.pk,
        "customer": customer.pk,
        "name": "Ann Chief",
        "role": "CEO",
        "phone": "+1 555 0100",
        "email": "",
    }

    updated = api.patch(f"/api/v1/contacts/{contact.pk}/", {"email": "ann@acme.example"})
    assert updated.status_code == 200, updated.data
    assert api.get(f"/api/v1/contacts/{contact.pk}/").data["email"] == "ann@acme.example"
    assert ids(api.get("/api/v1/contacts/", {"customer": customer.pk})) == [contact.pk]

    deleted = api.delete(f"/api/v1/contacts/{contact.pk}/")
    assert deleted.status_code == 204
    assert not Contact.objects.exists()


def test_contact_for_a_customer_out_of_scope_is_refused(rep, teammate, api_for):
    theirs = CustomerFactory(owner=teammate)

    response = api_for(rep).post("/api/v1/contacts/", {"customer": theirs.pk, "name": "Spy"})

    assert response.status_code == 400
    assert response.data == invalid(
        {"customer": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    )
    assert not Contact.objects.exists()


# --- lost reasons, pipelines and stages ---------------------------------------------------------


def test_lost_reasons_are_listed_in_order(rep, api_for):
    response = api_for(rep).get("/api/v1/lost-reasons/")

    assert response.status_code == 200
    assert [r["key"] for r in response.data["results"]] == [
        "price",
        "product-fit",
        "timing",
        "competitor",
        "no-budget",
        "no-response",
        "other",
    ]


def test_admin_adds_a_lost_reason(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/lost-reasons/", {"key": "delivery", "name": "Delivery delays", "position": 7}
    )

    assert response.status_code == 201, response.data
    assert LostReason.objects.get(key="delivery").name == "Delivery delays"


def test_pipelines_list_their_stages_in_order(rep, api_for):
    response = api_for(rep).get("/api/v1/pipelines/")

    assert response.status_code == 200
    pipelines = response.data["results"]
    assert [p["key"] for p in pipelines] == ["new-business", "renewals"]
    assert [(s["key"], s["probability"], s["kind"]) for s in pipelines[1]["stages"]] == [
        ("due", 60, "open"),
        ("in-talks", 75, "open"),
        ("quoted", 85, "open"),
        ("won", 100, "won"),
        ("lost", 0, "lost"),
    ]
    assert pipelines[0]["stages"][0] == {
        "id": stage("lead").pk,
        "pipeline": "new-business",
        "key": "lead",
        "name": "Lead",
        "position": 0,
        "probability": 5,
        "kind": "open",
    }


def test_stages_filter_by_pipeline_and_kind(rep, api_for):
    api = api_for(rep)

    renewals = api.get("/api/v1/stages/", {"pipeline": "renewals"})
    won = api.get("/api/v1/stages/", {"kind": "won"})

    assert [s["key"] for s in renewals.data["results"]] == [
        "due",
        "in-talks",
        "quoted",
        "won",
        "lost",
    ]
    assert [(s["pipeline"], s["name"]) for s in won.data["results"]] == [
        ("new-business", "Won"),
        ("renewals", "Renewed"),
    ]


def test_admin_adds_a_stage(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/",
        {
            "pipeline": "renewals",
            "key": "signed",
            "name": "Signed",
            "position": 3,
            "probability": 95,
        },
    )

    assert response.status_code == 201, response.data
    assert Stage.objects.get(pipeline__key="renewals", key="signed").probability == 95


def test_stage_probability_is_a_percentage(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/",
        {"pipeline": "renewals", "key": "sure", "name": "Sure", "probability": 120},
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"probability": ["Ensure this value is less than or equal to 100."]}
    )


def test_stage_keys_are_unique_within_a_pipeline(admin, api_for):
    response = api_for(admin).post(
        "/api/v1/stages/", {"pipeline": "renewals", "key": "won", "name": "Won again"}
    )

    assert response.status_code == 400
    assert response.data == invalid(
        {"non_field_errors": ["The fields pipeline, key must make a unique set."]}
    )


def test_a_stage_stays_in_its_pipeline(admin, api_for):
    response = api_for(admin).patch(f"/api/v1/stages/{stage('lead').pk}/", {"pipeline": "renewals"})

    assert response.status_code == 400
    assert response.data == invalid(
        {"pipeline": ["A stage cannot move to another pipeline; its deals stay."]}
    )


# --- deals ------------------------------------------------------------------------------------


@pytest.fixture
def acme(rep):
    return CustomerFactory(owner=rep, name="Acme")


@pytest.fixture
def pro_plan(db):
    return Product.objects.create(sku="pro-plan", name="Pro plan")


def test_rep_creates_a_deal_in_the_first_stage(rep, acme, pro_plan, api_for):
    close = today() + timedelta(days=20)
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
            "next_step_date": str(today() + timedelta(days=2)),
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
        "next_step_date": str(today() + timedelta(days=2)),
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
            "expected_close": str(today()),
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
            "expected_close": str(today()),
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
            "expected_close": str(today()),
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
    ) == ("lost", "competitor", "Went elsewhere", str(today()), False)


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
        expected_close=today() + timedelta(days=5),
        next_step_date=today() - timedelta(days=1),
    )
    won = make_deal(rep, customer=acme, title="won", stage_key="won", expected_close=today())
    renewal = make_deal(
        teammate,
        customer=mate_customer,
        title="renewal",
        pipeline="renewals",
        stage_key="due",
        expected_close=today() + timedelta(days=40),
        next_step="",
    )
    fine = make_deal(
        teammate,
        customer=mate_customer,
        title="fine",
        stage_key="lead",
        expected_close=today() + timedelta(days=10),
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
            "expected_close_from": str(today() + timedelta(days=query["expected_close_from"])),
            "expected_close_to": str(today() + timedelta(days=query["expected_close_to"])),
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


# --- tasks ------------------------------------------------------------------------------------


def test_rep_creates_own_task(rep, acme, api_for):
    due = timezone.now() + timedelta(days=1)

    response = api_for(rep).post(
        "/api/v1/tasks/",
        {"title": "Call Acme", "customer": acme.pk, "due_at": due.isoformat(), "priority": "high"},
    )

    assert response.status_code == 201, response.data
    task = Task.objects.get()
    assert response.data == {
        "id": task.pk,
        "title": "Call Acme",
        "notes": "",
        "assignee": rep.pk,
        "created_by": rep.pk,
        "customer": acme.pk,
        "deal": None,
        "due_at": response.data["due_at"],
        "priority": "high",
        "done_at": None,
        "is_overdue": False,
        "version": 1,
        "created_at": response.data["created_at"],
    }
    assert task.due_at == due
    assert not Notification.objects.exists()  # nobody to tell: the rep set it


def test_managers_task_for_a_rep_tells_the_rep(rep, manager, api_for):
    response = api_for(manager).post(
        "/api/v1/tasks/",
        {"title": "Review pipeline", "assignee": rep.pk, "due_at": timezone.now().isoformat()},
    )

    assert response.status_code == 201, response.data
    task = Task.objects.get()
    assert (task.assignee, task.created_by) == (rep, manager)
    assert list(Notification.objects.values_list("user", "kind", "title")) == [
        (rep.pk, "task_assigned", "Maria Manager gave you a task: Review pipeline")
    ]


def test_task_for_a_rep_out_of_scope_is_refused(rep, teammate, api_for):
    response = api_for(rep).post(
        "/api/v1/tasks/",
        {"title": "Yours", "assignee": teammate.pk, "due_at": timezone.now().isoformat()},
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "assignee": [f'Invalid pk "{teammate.pk}" - object does not exist.']
    }
    assert not Task.objects.exists()


def test_task_update_done_and_reopen(rep, api_for):
    task = TaskFactory(assignee=rep, due_at=timezone.now() - timedelta(hours=2))
    api = api_for(rep)
    url = f"/api/v1/tasks/{task.pk}/"

    assert api.get(url).data["is_overdue"] is True
    edited = api.patch(url, {"title": "Call back Acme", "priority": "low", "version": 1})
    done = api.post(f"{url}done/")
    done_again = api.post(f"{url}done/")
    reopened = api.post(f"{url}reopen/")

    assert edited.status_code == 200, edited.data
    assert (edited.data["title"], edited.data["priority"]) == ("Call back Acme", "low")
    assert done.status_code == 200
    assert done.data["done_at"] is not None
    assert done.data["is_overdue"] is False
    assert done_again.data["done_at"] == done.data["done_at"]
    assert reopened.status_code == 200
    assert (reopened.data["done_at"], reopened.data["is_overdue"]) == (None, True)


def test_tasks_are_not_deleted(rep, api_for):
    task = TaskFactory(assignee=rep)

    assert api_for(rep).delete(f"/api/v1/tasks/{task.pk}/").status_code == 405
    assert Task.objects.filter(pk=task.pk).exists()


@pytest.fixture
def tasks(rep, teammate, acme):
    now = timezone.now()
    company_today = today()
    deal = make_deal(rep, customer=acme)
    return {
        "overdue": TaskFactory(assignee=rep, title="overdue", due_at=now - timedelta(days=2)),
        "soon": TaskFactory(
            assignee=rep, title="soon", due_at=now + timedelta(hours=1), customer=acme, deal=deal
        ),
        "done": TaskFactory(
            assignee=teammate,
            title="done",
            due_at=now - timedelta(days=1),
            done_at=now - timedelta(days=1, hours=2),
        ),
        "later": TaskFactory(
            assignee=teammate,
            title="later",
            due_at=_noon(company_today + timedelta(days=10)),
        ),
        "deal": deal,
    }


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=CompanySettings.load().tzinfo)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["overdue", "done", "soon", "later"]),
        ({"status": "open"}, ["overdue", "soon", "later"]),
        ({"status": "overdue"}, ["overdue"]),
        ({"status": "done"}, ["done"]),
        ({"priority": "normal"}, ["overdue", "done", "soon", "later"]),
    ],
)
def test_task_filters(query, expected, tasks, manager, api_for):
    response = api_for(manager).get("/api/v1/tasks/", query)

    assert ids(response) == [tasks[name].pk for name in expected]


def test_task_filters_by_due_range_and_links(tasks, rep, acme, team, manager, api_for):
    api = api_for(manager)
    day_ten = str(today() + timedelta(days=10))

    assert ids(api.get("/api/v1/tasks/", {"due_from": day_ten, "due_to": day_ten})) == [
        tasks["later"].pk
    ]
    assert ids(api.get("/api/v1/tasks/", {"due_from": day_ten})) == [tasks["later"].pk]
    assert ids(api.get("/api/v1/tasks/", {"customer": acme.pk})) == [tasks["soon"].pk]
    assert ids(api.get("/api/v1/tasks/", {"deal": tasks["deal"].pk})) == [tasks["soon"].pk]
    assert ids(api.get("/api/v1/tasks/", {"assignee": rep.pk})) == [
        tasks["overdue"].pk,
        tasks["soon"].pk,
    ]
    assert len(ids(api.get("/api/v1/tasks/", {"team": team.pk}))) == 4


def test_absurd_due_dates_match_nothing(tasks, manager, api_for):
    response = api_for(manager).get("/api/v1/tasks/", {"due_to": "9999-12-31"})

    assert ids(response) == []


# --- lists stay cheap -------------------------------------------------------------------------


def _grow(rep, teammate, n):
    for i in range(n):
        customer = CustomerFactory(owner=rep if i % 2 else teammate)
        ContactFactory(customer=customer)
        ContactFactory(customer=customer)
        deal = make_deal(customer.owner, customer=customer)
        deal.products.set(Product.objects.all())
        TaskFactory(assignee=customer.owner, customer=customer, deal=deal)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/",
        "/api/v1/contacts/",
        "/api/v1/deals/",
        "/api/v1/tasks/",
        "/api/v1/pipelines/",
        "/api/v1/stages/",
        "/api/v1/lost-reasons/",
    ],
)
def test_list_queries_do_not_grow_with_rows(
    url, rep, teammate, manager, pro_plan, api_for, django_assert_max_num_queries
):
    Product.objects.create(sku="starter", name="Starter")
    api = api_for(manager)
    _grow(rep, teammate, 2)
    with django_assert_max_num_queries(4):
        small = api.get(url)
    _grow(rep, teammate, 12)

    with django_assert_max_num_queries(4):
        large = api.get(url)

    assert small.status_code == large.status_code == 200


# --- schema -----------------------------------------------------------------------------------

CRM_PATHS = {
    "/api/v1/contacts/",
    "/api/v1/contacts/{id}/",
    "/api/v1/customers/",
    "/api/v1/customers/{id}/",
    "/api/v1/deals/",
    "/api/v1/deals/{id}/",
    "/api/v1/deals/{id}/move/",
    "/api/v1/deals/{id}/transitions/",
    "/api/v1/deals/bulk/",
    "/api/v1/lost-reasons/",
    "/api/v1/lost-reasons/{id}/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/preferences/",
    "/api/v1/notifications/read-all/",
    "/api/v1/pipelines/",
    "/api/v1/pipelines/{id}/",
    "/api/v1/reports/forecast/",
    "/api/v1/reports/funnel/",
    "/api/v1/stages/",
    "/api/v1/stages/{id}/",
    "/api/v1/tasks/",
    "/api/v1/tasks/{id}/",
    "/api/v1/tasks/{id}/done/",
    "/api/v1/tasks/{id}/reopen/",
}


@pytest.fixture
def schema(rep, api_for):
    response = api_for(rep).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_new_endpoint_is_in_the_schema(schema):
    assert set(schema["paths"]) >= CRM_PATHS


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/customers/{id}/", {"get", "put", "patch"}),
        ("/api/v1/contacts/{id}/", {"get", "put", "patch", "delete"}),
        ("/api/v1/deals/{id}/", {"get", "put", "patch"}),
        ("/api/v1/deals/{id}/move/", {"post"}),
        ("/api/v1/deals/{id}/transitions/", {"get"}),
        ("/api/v1/deals/bulk/", {"post"}),
        ("/api/v1/tasks/{id}/", {"get", "put", "patch"}),
        ("/api/v1/notifications/{id}/", {"get"}),
        ("/api/v1/notifications/preferences/", {"get", "put"}),
        ("/api/v1/stages/{id}/", {"get", "put", "patch"}),
        ("/api/v1/reports/funnel/", {"get"}),
        ("/api/v1/reports/forecast/", {"get"}),
    ],
)
def test_schema_operations_match_what_the_api_allows(path, methods, schema):
    assert set(schema["paths"][path]) & {"get", "post", "put", "patch", "delete"} == methods


def test_move_and_bulk_carry_request_and_response_examples(schema):
    move = schema["paths"]["/api/v1/deals/{id}/move/"]["post"]
    bulk = schema["paths"]["/api/v1/deals/bulk/"]["post"]

    assert set(move["requestBody"]["content"]["application/json"]["examples"]) == {
        "MoveToProposal",
        "MarkLost",
    }
    assert set(move["responses"]["200"]["content"]["application/json"]["examples"]) == {
        "TheMovedDeal"
    }
    lost = move["responses"]["400"]["content"]["application/json"]["examples"]
    assert lost["LostWithoutAReason"]["value"]["errors"] == {
        "lost_reason": ["Say why the deal was lost."]
    }
    assert set(bulk["requestBody"]["content"]["application/json"]["examples"]) == {"TwoDeals"}
    assert set(bulk["responses"]["200"]["content"]["application/json"]["examples"]) == {
        "FirstDelivery",
        "TheSameBatchAgain",
    }
    assert set(bulk["responses"]["400"]["content"]["application/json"]["examples"]) == {"ABadRow"}


def test_transitions_schema_is_a_plain_list(schema):
    body = schema["paths"]["/api/v1/deals/{id}/transitions/"]["get"]["responses"]["200"]
    assert body["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/StageTransition"},
    }


def test_lists_are_paginated_and_filterable_in_the_schema(schema):
    deals = schema["paths"]["/api/v1/deals/"]["get"]
    params = {p["name"] for p in deals["parameters"]}

    assert {"page", "page_size", "owner", "team", "pipeline", "stage", "status"} <= params
    assert {"expected_close_from", "expected_close_to", "needs_attention"} <= params
    assert deals["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedDealList"
    }


def test_spectacular_still_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    document = yaml.safe_load(out.read_text())
    assert set(document["paths"]) >= CRM_PATHS


# --- funnel and forecast figures ----------------------------------------------------------------


def move(deal, key, by, **kwargs):
    return services.move_deal(deal=deal, to_stage=stage(key), by=by, **kwargs)


@pytest.fixture
def history(rep, teammate, other_team_rep):
    """Alpha: one deal lead -> contacted -> proposal -> won (1,000), one lead -> lost
    (500). Beta: one deal still in Lead, outside team Alpha's figures."""
    won = make_deal(rep, amount="1000.00")
    move(won, "contacted", rep)
    move(won, "proposal", rep)
    move(won, "won", rep)
    lost = make_deal(teammate, amount="500.00")
    move(lost, "lost", teammate, lost_reason=LostReason.objects.get(key="price"))
    make_deal(other_team_rep, amount="9000.00")


def stage_rows(body):
    return [
        (s["stage"], s["entered"], s["advanced"], s["conversion"], s["stays"])
        for s in body["stages"]
    ]


def test_funnel_for_a_team_and_period(history, team, manager, api_for):
    day = str(today())

    response = api_for(manager).get(
        "/api/v1/reports/funnel/", {"scope": "team", "team": team.pk, "start": day, "end": day}
    )

    assert response.status_code == 200, response.data
    body = response.data
    assert body["scope"] == {"key": f"team:{team.pk}", "label": "Team Alpha"}
    assert body["pipeline"] == "new-business"
    assert (body["period"]["key"], body["period"]["start"], body["period"]["end"]) == (
        "custom",
        day,
        day,
    )
    assert stage_rows(body) == [
        ("lead", 2, 1, "50.0", 2),
        ("contacted", 1, 1, "100.0", 1),
        ("appointment-set", 0, 0, None, 0),
        ("appointment-held", 0, 0, None, 0),
        ("proposal", 1, 1, "100.0", 1),
        ("negotiation", 0, 0, None, 0),
        ("won", 1, 0, None, 0),
    ]
    assert body["stages"][0]["avg_days"] == "0.0"
    assert body["outcomes"] == {
        "won": 1,
        "lost": 1,
        "hit_rate": "50.0",
        "won_amount": "1000.00",
        "avg_deal_size": "1000.00",
        "avg_cycle_days": "0.0",
    }


def test_funnel_defaults_to_this_month_and_the_callers_widest_scope(history, director, api_for):
    response = api_for(director).get("/api/v1/reports/funnel/")

    assert response.status_code == 200, response.data
    assert response.data["scope"]["key"] == f"division:{director.division_id}"
    assert response.data["period"]["key"] == "month"
    assert response.data["stages"][0]["entered"] == 3  # Alpha's two and Beta's one


def test_funnel_of_another_pipeline_is_empty(history, manager, api_for):
    response = api_for(manager).get("/api/v1/reports/funnel/", {"pipeline": "renewals"})

    assert response.status_code == 200
    assert [s["stage"] for s in response.data["stages"]] == ["due", "in-talks", "quoted", "won"]
    assert response.data["outcomes"]["won"] == 0
    assert response.data["outcomes"]["hit_rate"] is None


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"scope": "team"}, {"team": ["Say which team: scope=team needs team=<id>."]}),
        ({"scope": "galaxy"}, {"scope": ['"galaxy" is not a valid choice.']}),
        ({"start": "2026-11-01"}, {"end": ["Give both start and end, or neither."]}),
        (
            {"start": "2026-11-10", "end": "2026-11-01"},
            {"end": ["end must not be before start."]},
        ),
        ({"pipeline": "nope"}, {"pipeline": ["No active pipeline 'nope'."]}),
    ],
)
def test_bad_report_queries_are_400(query, errors, manager, api_for):
    response = api_for(manager).get("/api/v1/reports/funnel/", query)

    assert response.status_code == 400
    assert response.data == invalid(errors)


def test_forecast_for_this_month_and_quarter(rep, manager, team, api_for):
    close = today()
    make_deal(rep, stage_key="proposal", amount="2000.00", expected_close=close)
    make_deal(rep, stage_key="lead", amount="1000.00", probability=80, expected_close=close)
    make_deal(rep, stage_key="won", amount="700.00", expected_close=close)
    make_deal(rep, stage_key="lead", amount="5000.00", expected_close=close + timedelta(days=400))

    response = api_for(manager).get("/api/v1/reports/forecast/", {"scope": "team", "team": team.pk})

    assert response.status_code == 200, response.data
    body = response.data
    assert (body["scope"]["key"], body["pipeline"], body["commit_probability"]) == (
        f"team:{team.pk}",
        None,
        70,
    )
    figures = [
        (p["key"], p["open_deals"], p["weighted"], p["best_case"], p["commit"], p["won_to_date"])
        for p in body["periods"]
    ]
    assert figures == [
        ("month", 2, "1900.00", "3000.00", "1000.00", "700.00"),
        ("quarter", 2, "1900.00", "3000.00", "1000.00", "700.00"),
    ]


def test_forecast_of_one_pipeline(rep, api_for):
    make_deal(rep, stage_key="proposal", amount="2000.00", expected_close=today())

    response = api_for(rep).get("/api/v1/reports/forecast/", {"pipeline": "renewals"})

    assert response.status_code == 200
    assert response.data["scope"] == {"key": "me", "label": "Me"}
    assert response.data["periods"][0]["open_deals"] == 0
