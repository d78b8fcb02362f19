"""POST /api/v1/deals/bulk/: up to 1,000 deals from an integration, all or nothing.

Keyed by (source, external_id): re-sending a batch changes nothing; a changed
deal is updated through the services, and a changed stage is moved, so the
transition is recorded like a move on the page. One bad row stores nothing
and the 400 names it by its index in ``errors.entries``.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.models import Activity, ActivityChange, Deal, Product, StageTransition
from salesmgmt.models import CompanySettings
from tests.factories.api import CustomerFactory, make_deal

URL = "/api/v1/deals/bulk/"


def close_day(days=30):
    return str(CompanySettings.load().today() + timedelta(days=days))


def entry(external_id, customer, *, stage="lead", amount="1000.00", **extra):
    return {
        "source": "erp",
        "external_id": external_id,
        "title": f"Deal {external_id}",
        "customer": customer.pk,
        "pipeline": "new-business",
        "stage": stage,
        "amount": amount,
        "expected_close": close_day(),
        **extra,
    }


@pytest.fixture
def acme(rep):
    return CustomerFactory(owner=rep, name="Acme", external_id="crm-acme")


@pytest.fixture
def batch(rep, acme):
    Product.objects.create(sku="pro-plan", name="Pro plan")
    return [
        entry("opp-1", acme, products=["pro-plan"], next_step="Call", next_step_date=close_day(2)),
        entry("opp-2", acme, stage="proposal", amount="2500.50", probability=60),
        entry("opp-3", acme, stage="lost", lost_reason="price", lost_note="Too dear"),
    ]


def stored():
    return sorted(
        Deal.objects.values_list("external_id", "owner", "stage__key", "amount", "probability")
    )


def refused(detail, rows):
    return {"status": 400, "code": "invalid", "detail": detail, "errors": {"entries": rows}}


# --- a good batch, and sending it again ---------------------------------------------------------


def test_valid_batch_creates_every_deal(rep, batch, api_for):
    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 3, "updated": 0, "unchanged": 0}
    assert stored() == [
        ("opp-1", rep.pk, "lead", Decimal("1000.00"), None),
        ("opp-2", rep.pk, "proposal", Decimal("2500.50"), 60),
        ("opp-3", rep.pk, "lost", Decimal("1000.00"), None),
    ]
    first = Deal.objects.get(external_id="opp-1")
    assert (first.source, first.next_step, list(first.products.values_list("sku", flat=True))) == (
        "erp",
        "Call",
        ["pro-plan"],
    )
    lost = Deal.objects.get(external_id="opp-3")
    assert (lost.lost_reason.key, lost.lost_note) == ("price", "Too dear")


def test_each_new_deal_records_its_first_stage(rep, batch, api_for):
    api_for(rep).post(URL, {"entries": batch})

    assert sorted(
        StageTransition.objects.values_list(
            "deal__external_id", "from_stage", "to_stage__key", "by"
        )
    ) == [
        ("opp-1", None, "lead", rep.pk),
        ("opp-2", None, "proposal", rep.pk),
        ("opp-3", None, "lost", rep.pk),
    ]


def test_resending_the_same_batch_changes_nothing(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    before = list(Deal.objects.order_by("pk").values())

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 200, response.data
    assert response.data == {"created": 0, "updated": 0, "unchanged": 3}
    assert list(Deal.objects.order_by("pk").values()) == before
    assert StageTransition.objects.count() == 3


def test_a_changed_stage_is_moved_and_recorded(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[1]["stage"] = "negotiation"

    response = api.post(URL, {"entries": batch})

    assert response.data == {"created": 0, "updated": 1, "unchanged": 2}
    deal = Deal.objects.get(external_id="opp-2")
    assert list(deal.transitions.values_list("from_stage__key", "to_stage__key", "by")) == [
        (None, "proposal", rep.pk),
        ("proposal", "negotiation", rep.pk),
    ]


def test_a_changed_amount_updates_exactly_that_deal(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    untouched = Deal.objects.get(external_id="opp-2").updated_at
    batch[0]["amount"] = "1200.00"
    batch[0]["products"] = []

    response = api.post(URL, {"entries": batch})

    assert response.data == {"created": 0, "updated": 1, "unchanged": 2}
    first = Deal.objects.get(external_id="opp-1")
    assert (first.amount, first.products.count(), first.transitions.count()) == (
        Decimal("1200.00"),
        0,
        1,
    )
    assert Deal.objects.get(external_id="opp-2").updated_at == untouched


def test_fields_left_out_take_their_empty_value(rep, batch, api_for):
    """Each entry is the whole deal: dropping the next step clears it."""
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    del batch[0]["next_step"], batch[0]["next_step_date"]

    response = api.post(URL, {"entries": batch})

    assert response.data == {"created": 0, "updated": 1, "unchanged": 2}
    first = Deal.objects.get(external_id="opp-1")
    assert (first.next_step, first.next_step_date) == ("", None)


def test_winning_through_bulk_counts_the_sale_once(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[1]["stage"] = "won"

    api.post(URL, {"entries": batch})
    api.post(URL, {"entries": batch})

    rows = Activity.objects.filter(deal__external_id="opp-2")
    assert sorted(rows.values_list("metric__key", "quantity")) == [
        ("sales-closed", Decimal("1")),
        ("sales-value", Decimal("2500.50")),
    ]


def test_a_deal_won_from_the_start_counts_like_one_won_on_the_page(rep, acme, api_for):
    """Bulk creation writes the same sale rows and change log as create_deal."""
    Product.objects.create(sku="pro-plan", name="Pro plan")
    row = entry("opp-7", acme, stage="won", amount="4500.00", products=["pro-plan"])

    response = api_for(rep).post(URL, {"entries": [row]})

    assert response.data == {"created": 1, "updated": 0, "unchanged": 0}
    deal = Deal.objects.get()
    today = CompanySettings.load().today()
    assert deal.closed_on == today
    rows = Activity.objects.filter(deal=deal).order_by("metric__position")
    assert [
        (a.metric.key, a.quantity, a.day, a.product.sku, a.source, a.external_id, a.rep)
        for a in rows
    ] == [
        (
            "sales-closed",
            Decimal("1"),
            today,
            "pro-plan",
            "deal",
            f"deal-{deal.pk}-sales-closed",
            rep,
        ),
        (
            "sales-value",
            Decimal("4500"),
            today,
            "pro-plan",
            "deal",
            f"deal-{deal.pk}-sales-value",
            rep,
        ),
    ]
    assert sorted(ActivityChange.objects.values_list("action", "by", "new__metric")) == [
        ("created", rep.pk, "sales-closed"),
        ("created", rep.pk, "sales-value"),
    ]


def test_a_deal_lost_from_the_start_is_closed(rep, batch, api_for):
    api_for(rep).post(URL, {"entries": batch})

    lost = Deal.objects.get(external_id="opp-3")
    assert lost.closed_on == CompanySettings.load().today()
    assert Deal.objects.get(external_id="opp-1").closed_on is None
    assert not Activity.objects.exists()


def test_customer_may_be_named_by_its_external_id(rep, acme, api_for):
    row = entry("opp-9", acme)
    del row["customer"]
    row["customer_external_id"] = "crm-acme"

    response = api_for(rep).post(URL, {"entries": [row]})

    assert response.status_code == 200, response.data
    assert Deal.objects.get().customer == acme


def test_manager_loads_deals_for_their_reps(rep, teammate, manager, acme, api_for):
    mate_customer = CustomerFactory(owner=teammate)
    rows = [
        entry("opp-1", acme, owner=rep.pk),
        entry("opp-2", mate_customer, owner=teammate.pk),
    ]

    response = api_for(manager).post(URL, {"entries": rows})

    assert response.status_code == 200, response.data
    assert sorted(Deal.objects.values_list("external_id", "owner")) == [
        ("opp-1", rep.pk),
        ("opp-2", teammate.pk),
    ]


# --- one bad row stores nothing ---------------------------------------------------------------


def test_an_invalid_row_stores_nothing_and_is_named(rep, batch, api_for):
    batch[1]["amount"] = "-5"
    batch[2]["stage"] = "closed"

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 400
    assert response.data == refused(
        "2 of 3 entries are invalid; nothing was stored.",
        {
            "1": {"amount": ["Ensure this value is greater than or equal to 0."]},
            "2": {"stage": ["New business has no stage 'closed'."]},
        },
    )
    assert not Deal.objects.exists()


def test_a_refused_row_rolls_back_the_rows_before_it(rep, batch, api_for):
    """Lost without a reason is refused by move_deal's rule, after two rows were written."""
    batch[2]["lost_reason"] = None

    response = api_for(rep).post(URL, {"entries": batch})

    assert response.status_code == 400
    assert response.data == refused(
        "1 of 3 entries were refused; nothing was stored.",
        {"2": {"lost_reason": ["Say why the deal was lost."]}},
    )
    assert not Deal.objects.exists()
    assert not StageTransition.objects.exists()


