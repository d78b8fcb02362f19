"""The pipeline board and My day, clicked through in a real browser.

A rep moves a deal along the board (HTMX, no full page load), loses it (first without a
reason, then with one) and ticks off an overdue task on My day.
Screenshots of each key step land in test-artifacts/screenshots/ (see conftest.py).
"""

from decimal import Decimal

import pytest

from activities.deals import services
from activities.models import Deal, StageTransition, Task
from tests.factories.deals import CustomerFactory, pipeline
from tests.factories.tasks import TaskFactory, company_day, company_time

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEAL_TITLE = "Acme trucks"
LOST_NOTE = "Went with a cheaper offer from the harbour dealer."


@pytest.fixture
def rita_deal(rep):
    return services.create_deal(
        by=rep,
        title=DEAL_TITLE,
        customer=CustomerFactory(name="Acme Fleet", owner=rep),
        owner=rep,
        pipeline=pipeline(),
        amount=Decimal("1200.00"),
        expected_close=company_day(20),
        next_step="Send the quote",
        next_step_date=company_day(2),
    )


@pytest.fixture
def overdue_task(rep):
    return TaskFactory(
        assignee=rep, title="Call Acme about the quote", due_at=company_time(company_day(-1), 10)
    )


def column(page, key):
    return page.locator(f"#stage-{key}")


def deal_card(page, deal):
    return page.locator(f"#deal-{deal.pk}")


def move(page, deal, stage_name, *, reason=None, note=None):
    """Pick ``stage_name`` in the card's select (and a lost reason), press Move, wait for
    the board's HTMX response."""
    card = deal_card(page, deal)
    card.get_by_label(f"Move {deal.title} to").select_option(label=stage_name)
    if reason is not None or note is not None:
        fold_out = card.locator("details", has_text="If lost")
        if fold_out.get_attribute("open") is None:  # after a refusal it is already open
            fold_out.locator("summary").click()
        if reason is not None:
            card.get_by_label("Lost reason").select_option(label=reason)
        if note is not None:
            card.get_by_label("Note").fill(note)
    with page.expect_response(f"**/deals/{deal.pk}/move/") as response:
        card.get_by_role("button", name="Move").click()
    assert response.value.ok
    assert response.value.request.headers.get("hx-request") == "true"


