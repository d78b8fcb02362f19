"""Activities name the customer and deal they were for, through /api/v1/activities/:
the writer must see both, a deal named with a customer must be that customer's, and a
deal alone names its customer, so the customer's page and list find the row."""

from decimal import Decimal

from activities.models import Activity
from tests.factories import ActivityFactory, days_ago
from tests.factories.customers import CustomerFactory, DealFactory

URL = "/api/v1/activities/"


def entry(**fields) -> dict:
    return {"day": str(days_ago(1)), "metric": "meetings", "quantity": "1", **fields}


def test_a_deal_alone_names_its_customer(rep, api_for):
    acme = CustomerFactory(owner=rep, name="Acme")
    deal = DealFactory(customer=acme)

    response = api_for(rep).post(URL, entry(deal=deal.pk), format="json")

    assert response.status_code == 201, response.data
    assert (response.data["customer"], response.data["deal"]) == (acme.pk, deal.pk)
    assert Activity.objects.get().customer == acme


def test_rep_cannot_attach_a_teammates_customer_or_deal(rep, teammate, api_for):
    theirs = CustomerFactory(owner=teammate)
    their_deal = DealFactory(customer=theirs)
    api = api_for(rep)

    by_customer = api.post(URL, entry(customer=theirs.pk), format="json")
    by_deal = api.post(URL, entry(deal=their_deal.pk), format="json")

    assert by_customer.status_code == by_deal.status_code == 400
    assert "does not exist" in str(by_customer.data)
    assert "does not exist" in str(by_deal.data)
    assert not Activity.objects.exists()


def test_a_deal_of_another_customer_is_refused(rep, api_for):
    acme, zed = CustomerFactory(owner=rep, name="Acme"), CustomerFactory(owner=rep, name="Zed")
    zed_deal = DealFactory(customer=zed, title="Zed fleet")

    response = api_for(rep).post(URL, entry(customer=acme.pk, deal=zed_deal.pk), format="json")

    assert response.status_code == 400
    assert "Zed fleet is a deal of Zed, not Acme." in str(response.data)
    assert not Activity.objects.exists()


def test_manager_attaches_their_reps_customer_on_the_reps_log(rep, manager, api_for):
    acme = CustomerFactory(owner=rep)

    response = api_for(manager).post(URL, entry(rep=rep.pk, customer=acme.pk), format="json")

    assert response.status_code == 201, response.data
    activity = Activity.objects.get()
    assert (activity.rep, activity.customer, activity.created_by) == (rep, acme, manager)


def test_patching_the_deal_moves_the_customer_along_and_a_new_customer_drops_the_deal(rep, api_for):
    acme, zed = CustomerFactory(owner=rep, name="Acme"), CustomerFactory(owner=rep, name="Zed")
    zed_deal = DealFactory(customer=zed)
    activity = ActivityFactory(rep=rep, customer=acme, day=days_ago(1))
    api = api_for(rep)

    moved = api.patch(f"{URL}{activity.pk}/", {"deal": zed_deal.pk, "version": 1}, format="json")
    assert moved.status_code == 200, moved.data
    assert (moved.data["customer"], moved.data["deal"]) == (zed.pk, zed_deal.pk)

    back = api.patch(f"{URL}{activity.pk}/", {"customer": acme.pk, "version": 2}, format="json")
    assert back.status_code == 200, back.data
    assert (back.data["customer"], back.data["deal"]) == (acme.pk, None)


def test_the_list_filters_by_customer_and_deal(rep, api_for):
    acme = CustomerFactory(owner=rep)
    deal = DealFactory(customer=acme)
    on_deal = ActivityFactory(rep=rep, customer=acme, deal=deal, quantity=Decimal("1"))
    on_customer = ActivityFactory(rep=rep, customer=acme)
    ActivityFactory(rep=rep)
    api = api_for(rep)

    by_customer = api.get(URL, {"customer": acme.pk}).data["results"]
    by_deal = api.get(URL, {"deal": deal.pk}).data["results"]

    assert sorted(a["id"] for a in by_customer) == sorted([on_deal.pk, on_customer.pk])
    assert [a["id"] for a in by_deal] == [on_deal.pk]


def test_a_won_deals_rows_follow_the_deal_and_are_not_edited_apart(rep, api_for):
    """Detached from its deal, a won deal's sale would stay credited after a reopening."""
    deal = DealFactory(customer=CustomerFactory(owner=rep))
    row = ActivityFactory(rep=rep, deal=deal, source="deal", external_id=f"deal-{deal.pk}")
    api = api_for(rep)

    patched = api.patch(f"{URL}{row.pk}/", {"deal": None, "version": row.version}, format="json")
    deleted = api.delete(f"{URL}{row.pk}/")

    assert patched.status_code == 400 and "follows the deal" in str(patched.data)
    assert deleted.status_code == 400
    row.refresh_from_db()
    assert row.deal == deal


def test_a_sale_may_not_name_a_deal(rep, api_for):
    deal = DealFactory(customer=CustomerFactory(owner=rep))
    response = api_for(rep).post(
        URL, entry(metric="sales-value", quantity="500", deal=deal.pk), format="json"
    )
    assert response.status_code == 400
    assert "credited when the deal is won" in str(response.data["errors"]["metric"])
