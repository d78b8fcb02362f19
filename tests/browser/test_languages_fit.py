"""The main pages in Greek, Filipino and Indonesian on a 390 px phone: Greek and Filipino
words run long, so no page may grow wider than the screen and no table may scroll
sideways. The language comes from the browser (Accept-Language), as for a visitor; the
sign-in page is checked in each language too, and the switcher changes the language of
the page it is on. Screenshots land in test-artifacts/screenshots/lang-*.png.
"""

import pytest
from django.core.management import call_command

from salesmgmt.demo.people import PASSWORD
from tests.browser.test_pages_fit import (
    CLIPPED_TABLES,
    MAIN_PAGES,
    PAGE_WIDER_THAN_SCREEN,
    open_page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ["el", "fil", "id"]


def sign_in(page, username):
    """Through the form, by field name: its labels are in the page's language."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_fit_a_phone_in_each_language(page, screenshot, language):
    call_command("seed_demo", verbosity=0)
    page.context.set_extra_http_headers({"Accept-Language": language})
    page.set_viewport_size({"width": 390, "height": 900})
    problems = []
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"lang-{language}-login")
    if wider := page.evaluate(PAGE_WIDER_THAN_SCREEN):
        problems.append(f"sign-in page: {wider} px wide")
    for who, urls in MAIN_PAGES.items():
        page.context.clear_cookies()
        sign_in(page, who)
        for url in urls:
            response = open_page(page, url)
            assert response.status == 200, (who, url, response.status)
            assert page.locator("html").get_attribute("lang") == language, (who, url)
            path = "/" + page.url.split("/", 3)[3]
            screenshot(page, f"lang-{language}-{who}{path.replace('/', '-')}".rstrip("-"))
            problems += [f"{who} {url}: {c}" for c in page.evaluate(CLIPPED_TABLES)]
            if wider := page.evaluate(PAGE_WIDER_THAN_SCREEN):
                problems.append(f"{who} {url}: the page is {wider} px wide")
    assert not problems, "\n".join(problems)


def switch_to(page, language):
    """The globe in the top bar, then the language (named in its own language)."""
    page.click(".lang-switch summary")
    page.click(f".lang-switch button[value={language}]")
    page.wait_for_function(f"document.documentElement.lang === '{language}'")


def test_the_switcher_changes_the_language_before_and_after_signing_in(page):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"

    switch_to(page, "el")
    assert page.locator(".lang-switch summary").inner_text().strip() == "EL"
    call_command("seed_demo", verbosity=0)
    sign_in(page, "rep")

    assert page.locator("html").get_attribute("lang") == "el"
    switch_to(page, "id")
    page.context.clear_cookies()  # the choice is the person's, not only the browser's
    sign_in(page, "rep")
    assert page.locator("html").get_attribute("lang") == "id"
