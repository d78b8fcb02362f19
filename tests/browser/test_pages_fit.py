"""Pages that fit: on the demo company, every role's main pages at 1280 px show every
column of every table (no table container scrolls sideways), and at 390 px no page is
wider than the phone. A screenshot of each page at each width lands in
test-artifacts/screenshots/ to be looked at.
"""

import pytest
from django.core.management import call_command

from salesmgmt.demo.people import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAIN_PAGES = {
    "rep": [
        "/",
        "/dashboard/",
        "/plans/",
        "/activities/log/",
        "/activities/",
        "/tasks/",
        "/pipeline/",
        "/deals/",
        "/customers/",
        "/customers/lost/",
        "/goals/",
        "/kpis/",
        "/reviews/",
        "/commissions/",
        "/funnel/",
        "/notifications/",
    ],
    "manager": [
        "/plans/team/",
        "/dashboard/team/",
        "/goals/",
        "/kpis/",
        "/kpis/alerts/",
        "/reviews/",
        "/reviews/team/",
        "/tasks/team/",
        "/deals/",
        "/customers/",
        "/pipeline/",
    ],
    "director": [
        "/company/",
        "/reviews/division/",
        "/reports/company/",
        "/goals/",
        "/kpis/alerts/",
    ],
    "admin": ["/company/", "/reports/company/", "/deals/", "/customers/"],
}

# Each table's nearest box that scrolls sideways (or the page): is anything past its edge?
CLIPPED_TABLES = """() => {
  const clipped = [];
  for (const table of document.querySelectorAll('table')) {
    let box = table.parentElement;
    while (box && box !== document.body) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX)) break;
      box = box.parentElement;
    }
    if (!box || box === document.body) box = document.documentElement;
    if (box.scrollWidth > box.clientWidth + 1) {
      const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
      clipped.push(`${table.id || table.className}: ${box.scrollWidth} > ${box.clientWidth} px (${heads.join(' | ')})`);
    }
  }
  return clipped;
}"""
PAGE_WIDER_THAN_SCREEN = (
    "() => document.documentElement.scrollWidth > window.innerWidth + 1 "
    "? document.documentElement.scrollWidth : 0"
)


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_main_pages_fit_at_1280_and_on_a_phone(page, screenshot):
    call_command("seed_demo", verbosity=0)
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for who, urls in MAIN_PAGES.items():
            page.context.clear_cookies()
            sign_in(page, who)
            for url in urls:
                response = page.goto(url)
                assert response.status == 200, (who, url, response.status)
                name = f"fit-{width}-{who}{url.replace('/', '-').rstrip('-')}"
                screenshot(page, name)
                if width == 1280:
                    problems += [f"{who} {url}: {c}" for c in page.evaluate(CLIPPED_TABLES)]
                elif wider := page.evaluate(PAGE_WIDER_THAN_SCREEN):
                    problems.append(f"{who} {url} at 390 px: the page is {wider} px wide")
                if width == 390 and url == "/activities/log/":
                    # One thumb: every metric's name readable ("Appointments held", not "Appo").
                    widths = page.eval_on_selector_all(
                        "#lines select[name$='-metric']", "els => els.map(e => e.clientWidth)"
                    )
                    assert widths and min(widths) >= 200, widths
        # An alert's page, with its history and the manager's forms (ids vary: follow a link).
        page.context.clear_cookies()
        sign_in(page, "manager")
        page.goto("/kpis/alerts/")
        page.get_by_role("link", name="History & actions").first.click()
        page.wait_for_url("**/kpis/alerts/*/")
        screenshot(page, f"fit-{width}-manager-alert")
        if width == 1280:
            problems += [f"alert page: {c}" for c in page.evaluate(CLIPPED_TABLES)]
        elif wider := page.evaluate(PAGE_WIDER_THAN_SCREEN):
            problems.append(f"alert page at 390 px: the page is {wider} px wide")
    assert problems == []
