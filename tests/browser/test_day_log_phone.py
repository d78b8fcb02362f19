"""Logging the day on a phone with one thumb: +1 beside each count, the digit keypad for
counts and the decimal one for money, clicked through in a real browser at 390 px.
"""

from decimal import Decimal

import pytest

from activities.models import Activity, Metric

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def focused_team(team):
    """Team Alpha logs calls, appointments set and sales value."""
    team.focus_metrics.set(
        Metric.objects.filter(key__in=["calls", "appointments-set", "sales-value"])
    )
    return team


def test_plus_one_counts_up_without_reloading_and_save_keeps_it(
    page, login, screenshot, rep, focused_team
):
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, rep)
    page.goto("/activities/log/")
    lines = page.locator("#lines tbody tr")
    calls, appointments, sales_value, blank = (lines.nth(i) for i in range(4))
    expect(calls.locator("select[name$='-metric'] option:checked")).to_have_text("Calls")

    # Counts ask for the digit keypad, money for one with a decimal point.
    expect(calls.locator("input[name$='-quantity']")).to_have_attribute("inputmode", "numeric")
    expect(sales_value.locator("input[name$='-quantity']")).to_have_attribute(
        "inputmode", "decimal"
    )
    expect(sales_value.get_by_role("button", name="One more")).to_be_hidden()

    plus_one = calls.get_by_role("button", name="One more")
    box = plus_one.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    plus_one.click()
    plus_one.click()
    plus_one.click()
    expect(calls.locator("input[name$='-quantity']")).to_have_value("3")
    appointments.locator("input[name$='-quantity']").fill("1")
    appointments.get_by_role("button", name="One more").click()
    expect(appointments.locator("input[name$='-quantity']")).to_have_value("2")
    # Nothing was sent: +1 only counts on the page until the day is saved.
    assert not Activity.objects.filter(rep=rep).exists()

    # A blank line turned into money loses its +1 and switches keypads; back to a count,
    # it gets them again.
    blank.locator("select[name$='-metric']").select_option(label="Sales value")
    expect(blank.get_by_role("button", name="One more")).to_be_hidden()
    expect(blank.locator("input[name$='-quantity']")).to_have_attribute("inputmode", "decimal")
    blank.locator("select[name$='-metric']").select_option(label="Calls")
    expect(blank.get_by_role("button", name="One more")).to_be_visible()
    expect(blank.locator("input[name$='-quantity']")).to_have_attribute("inputmode", "numeric")
    blank.locator("select[name$='-metric']").select_option(label="choose a metric")

    # A line added with "Add a line" has its own +1.
    page.get_by_role("button", name="Add a line").click()
    added = lines.nth(5)
    added.locator("select[name$='-metric']").select_option(label="Calls")
    added.locator("select[name$='-channel']").select_option(label="Outbound phone")
    added.get_by_role("button", name="One more").click()
    expect(added.locator("input[name$='-quantity']")).to_have_value("1")
    screenshot(page, "day-log-phone-plus-one")

    page.get_by_role("button", name="Save the day").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("3 changes")
    expect(page.locator("input[name='lines-0-quantity']")).to_have_value("3")

    logged = {
        (a.metric.key, a.channel.key if a.channel else None): a.quantity
        for a in Activity.objects.filter(rep=rep).select_related("metric", "channel")
    }
    assert logged == {
        ("calls", None): Decimal("3"),
        ("appointments-set", None): Decimal("2"),
        ("calls", "outbound-phone"): Decimal("1"),
    }
