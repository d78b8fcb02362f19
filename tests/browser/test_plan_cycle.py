"""The weekly plan cycle and the day log, clicked through in a real browser.

Screenshots of each key step land in test-artifacts/screenshots/ (see conftest.py).
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.models import Activity, ActivityChange, Metric
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from tests.factories import PlanTargetFactory, WeeklyPlanFactory, this_week

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RETURN_COMMENT = "Add a number for proposals and name the harbour accounts you will visit."


@pytest.fixture
def focused_team(team):
    """Team Alpha plans and logs calls, appointments set and sales value."""
    team.focus_metrics.set(
        Metric.objects.filter(key__in=["calls", "appointments-set", "sales-value"])
    )
    return team


def plan_row(page, rep):
    return page.locator(f"#rep-{rep.pk}")


def test_weekly_plan_cycle(page, login, logout, screenshot, rep, manager, focused_team):
    week = this_week()

    # --- The rep writes and submits the week's plan -------------------------------
    login(page, rep, shot="01-login")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    page.get_by_role("link", name="This week's plan").click()
    page.wait_for_url(f"**/plans/week/{week.isoformat()}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plan for")

    page.get_by_label("Objectives").fill("Reopen dormant accounts in the harbour district.")
    page.get_by_label("Priorities").fill("1. Call every dormant account\n2. Book five visits")
    page.get_by_label("Key accounts").fill("Acme Shipping, Harbour Foods")
    page.locator("#id_target_calls").fill("60")
    page.locator("#id_target_appointments-set").fill("5")
    page.locator("#id_target_sales-value").fill("12000")
    screenshot(page, "02-plan-form-filled")

    page.get_by_role("button", name="Save and submit to my manager").click()
    page.wait_for_url("**/plans/*/")
    expect(page.locator(".messages")).to_contain_text("Plan submitted to your manager.")
    expect(page.locator("#plan-status")).to_have_text("Submitted")
    screenshot(page, "03-plan-submitted")

    plan = WeeklyPlan.objects.get(rep=rep, week_start=week)
    assert plan.status == PlanStatus.SUBMITTED
    assert {t.metric.key: t.planned for t in plan.targets.select_related("metric")} == {
        "calls": Decimal("60"),
        "appointments-set": Decimal("5"),
        "sales-value": Decimal("12000"),
    }
    logout(page)

    # --- The manager lands on Team week and returns the plan -----------------------
    login(page, manager)
    page.wait_for_url("**/plans/team/")
    row = plan_row(page, rep)
    expect(row).to_contain_text("Rita Rep")
    expect(row.locator(".badge")).to_have_text("Submitted")
    screenshot(page, "04-team-week-submitted")

    # The row links to the plan (its status badge, or an "Open" link): follow that link.
    row.locator(f"a[href='/plans/{plan.pk}/']").first.click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    expect(page.get_by_text("Reopen dormant accounts in the harbour district.")).to_be_visible()
    page.get_by_label("Comment").fill(RETURN_COMMENT)
    screenshot(page, "05-plan-detail-review-form")
    page.get_by_role("button", name="Return for changes").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Plan returned")
    expect(page.locator("#plan-status")).to_have_text("Returned")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    logout(page)

    # --- The rep sees the warning, reads the comment, revises and resubmits --------
    login(page, rep)
    warning = page.locator(".flash-warning", has_text="returned for changes")
    expect(warning).to_be_visible()
    screenshot(page, "06-home-returned-warning")
    warning.get_by_role("link", name="See the comment and revise it").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    page.get_by_role("button", name="Edit").click()  # an <a role="button">
    page.wait_for_url(f"**/plans/{plan.pk}/edit/")
    returned_note = page.locator(".flash-warning", has_text="returned this plan")
    expect(returned_note).to_contain_text("Maria Manager")
    expect(returned_note).to_contain_text(RETURN_COMMENT)
    expect(page.locator("#id_target_calls")).to_have_value("60")
    page.locator("#id_target_calls").fill("70")
    screenshot(page, "07-plan-edit-with-comment")
    page.get_by_role("button", name="Save and submit to my manager").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    expect(page.locator("#plan-status")).to_have_text("Submitted")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.targets.get(metric__key="calls").planned == Decimal("70")
    logout(page)

    # --- The manager approves from the Team week row, in place (HTMX) --------------
    login(page, manager)
    page.wait_for_url("**/plans/team/")
    row = plan_row(page, rep)
    expect(row.locator(".badge")).to_have_text("Submitted")
    # A full page load would wipe this flag; an HTMX swap of the row leaves it alone.
    page.evaluate("window.__noFullReload = true")
    with page.expect_response(f"**/plans/{plan.pk}/review/") as review:
        row.get_by_role("button", name="Approve").click()
    assert review.value.ok
    assert review.value.request.headers.get("hx-request") == "true"
    expect(row.locator(".badge")).to_have_text("Approved")
    expect(row.get_by_role("button", name="Approve")).to_have_count(0)
    assert page.evaluate("window.__noFullReload") is True
    assert page.url.endswith("/plans/team/")
    screenshot(page, "08-team-week-approved")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.reviewed_by == manager
    assert list(plan.events.order_by("pk").values_list("kind", flat=True)) == [
        PlanEvent.Kind.CREATED,
        PlanEvent.Kind.SUBMITTED,
        PlanEvent.Kind.RETURNED,
        PlanEvent.Kind.SUBMITTED,
        PlanEvent.Kind.APPROVED,
    ]
    assert plan.events.get(kind=PlanEvent.Kind.RETURNED).comment == RETURN_COMMENT

    # --- The same page on a phone ----------------------------------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(plan_row(page, rep).locator(".badge")).to_have_text("Approved")
    screenshot(page, "09-team-week-phone")
    # The wide grid may scroll inside its .table-wrap, but the page itself must not.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def card(page, label):
    return page.locator(".cards article", has_text=label).locator(".figure")


def test_team_week_counts_follow_an_in_place_approval(page, login, rep, manager, team):
    plan = WeeklyPlanFactory(rep=rep, status=PlanStatus.SUBMITTED)
    login(page, manager)
    page.wait_for_url("**/plans/team/")
    expect(card(page, "waiting for review")).to_have_text("1")
    plan_row(page, rep).get_by_role("button", name="Approve").click()
    expect(plan_row(page, rep).locator(".badge")).to_have_text("Approved")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    expect(card(page, "approved")).to_have_text("1", timeout=2_000)
    expect(card(page, "waiting for review")).to_have_text("0", timeout=2_000)


def test_rep_logs_a_day_with_a_breakdown_line(page, login, screenshot, rep, focused_team):
    login(page, rep)
    page.get_by_role("link", name="Log activity").click()
    page.wait_for_url("**/activities/log/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log ·")

    lines = page.locator("#lines tbody tr")
    # The team's three focus metrics come pre-filled, plus the formset's two blank lines.
    expect(lines).to_have_count(5)
    expect(lines.nth(0).locator("select[name$='-metric'] option:checked")).to_have_text("Calls")
    lines.nth(0).locator("input[name$='-quantity']").fill("25")
    lines.nth(1).locator("input[name$='-quantity']").fill("3")
    lines.nth(2).locator("input[name$='-quantity']").fill("1800")

    page.get_by_role("button", name="Add a line").click()
    expect(lines).to_have_count(6)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("6")
    added = lines.nth(5)
    added.locator("select[name='lines-5-metric']").select_option(label="Calls")
    added.locator("input[name='lines-5-quantity']").fill("8")
    added.locator("select[name='lines-5-channel']").select_option(label="Outbound phone")
    added.locator("input[name='lines-5-note']").fill("Dormant accounts, first round")
    screenshot(page, "10-day-log-filled")

    page.get_by_role("button", name="Save the day").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("4 changes")
    history = page.locator("article", has_text="Change history for this day")
    expect(history.locator("tbody tr")).to_have_count(4)
    expect(history).to_contain_text("Created")
    # The history reads in names and whole numbers, not the stored keys.
    expect(history.locator("tbody tr", has_text="Outbound phone")).to_contain_text(
        "Calls 8 · Outbound phone"
    )
    expect(history).not_to_contain_text("outbound-phone")
    expect(page.locator("input[name='lines-0-quantity']")).to_have_value("25")
    screenshot(page, "11-day-log-saved")

    logged = {
        (a.metric.key, a.channel.key if a.channel else None): a.quantity
        for a in Activity.objects.filter(rep=rep).select_related("metric", "channel")
    }
    assert logged == {
        ("calls", None): Decimal("25"),
        ("appointments-set", None): Decimal("3"),
        ("sales-value", None): Decimal("1800"),
        ("calls", "outbound-phone"): Decimal("8"),
    }
    assert ActivityChange.objects.filter(rep=rep, action="created").count() == 4


def test_resubmit_returned_plan_without_retyping_counts(page, login, screenshot, rep, manager):
    """Regression: count targets came back as "50.00" and then failed decimal_places=0."""
    plan = WeeklyPlanFactory(rep=rep, status=PlanStatus.RETURNED)
    PlanTargetFactory(plan=plan, planned=Decimal("50"))  # calls, a count
    PlanEvent.objects.create(plan=plan, kind=PlanEvent.Kind.RETURNED, by=manager, comment="More")

    login(page, rep)
    page.goto(f"/plans/{plan.pk}/edit/")
    page.get_by_label("Objectives").fill("Same numbers, sharper objectives.")
    page.get_by_role("button", name="Save and submit to my manager").click()
    page.wait_for_load_state()
    screenshot(page, "12-returned-plan-resubmitted-unchanged")
    expect(page.get_by_text("no more than 0 decimal places")).to_have_count(0)
    expect(page.locator("#plan-status")).to_have_text("Submitted")


def test_submit_plan_prefilled_from_last_week_unchanged(page, login, screenshot, rep):
    """Regression: the same for a plan pre-filled from last week's numbers."""
    last_week = WeeklyPlanFactory(rep=rep, week_start=this_week() - timedelta(weeks=1))
    PlanTargetFactory(plan=last_week, planned=Decimal("50"))  # calls, a count

    login(page, rep)
    page.get_by_role("link", name="This week's plan").click()
    expect(page.locator(".notice")).to_contain_text("Started from your previous plan")
    page.get_by_role("button", name="Save and submit to my manager").click()
    page.wait_for_load_state()
    screenshot(page, "13-prefilled-plan-submitted-unchanged")
    expect(page.get_by_text("no more than 0 decimal places")).to_have_count(0)
    expect(page.locator("#plan-status")).to_have_text("Submitted")
