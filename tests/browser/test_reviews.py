"""The monthly review, clicked through in a real browser.

A manager looks at the team dashboard (its charts must draw, with no console error),
then opens last month's review of Rita: sets a root cause in place, writes notes, a
coaching remark, thanks Rita with kudos from the review's own recognition section (its
own form, its own notification), adds an action item and shares the review. Rita
reads it and acknowledges it with a comment; the manager sees the acknowledgement.
Screenshots of each step land in test-artifacts/screenshots/ (see conftest.py).
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.models import Metric, Task
from activities.tasks.selectors import midnight
from plans.models import PlanStatus, PlanTarget
from reporting.models import MonthlyReview, ReviewActionItem, ReviewStatus
from reporting.reviews import selectors as reviews
from reporting.reviews import services as reviews_services
from salesmgmt.calendar import previous_month
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.factories import ActivityFactory, WeeklyPlanFactory, this_week

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTES = "Strong start, slow second half: the calls dropped after the trade fair."
COACHING = "Block 9-11 every morning for calls; we role-play openers on Thursday."
RECOGNITION = "Kudos for landing the harbour account: an afternoon off on us."
ACTION = "Role-play three call openers with Maria"
COMMENT = "Fair. I will protect the morning call block."


@pytest.fixture
def alpha_month(rep, teammate, manager, team):
    """Team Alpha focuses on calls and appointments; Rita planned 60 calls in the first
    week of last month and made 20 (a gap), and logs this week so the dashboard has data."""
    calls, appointments = (
        Metric.objects.get(key="calls"),
        Metric.objects.get(key="appointments-set"),
    )
    team.focus_metrics.set([calls, appointments])
    company = CompanySettings.load()
    month = previous_month(company.today())
    first_week = reviews.Month.of(month, company).weeks[0]
    plan = WeeklyPlanFactory(
        rep=rep,
        week_start=first_week,
        status=PlanStatus.APPROVED,
        submitted_at=midnight(first_week, company),
    )
    PlanTarget.objects.create(plan=plan, metric=calls, planned=Decimal("60"))
    ActivityFactory(rep=rep, day=first_week, metric=calls, quantity=Decimal("20"))
    for person, quantity in ((rep, "14"), (teammate, "22")):
        ActivityFactory(rep=person, day=this_week(), metric=calls, quantity=Decimal(quantity))
    reviews_services.generate_monthly_reviews(month=month)
    return MonthlyReview.objects.get(rep=rep, month=month)


def test_manager_annotates_and_shares_a_review_the_rep_acknowledges(
    page, login, logout, screenshot, rep, manager, alpha_month
):
    review = alpha_month

    # --- The team dashboard draws its charts --------------------------------------------
    login(page, manager)
    page.goto("/dashboard/team/")
    canvas = page.locator("canvas[data-chart]").first
    expect(canvas).to_be_attached()
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    assert page.evaluate("!!Chart.getChart(document.querySelector('canvas[data-chart]'))")
    screenshot(page, "40-team-dashboard")

    # --- The review list, then Rita's review ----------------------------------------------
    page.goto("/reviews/")
    row = page.locator(f"#review-{review.pk}")
    expect(row).to_contain_text("Rita Rep")
    expect(row).to_contain_text("Ready for the manager")
    row.get_by_role("link", name="Rita Rep").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rita Rep")
    miss = page.locator(".rv-miss").first
    expect(miss).to_contain_text("Calls: planned vs done")
    screenshot(page, "41-review-draft")

    # Root cause, saved in place (HTMX: no full page load).
    page.evaluate("window.__noFullReload = true")
    miss.get_by_label("Root cause of Calls: planned vs done").select_option(label="Rep effort")
    miss.get_by_label("Note on Calls: planned vs done").fill("Calls stopped after the fair")
    with page.expect_response(f"**/reviews/{review.pk}/misses/*/") as saved:
        miss.get_by_role("button", name="Save cause").click()
    assert saved.value.request.headers.get("hx-request") == "true"
    expect(page.locator(".rv-miss").first.locator(".rv-saved")).to_have_text("Saved.")
    assert page.evaluate("window.__noFullReload") is True
    cause = review.misses.get()
    assert (cause.root_cause, cause.note) == ("effort", "Calls stopped after the fair")

    # Notes and coaching, then recognition (its own section), then an action item.
    page.get_by_label("Manager notes").fill(NOTES)
    page.get_by_label("Coaching remarks").fill(COACHING)
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator(".messages")).to_contain_text("Notes saved.")
    page.locator("#recognition").get_by_role("button", name="Give kudos").click()
    page.wait_for_url("**/recognition/kudos/new/**")
    page.get_by_label("Message").fill(RECOGNITION)
    page.get_by_role("button", name="Send kudos").click()
    page.wait_for_url(f"**/reviews/{review.pk}/**")
    expect(page.locator(".messages")).to_contain_text("Kudos sent to Rita Rep.")
    expect(page.locator("#recognition")).to_contain_text(RECOGNITION)
    due = CompanySettings.load().today() + timedelta(days=7)
    page.get_by_label("Action item").fill(ACTION)
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator(".messages")).to_contain_text("Action item added")
    expect(page.locator("#actions")).to_contain_text(ACTION)
    screenshot(page, "42-review-annotated")

    page.get_by_role("button", name="Share with Rita").click()
    expect(page.locator(".messages")).to_contain_text("Shared with Rita Rep.")
    expect(page.locator("#review-status")).to_have_text("Shared with the rep")
    screenshot(page, "43-review-shared")
    review.refresh_from_db()
    assert (review.manager_notes, review.coaching_remarks) == (NOTES, COACHING)
    # Recognition told on its own; the review's notice carries none of it.
    kudos = Notification.objects.get(user=rep, kind=NotificationKind.KUDOS)
    assert kudos.body == RECOGNITION
    shared = Notification.objects.get(user=rep, kind=NotificationKind.REVIEW_SHARED)
    assert RECOGNITION not in shared.body and RECOGNITION not in shared.title
    assert review.status == ReviewStatus.SHARED
    task = Task.objects.get(pk=ReviewActionItem.objects.get(review=review).task_id)
    assert (task.assignee, task.title) == (rep, ACTION)
    logout(page)

    # --- Rita reads and acknowledges it ----------------------------------------------------
    login(page, rep)
    page.goto("/reviews/")
    page.locator(f"#review-{review.pk}").get_by_role("link").first.click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    expect(page.locator("#recognition")).to_contain_text(RECOGNITION)
    expect(page.locator("#improve")).not_to_contain_text(RECOGNITION)
    expect(page.locator("#improve")).to_contain_text("Rep effort")
    expect(page.locator("#coaching")).to_contain_text(COACHING)
    expect(page.get_by_role("button", name="Save notes")).to_have_count(0)
    page.get_by_label("Your comment (optional)").fill(COMMENT)
    screenshot(page, "44-rep-reads-review")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Review acknowledged")
    expect(page.locator("#review-status")).to_have_text("Acknowledged")
    review.refresh_from_db()
    assert (review.status, review.rep_comment) == (ReviewStatus.ACKNOWLEDGED, COMMENT)
    logout(page)

    # --- The manager sees the acknowledgement ----------------------------------------------
    login(page, manager)
    page.goto(f"/reviews/{review.pk}/")
    expect(page.locator("#acknowledged")).to_contain_text("Acknowledged by Rita Rep")
    expect(page.locator("#rep-comment")).to_have_text(COMMENT)
    screenshot(page, "45-manager-sees-acknowledgement")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "46-review-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
