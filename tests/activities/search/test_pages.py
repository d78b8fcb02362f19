"""The global search page (/search/?q=) and the top bar's live drop-down: grouped by
kind, within the viewer's scope, matched by name, phone and e-mail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import REP_ROWS_SEEN, ROLES
from tests.factories.customers import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:page")
DROPDOWN = reverse("search:dropdown")


def found(response) -> dict[str, set[str]]:
    """The names found, by kind."""
    assert response.status_code == 200
    results = response.context["results"]
    return {
        "customers": {c.name for c in results.customers.rows},
        "contacts": {c.name for c in results.contacts.rows},
        "deals": {d.title for d in results.deals.rows},
        "reps": {r.username for r in results.reps.rows},
    }


# --- Who finds what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_what_it_may_see(role, cast, books, client_for):
    response = client_for(cast[role]).get(SEARCH, {"q": "harbour"})

    seen = REP_ROWS_SEEN[role]
    assert found(response) == {
        "customers": {f"Harbour {name} ltd" for name in seen},
        "contacts": {f"Harbour contact of {name}" for name in seen},
        "deals": {f"Harbour deal of {name}" for name in seen},
        "reps": set(),
    }
    hidden = set(books) - seen
    content = response.content.decode()
    assert not [name for name in hidden if f"Harbour {name} ltd" in content]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_the_reps_it_may_see(role, cast, client_for):
    """Every rep of the cast has an e-mail at example.com; managers are no reps."""
    response = client_for(cast[role]).get(SEARCH, {"q": "example.com"})

    assert found(response)["reps"] == {cast[name].username for name in REP_ROWS_SEEN[role]}


def test_an_outsider_finds_nothing_of_anyone_else(outsider, books, client_for):
    response = client_for(outsider).get(SEARCH, {"q": "harbour"})

    assert found(response) == {"customers": set(), "contacts": set(), "deals": set(), "reps": set()}
    assert "Nothing matches “harbour” among what you can see." in response.content.decode()


@pytest.mark.parametrize("url", [SEARCH, DROPDOWN])
def test_searching_needs_a_login(url, client, books):
    response = client.get(url, {"q": "harbour"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- What matches ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "kind", "name"),
    [
        ("HARBOUR REP LTD", "customers", "Harbour rep ltd"),
        ("(415) 555-0101", "customers", "Harbour rep ltd"),
        ("4155550101", "customers", "Harbour rep ltd"),
        ("415 555 0101", "customers", "Harbour rep ltd"),
        ("office@rep.harbour", "customers", "Harbour rep ltd"),
        ("contact of rep", "contacts", "Harbour contact of rep"),
        ("212 555 0101", "contacts", "Harbour contact of rep"),
        ("2125550101", "contacts", "Harbour contact of rep"),
        ("BUYER@rep.harbour.test", "contacts", "Harbour contact of rep"),
        ("deal of rep", "deals", "Harbour deal of rep"),
        ("rita rep", "reps", "rep"),
        ("Rep Rita", "reps", "rep"),
        ("rep@example", "reps", "rep"),
    ],
)
def test_matches_by_name_phone_and_email(q, kind, name, cast, books, client_for):
    assert name in found(client_for(cast["admin"]).get(SEARCH, {"q": q}))[kind]


def test_a_phone_number_matches_digit_for_digit_not_any_digits(cast, books, client_for):
    """The last digit tells the four customers apart, however the number is written."""
    groups = found(client_for(cast["admin"]).get(SEARCH, {"q": "415-555-0103"}))

    assert groups["customers"] == {"Harbour other_team_rep ltd"}
    assert groups["contacts"] == set()


def test_a_customer_is_found_by_its_contacts_phone_as_the_customer_list_finds_it(
    cast, books, client_for
):
    client = client_for(cast["admin"])

    assert found(client.get(SEARCH, {"q": "2125550102"}))["customers"] == {"Harbour teammate ltd"}
    listed = client.get(reverse("customers:list"), {"q": "2125550102"}).content.decode()
    assert "Harbour teammate ltd" in listed
    assert "Harbour rep ltd" not in listed


def test_a_deal_is_found_by_its_customers_name(cast, books, client_for):
    groups = found(client_for(cast["admin"]).get(SEARCH, {"q": "south_rep ltd"}))

    assert groups["deals"] == {"Harbour deal of south_rep"}


@pytest.mark.parametrize("q", ["a", " b ", "7"])
def test_a_query_shorter_than_two_characters_asks_for_more_and_reads_nothing(
    q, cast, books, client_for
):
    client = client_for(cast["admin"])
    client.get(SEARCH)  # the session, user and company settings are read once
    with CaptureQueriesContext(connection) as empty:
        client.get(SEARCH)
    with CaptureQueriesContext(connection) as short:
        response = client.get(SEARCH, {"q": q})

    assert response.context["results"] is None
    assert "Type at least 2 characters to search." in response.content.decode()
    assert "Harbour" not in response.content.decode()
    assert len(short) == len(empty)


def test_an_empty_page_explains_what_it_searches(cast, client_for):
    content = client_for(cast["manager"]).get(SEARCH).content.decode()

    assert "Find customers, contacts, deals and reps" in content
    assert "in your teams" in content
    assert "Type at least" not in content


# --- Each group: its first ten, how many in all, the full list ---------------------------------


def test_a_group_shows_ten_of_how_many_with_a_link_to_the_full_list(rep, client_for):
    for n in range(13):
        customer = CustomerFactory(owner=rep, name=f"Zephyr {n:02d}")
        DealFactory(customer=customer, title=f"Zephyr deal {n:02d}")
    ContactFactory(customer=customer, name="Zephyr buyer")

    response = client_for(rep).get(SEARCH, {"q": "zephyr"})

    content = response.content.decode()
    results = response.context["results"]
    assert len(results.customers.rows) == 10
    assert results.customers.count == 13
    assert "showing 10 of 13" in content
    assert f'href="{reverse("customers:list")}?q=zephyr">all 13 in the customers list' in content
    assert f'href="{reverse("deals:list")}?q=zephyr">all 13 in the deals list' in content
    assert [c.name for c in results.customers.rows] == [f"Zephyr {n:02d}" for n in range(10)]
    # Deals come in the deal list's order (open first, by expected close); a deal's
    # customer's name matches too, so the deal list holds the same 13.
    listed = client_for(rep).get(reverse("deals:list"), {"q": "zephyr"}).context["page"]
    assert listed.paginator.count == 13
    assert results.contacts.count == 1
    assert "showing" not in content.split('id="search-contacts"')[1].split("</h2>")[0]


def test_results_link_to_each_rows_page(cast, books, client_for):
    customer, contact, deal = books["rep"]

    client = client_for(cast["manager"])
    # The customer and its contact share the e-mail domain.
    content = client.get(SEARCH, {"q": "rep.harbour.test"}).content.decode()
    content += client.get(SEARCH, {"q": "deal of rep"}).content.decode()
    content += client.get(SEARCH, {"q": "rita"}).content.decode()

    customer_link = f'href="{reverse("customers:detail", args=[customer.pk])}"'
    assert content.count(customer_link) == 2  # the customer, and its contact
    assert f'href="{reverse("deals:detail", args=[deal.pk])}"' in content
    assert f'href="{reverse("dashboards:rep", args=[cast["rep"].pk])}"' in content


def test_a_rep_who_left_is_found_and_marked(cast, client_for):
    cast["teammate"].is_active = False
    cast["teammate"].save(update_fields=["is_active"])

    response = client_for(cast["manager"]).get(SEARCH, {"q": "teammate"})

    assert found(response)["reps"] == {"teammate"}
    assert '<span class="badge">left</span>' in response.content.decode()


def test_the_query_count_stays_the_same_as_data_grows(
    cast, books, client_for, django_assert_max_num_queries
):
    client = client_for(cast["manager"])
    client.get(SEARCH, {"q": "harbour"})
    with CaptureQueriesContext(connection) as few:
        client.get(SEARCH, {"q": "harbour"})
    for n in range(30):
        customer = CustomerFactory(owner=cast["rep"], name=f"Harbour more {n}")
        ContactFactory(customer=customer, name=f"Harbour person {n}")
        DealFactory(customer=customer, title=f"Harbour more deal {n}")

    with django_assert_max_num_queries(len(few) + 4) as many:
        response = client.get(SEARCH, {"q": "harbour"})

    assert response.context["results"].customers.count == 32
    # Four groups: each one query for its rows, one more to count them when the rows
    # fill the page (three do now); nothing per row.
    assert len(many) == len(few) + 3


# --- The top bar ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["rep", "manager", "director", "admin"])
def test_every_signed_in_page_has_the_search_box_in_its_top_bar(role, cast, client_for):
    content = client_for(cast[role]).get(reverse("home"), follow=True).content.decode()

    assert f'<form method="get" action="{SEARCH}" role="search">' in content
    assert f'hx-get="{DROPDOWN}"' in content
    assert 'name="q"' in content


def test_the_dropdown_shows_the_first_five_of_each_kind_and_a_link_to_all(rep, client_for):
    for n in range(7):
        CustomerFactory(owner=rep, name=f"Zephyr {n}")

    response = client_for(rep).get(DROPDOWN, {"q": "zephyr"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert len(response.context["results"].customers.rows) == 5
    assert "Customers <small" in content
    assert "Contacts <small" not in content  # empty kinds are left out
    assert f'href="{SEARCH}?q=zephyr"' in content


def test_the_dropdown_asks_for_two_characters(rep, client_for):
    content = client_for(rep).get(DROPDOWN, {"q": "z"}).content.decode()

    assert "Type at least 2 characters." in content


def test_a_nul_in_the_query_is_dropped_not_sent_to_the_database(cast, books, client_for):
    """PostgreSQL refuses a NUL in a text parameter: a pasted one must not give a 500."""
    response = client_for(cast["admin"]).get(SEARCH, {"q": "Bo\x00oks"})
    assert response.status_code == 200
    assert response.context["q"] == "Books"