def test_a_refused_move_leaves_stored_deals_as_they_were(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[0]["stage"] = "won"
    batch[1]["stage"] = "lost"  # no reason

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {
        "1": {"lost_reason": ["Say why the deal was lost."]}
    }
    assert stored()[0][2] == "lead"
    assert StageTransition.objects.count() == 3
    assert not Activity.objects.exists()


def test_repeated_external_id_in_one_batch(rep, acme, api_for):
    rows = [entry("opp-1", acme), entry("opp-1", acme, amount="5")]

    response = api_for(rep).post(URL, {"entries": rows})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {
        "1": {"external_id": ["Repeats the external_id of row 0."]}
    }
    assert not Deal.objects.exists()


def test_customer_out_of_scope_is_not_found(rep, teammate, acme, api_for):
    theirs = CustomerFactory(owner=teammate, external_id="crm-theirs")
    by_id = entry("opp-1", theirs)
    by_external_id = entry("opp-2", acme)
    del by_external_id["customer"]
    by_external_id["customer_external_id"] = "crm-theirs"

    response = api_for(rep).post(URL, {"entries": [by_id, by_external_id]})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {
        "0": {"customer": [f'Invalid pk "{theirs.pk}" - object does not exist.']},
        "1": {"customer_external_id": ["No customer has external_id 'crm-theirs'."]},
    }


def test_external_id_of_a_deal_out_of_scope_is_refused(rep, teammate, acme, api_for):
    theirs = make_deal(teammate, source="erp", external_id="opp-1")

    response = api_for(rep).post(URL, {"entries": [entry("opp-1", acme)]})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {
        "0": {"external_id": ["This external_id is already used by a deal outside your scope."]}
    }
    theirs.refresh_from_db()
    assert theirs.owner == teammate


def test_a_deal_stays_in_its_pipeline(rep, batch, api_for):
    api = api_for(rep)
    api.post(URL, {"entries": batch})
    batch[0] |= {"pipeline": "renewals", "stage": "due"}

    response = api.post(URL, {"entries": batch})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {
        "0": {"pipeline": ["A deal cannot move to another pipeline."]}
    }


def test_manager_must_name_the_owner(manager, acme, api_for):
    response = api_for(manager).post(URL, {"entries": [entry("opp-1", acme)]})

    assert response.status_code == 400
    assert response.data["errors"]["entries"] == {"0": {"owner": ["Say which rep this is for."]}}


def test_source_and_external_id_are_required(rep, acme, api_for):
    row = entry("opp-1", acme)
    del row["source"], row["external_id"]

    response = api_for(rep).post(URL, {"entries": [row]})

    assert response.data["errors"]["entries"] == {
        "0": {
            "source": ["This field is required."],
            "external_id": ["This field is required."],
        }
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Send a non-empty list of entries."),
        ({"entries": []}, "Send a non-empty list of entries."),
        ({"entries": {"a": 1}}, "Send a non-empty list of entries."),
    ],
)
def test_batch_must_be_a_list(body, message, rep, api_for):
    response = api_for(rep).post(URL, body)

    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": {"entries": [message]},
    }


def test_batch_holds_at_most_1000(rep, acme, api_for):
    rows = [entry(f"opp-{i}", acme) for i in range(1001)]

    response = api_for(rep).post(URL, {"entries": rows})

    assert response.status_code == 400
    assert response.data["errors"] == {"entries": ["A batch holds at most 1,000 entries."]}
    assert not Deal.objects.exists()


def test_bulk_is_post_only(rep, api_for):
    assert api_for(rep).get(URL).status_code == 405
