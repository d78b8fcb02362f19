"""Customers and their contacts on /api/v1/.

Writes go through the customers feature's services, so the API keeps the pages' rules:
'did not buy' and 'lost' need a reason, and customers are never deleted.
"""

import pytest

from activities.models import Channel, Contact, Customer, LostReason
from tests.factories.api import ContactFactory, CustomerFactory, ids, invalid

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
        "last_activity": None,
        "next_step": None,
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


def test_contacts_and_customers_are_found_by_phone_however_it_is_written(rep, api_for):
    acme = CustomerFactory(owner=rep, name="Acme", phone="+1 (415) 555-0100")
    ContactFactory(customer=acme, name="Ann Chief", phone="(415) 555-0199")
    ContactFactory(customer=acme, name="Zed Buyer", phone="415.555.0142")
    api = api_for(rep)

    for q in ("4155550199", "415-555-0199", "555 0199"):
        response = api.get("/api/v1/contacts/", {"q": q})
        assert [c["name"] for c in response.data["results"]] == ["Ann Chief"], q
    assert ids(api.get("/api/v1/customers/", {"q": "14155550100"})) == [acme.pk]
    assert ids(api.get("/api/v1/customers/", {"q": "415 555 0142"})) == [acme.pk]  # a contact's
