"""Choices among thousands (people, customers, deals): filters search as you type through
scoped lookup endpoints, and no page lists every row (salesmgmt.filtering.Lookup)."""

import pytest
from django.urls import reverse

from activities.models import CustomerStatus, LostReason
from tests.cast import REP_ROWS_SEEN, ROLES
from tests.factories import UserFactory
from tests.factories.api import make_deal
from tests.factories.customers import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(cast):
    """A customer and a deal owned by each rep, named after them."""
    owned = {}
    for name in ("rep", "teammate", "other_team_rep", "south_rep"):
        customer = CustomerFactory(name=f"Harbour {name} ltd", owner=cast[name], city="Athens")
        owned[name] = (customer, make_deal(cast[name], customer=customer))
    return owned


def lookup(client, url, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return sorted(row["label"] for row in response.json()["results"])


@pytest.mark.parametrize("role", ROLES)
def test_customer_lookup_finds_only_the_customers_the_viewer_may_see(role, cast, books, client_for):
    found = lookup(client_for(cast[role]), reverse("customers:lookup"), q="harbour ltd")

    assert found == sorted(f"Harbour {name} ltd" for name in REP_ROWS_SEEN[role])


@pytest.mark.parametrize("role", ROLES)
def test_deal_lookup_finds_only_the_deals_the_viewer_may_see(role, cast, books, client_for):
    found = lookup(client_for(cast[role]), reverse("deals:lookup"), q="harbour")

    assert found == sorted(
        f"{books[name][1].title} (Harbour {name} ltd)" for name in REP_ROWS_SEEN[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_people_lookup_finds_only_visible_reps(role, cast, client_for):
    client = client_for(cast[role])

    found = lookup(client, reverse("people_lookup"), q="", role="rep")

    assert found == sorted(cast[name].get_full_name() for name in REP_ROWS_SEEN[role])


def test_lookups_match_every_word_and_stop_at_twenty(cast, client_for):
    for n in range(25):
        CustomerFactory(name=f"Delta foods {n}", owner=cast["rep"], city="Patras")
    CustomerFactory(name="Delta steel", owner=cast["rep"], city="Patras")
    client = client_for(cast["admin"])

    assert len(lookup(client, reverse("customers:lookup"), q="delta")) == 20
    assert lookup(client, reverse("customers:lookup"), q="STEEL delta") == ["Delta steel"]
    assert lookup(client, reverse("customers:lookup"), q="nothing like it") == []


def test_the_task_forms_lookups_offer_only_what_one_still_works_with(cast, client_for):
    """A new task's customer and deal boxes ask with ``open=1``: no lost customer, no
    closed deal (the form refuses them too)."""
    rep, client = cast["rep"], client_for(cast["rep"])
    CustomerFactory(name="Delta open", owner=rep)
    lost = CustomerFactory(
        name="Delta lost",
        owner=rep,
        status=CustomerStatus.LOST,
        lost_reason=LostReason.objects.first(),
    )
    make_deal(rep, customer=lost, title="Delta renewal")
    make_deal(rep, customer=lost, title="Delta won", stage_key="won")

    assert lookup(client, reverse("customers:lookup"), q="delta") == ["Delta lost", "Delta open"]
    assert lookup(client, reverse("customers:lookup"), q="delta", open=1) == ["Delta open"]
    assert lookup(client, reverse("deals:lookup"), q="delta", open=1) == [
        "Delta renewal (Delta lost)"
    ]


def test_lookups_need_a_login(client):
    for url in (reverse("customers:lookup"), reverse("deals:lookup"), reverse("people_lookup")):
        assert client.get(url, {"q": "a"}).status_code == 302


def test_the_deal_list_holds_only_the_chosen_customer_never_all(cast, books, client_for):
    client = client_for(cast["admin"])
    chosen, _ = books["teammate"]

    page = client.get(reverse("deals:list"), {"customer": chosen.pk}).content.decode()

    assert 'value="Harbour teammate ltd"' in page
    assert f'name="customer" value="{chosen.pk}"' in page
    assert "Harbour south_rep ltd" not in page  # neither as an option nor as a row
    assert f'data-lookup="{reverse("customers:lookup")}"' in page


def test_a_page_does_not_grow_with_the_number_of_customers(cast, client_for):
    client = client_for(cast["admin"])
    CustomerFactory(name="First", owner=cast["rep"])
    few = len(client.get(reverse("deals:list")).content)

    for n in range(200):
        CustomerFactory(name=f"Customer number {n}", owner=cast["rep"])

    assert len(client.get(reverse("deals:list")).content) == few


def test_a_chosen_id_outside_the_viewers_scope_is_refused(cast, books, client_for):
    hidden, _ = books["south_rep"]

    page = client_for(cast["manager"]).get(reverse("deals:list"), {"customer": hidden.pk})

    assert "Select a valid choice" in page.content.decode()
    assert "Harbour south_rep ltd" not in page.content.decode()


def test_the_pipeline_board_holds_only_the_chosen_rep_never_every_rep(cast, client_for):
    client = client_for(cast["admin"])
    chosen = cast["south_rep"]

    page = client.get(reverse("deals:pipeline"), {"rep": chosen.pk}).content.decode()

    assert f'value="{chosen.get_full_name()}"' in page
    assert f'name="rep" value="{chosen.pk}"' in page
    assert f'data-lookup="{reverse("people_lookup")}?role=rep"' in page
    assert cast["teammate"].get_full_name() not in page


def test_the_pipeline_board_does_not_grow_with_the_number_of_reps(cast, client_for, team):
    client = client_for(cast["admin"])
    few = len(client.get(reverse("deals:pipeline"), {"team": team.pk}).content)

    for n in range(50):
        UserFactory(team=team, first_name="Rep", last_name=f"number {n}")

    assert len(client.get(reverse("deals:pipeline"), {"team": team.pk}).content) == few


@pytest.mark.parametrize(
    "url", ["deals:create", "tasks:new", "customers:create", "goals:create", "funnel:page"]
)
def test_forms_and_pages_do_not_list_the_customers_or_the_reps(cast, client_for, url, team):
    """Every choice of a customer, a rep or a deal is a search box: adding 60 reps, their
    customers and deals leaves the page's size as it was (the funnel's figures change,
    by a few digits)."""
    client = client_for(cast["admin"])
    few = len(client.get(reverse(url)).content)

    for n in range(60):
        rep = UserFactory(team=team, first_name="Zz", last_name=f"number {n}")
        make_deal(rep, customer=CustomerFactory(name=f"Customer number {n}", owner=rep))

    page = client.get(reverse(url)).content
    assert b"number 59" not in page
    assert len(page) < few + 100
