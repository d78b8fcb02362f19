"""The top bar's search in a real browser: "/" opens it, typing lists matches under it
(HTMX), Enter opens the results page; the top bar stays one line at 1280 px for every
role, and on a phone the magnifier is a link to the results page."""

import pytest

from tests.factories.customers import ContactFactory, CustomerFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def harbour(rep, south_rep):
    customer = CustomerFactory(name="Harbour Fleet", owner=rep, phone="(415) 555-0101")
    ContactFactory(customer=customer, name="Hana Harbour", email="hana@harbour.test")
    CustomerFactory(name="Harbour South", owner=south_rep)
    return customer


def test_typing_in_the_top_bar_lists_matches_and_enter_opens_the_results(
    page, login, screenshot, rep, harbour
):
    login(page, rep)
    page.goto("/customers/")
    topsearch = page.locator("#topsearch")
    expect(topsearch.locator("input[name=q]")).to_be_hidden()

    page.keyboard.press("/")
    box = topsearch.locator("input[name=q]")
    expect(box).to_be_focused()
    box.press_sequentially("4155550101", delay=20)
    results = page.locator("#topsearch-results")
    expect(results.get_by_role("link", name="Harbour Fleet")).to_be_visible()
    box.fill("harbour")
    box.dispatch_event("input")
    expect(results.get_by_role("link", name="Hana Harbour")).to_be_visible()
    expect(results).not_to_contain_text("Harbour South")  # Sofia's, not Rita's
    screenshot(page, "search-01-dropdown")

    page.keyboard.press("Escape")  # Chromium also empties a search box on Escape
    expect(box).to_be_hidden()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("harbour")
    box.press("Enter")
    page.wait_for_url("**/search/?q=harbour")
    expect(page.locator("#search-customers")).to_contain_text("Harbour Fleet")
    expect(page.locator("#search-contacts")).to_contain_text("at Harbour Fleet")
    screenshot(page, "search-02-results")


@pytest.mark.parametrize("role", ["rep", "manager", "director", "admin"])
def test_the_top_bar_holds_the_search_on_one_line_at_1280(role, request, page, login, team):
    login(page, request.getfixturevalue(role))
    page.goto("/")
    nav = page.locator(".topbar nav")
    links = page.locator(".navlinks")

    expect(page.locator("#topsearch summary")).to_be_visible()
    assert links.bounding_box()["height"] <= 60, links.bounding_box()
    assert nav.bounding_box()["height"] <= 70, nav.bounding_box()


def test_on_a_phone_the_magnifier_is_a_link_to_the_results_page(page, login, rep, harbour):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, rep)
    page.goto("/")

    expect(page.locator("#topsearch")).to_be_hidden()
    page.locator(".topsearch-link").click()
    page.wait_for_url("**/search/")
    page.get_by_role("searchbox", name="Search customers, contacts, deals and reps").last.fill("ha")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=ha")
    expect(page.locator("#search-customers")).to_contain_text("Harbour Fleet")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