def test_rep_moves_a_deal_to_lost_and_ticks_off_an_overdue_task(
    page, login, screenshot, rep, rita_deal, overdue_task
):
    deal = rita_deal

    # --- The board: the new deal sits in Lead ---------------------------------------
    login(page, rep)
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.wait_for_url("**/pipeline/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pipeline")
    expect(column(page, "lead").locator(f"#deal-{deal.pk}")).to_contain_text(DEAL_TITLE)
    expect(column(page, "lead").locator(f"#deal-{deal.pk}")).to_contain_text("Acme Fleet")
    screenshot(page, "20-pipeline-lead")
    board_url = page.url

    # --- Lead -> Contacted -> Appointment set, in place (HTMX) ------------------------
    # A full page load would wipe this flag; an HTMX swap of #board leaves it alone.
    page.evaluate("window.__marker = 1")
    move(page, deal, "Contacted")
    expect(column(page, "contacted").locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(column(page, "lead").locator(f"#deal-{deal.pk}")).to_have_count(0)
    expect(page.locator(".board-status")).to_contain_text(f"{DEAL_TITLE} moved to Contacted.")

    move(page, deal, "Appointment set")
    expect(column(page, "appointment-set").locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(column(page, "contacted").locator(f"#deal-{deal.pk}")).to_have_count(0)
    expect(page.locator(".board-status")).to_contain_text(f"{DEAL_TITLE} moved to Appointment set.")
    assert page.evaluate("window.__marker") == 1
    assert page.url == board_url
    screenshot(page, "21-pipeline-moved")

    # --- Lost without a reason: refused, the error shows on the card ------------------
    move(page, deal, "Lost")
    card = column(page, "appointment-set").locator(f"#deal-{deal.pk}")
    expect(card).to_have_class("deal-card has-error")
    expect(card.get_by_role("alert")).to_have_text("Say why the deal was lost.")
    expect(card.locator("details", has_text="If lost")).to_have_attribute("open", "")
    # What the rep picked is kept, so they only need to add the reason.
    expect(card.get_by_label(f"Move {DEAL_TITLE} to").locator("option:checked")).to_have_text(
        "Lost"
    )
    expect(column(page, "lost").locator(f"#deal-{deal.pk}")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    screenshot(page, "22-pipeline-lost-error")
    deal.refresh_from_db()
    assert deal.stage.key == "appointment-set"
    assert deal.lost_reason is None

    # --- Lost with reason Price and a note -------------------------------------------
    move(page, deal, "Lost", reason="Price", note=LOST_NOTE)
    lost_card = column(page, "lost").locator(f"#deal-{deal.pk}")
    expect(lost_card).to_be_visible()
    expect(lost_card).not_to_have_class("deal-card has-error")
    expect(lost_card).to_contain_text("lost")
    expect(column(page, "appointment-set").locator(f"#deal-{deal.pk}")).to_have_count(0)
    expect(page.locator(".board-status")).to_contain_text(f"{DEAL_TITLE} moved to Lost.")
    expect(page.locator("#board [role=alert]")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    # At 1280px the eight columns overflow the board, which scrolls sideways: bring Lost in.
    lost_card.scroll_into_view_if_needed()
    screenshot(page, "23-pipeline-lost")

    deal = Deal.objects.select_related("stage", "lost_reason").get(pk=deal.pk)
    assert deal.stage.key == "lost"
    assert deal.lost_reason.key == "price"
    assert deal.lost_note == LOST_NOTE
    assert deal.closed_on == company_day()
    transitions = StageTransition.objects.filter(deal=deal).order_by("at", "pk")
    assert [(t.from_stage.key if t.from_stage else None, t.to_stage.key) for t in transitions] == [
        (None, "lead"),
        ("lead", "contacted"),
        ("contacted", "appointment-set"),
        ("appointment-set", "lost"),
    ]
    assert transitions.last().note == LOST_NOTE
    assert {t.by_id for t in transitions} == {rep.pk}

    # --- My day: the overdue task, ticked off in place -------------------------------
    page.get_by_role("link", name="My day").click()
    page.wait_for_url("**/tasks/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day")
    row = page.locator(f"#overdue #task-{overdue_task.pk}")
    expect(row).to_contain_text("Call Acme about the quote")
    expect(row).to_have_class("task-row task-overdue")
    expect(row).to_contain_text("overdue")
    expect(page.locator(".cards article.bad")).to_contain_text("1")
    screenshot(page, "24-my-day-overdue")

    page.evaluate("window.__marker = 2")
    with page.expect_response(f"**/tasks/{overdue_task.pk}/done/") as response:
        row.get_by_role("button", name="Done").click()
    assert response.value.ok
    assert response.value.request.headers.get("hx-request") == "true"
    expect(row).to_have_class("task-row task-done")
    expect(row.get_by_role("button", name="Reopen")).to_be_visible()
    expect(row.get_by_role("button", name="Done")).to_have_count(0)
    expect(row).to_contain_text("done")
    expect(row.locator(".badge.late")).to_have_text("late")
    assert page.evaluate("window.__marker") == 2
    screenshot(page, "25-my-day-done")

    overdue_task.refresh_from_db()
    assert overdue_task.done_at is not None
    assert overdue_task.done_at > overdue_task.due_at
    assert Task.objects.filter(assignee=rep, done_at__isnull=True).count() == 0

    # Loaded afresh, nothing is overdue; the task stays in sight under "Also done today".
    page.reload()
    expect(page.locator(".cards article.bad")).to_have_count(0)
    expect(page.locator(f"#overdue #task-{overdue_task.pk}")).to_have_count(0)
    expect(page.locator(f"#done-today #task-{overdue_task.pk}")).to_have_class("task-row task-done")

    # --- The board on a phone ----------------------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(board_url)
    expect(column(page, "lost").locator(f"#deal-{deal.pk}")).to_be_visible()
    screenshot(page, "26-pipeline-phone")
    # The board's columns stack on a phone; the page itself must not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
