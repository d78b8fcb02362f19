"""Pages whose scripts moved out of the templates still work with the
Content-Security-Policy enforced.

The page fixture fails a test on any console error, and a refused inline script,
handler or style is one; so each test opens a page, checks the policy came with it,
and uses what the moved script does. Today is pinned to Wednesday 18 November 2026,
as in tests/plans/goals/test_plan_suggestions.py, whose figures the plan form shows here.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TODAY = date(2026, 11, 18)
WEEK = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)


@pytest.fixture
def sales_goal(rep, manager, team):
    """Rita's November goal of 12 sales, 3 made, with 90 days of funnel behind it."""
    team.focus_metrics.set(Metric.objects.filter(key__in=["calls", "appointments-held"]))
    for day, quantities in [
        (date(2026, 10, 5), {"calls": 400, "contacts": 200, "appointments-set": 40}),
        (date(2026, 10, 5), {"appointments-held": 30, "sales-closed": 6}),
        (date(2026, 11, 10), {"sales-closed": 3}),
    ]:
        for key, quantity in quantities.items():
            metric = Metric.objects.get(key=key)
            ActivityFactory(rep=rep, metric=metric, day=day, quantity=Decimal(quantity))
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=Metric.objects.get(key="sales-closed"),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal("12"),
        created_by=manager,
    )


def open_under_policy(page, url):
    response = page.goto(url)
    assert response.ok, url
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy + ";" and "style-src 'self';" in policy + ";"
    return response


def test_rep_pages_scripts_run_under_the_policy(page, login, screenshot, rep, sales_goal):
    login(page, rep)

    # Plan form: "Use all suggestions" and one "Use" fill the inputs.
    open_under_policy(page, reverse("plans:for_week", args=[WEEK]))
    calls, held = page.locator("#id_target_calls"), page.locator("#id_target_appointments-held")
    expect(calls).to_have_value("")
    page.get_by_role("button", name="Use all suggestions").click()
    expect(calls).to_have_value("134")
    expect(held).to_have_value("10")
    calls.fill("1")
    page.locator("[data-suggest-for='id_target_calls']").click()
    expect(calls).to_have_value("134")
    screenshot(page, "csp-01-plan-form-suggestions")

    # Day log: "Add a line" appends a formset row and counts it.
    open_under_policy(page, reverse("activities:log"))
    rows = page.locator("#lines tbody tr")
    before = rows.count()
    page.get_by_role("button", name="Add a line (split by channel or product)").click()
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value(str(before + 1))
    screenshot(page, "csp-02-day-log-added-line")

    # Goal list: the pace bar is sized from its data attributes, 3 of 12 sales = 25%.
    open_under_policy(page, reverse("goals:list"))
    fill = page.locator(".pace-fill").first
    expect(fill).to_have_attribute("data-bar-width", "25.0")
    assert fill.evaluate("el => el.style.width") == "25%"
    assert fill.evaluate("el => el.getBoundingClientRect().width") > 0
    mark = page.locator(".pace-mark").first
    assert mark.evaluate("el => el.style.left").endswith("%")
    screenshot(page, "csp-03-goal-list-bars")


def test_manager_pages_scripts_run_under_the_policy(
    page, login, screenshot, manager, rep, teammate, sales_goal
):
    login(page, manager)

    # Goal form: only the owner field the chosen scope needs is shown.
    open_under_policy(page, reverse("goals:create"))
    scope = page.locator("#goal-form [name=scope]")
    scope.select_option("team")
    expect(page.locator("#goal-form [data-owner=team]")).to_be_visible()
    expect(page.locator("#goal-form [data-owner=rep]")).to_be_hidden()
    scope.select_option("rep")
    expect(page.locator("#goal-form [data-owner=rep]")).to_be_visible()
    expect(page.locator("#goal-form [data-owner=team]")).to_be_hidden()
    screenshot(page, "csp-04-goal-form-rep-scope")

    # Team goal grid: the live total follows the targets typed in.
    team = rep.team
    open_under_policy(
        page,
        f"{reverse('goals:team_set')}?team={team.pk}&metric=sales-closed&period=month"
        f"&day={TODAY.isoformat()}",
    )
    targets = page.locator("#team-grid input[type=number]")
    expect(targets).to_have_count(2)
    targets.nth(0).fill("5")
    targets.nth(1).fill("7")
    expect(page.locator("#grid-total")).to_have_text("12")
    screenshot(page, "csp-05-team-goal-grid-total")

    # Reviews: changing the month select submits its form (data-autosubmit).
    open_under_policy(page, reverse("reviews:team_summary"))
    page.get_by_label("Month").select_option("2026-10")
    page.wait_for_url("**month=2026-10**")
    expect(page.get_by_label("Month")).to_have_value("2026-10")
    screenshot(page, "csp-06-review-month-autosubmit")


def test_admin_report_api_docs_and_admin_run_under_the_policy(
    page, login, screenshot, admin, north
):
    login(page, admin)

    # Company report: Print prints, the scope select submits.
    open_under_policy(page, reverse("reports:company_monthly"))
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") is True
    page.get_by_label("Scope").select_option(label=f"Division {north}")
    page.wait_for_url(f"**division={north.pk}**")
    screenshot(page, "csp-07-company-report-division")

    # API docs: Swagger UI's set-up script is a file; the schema loads and renders.
    open_under_policy(page, reverse("api-docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Salesmgmt API")
    # A tag's heading: from 150 tags and operations on, Swagger UI draws them in a
    # virtual list without the .opblock-tag-section wrappers.
    expect(page.locator(".opblock-tag").first).to_be_visible()
    screenshot(page, "csp-08-api-docs")

    # Django admin: its scripts are files too.
    open_under_policy(page, reverse("admin:salesmgmt_user_change", args=[admin.pk]))
    expect(page.locator("#content h1")).to_contain_text("Change user")
    screenshot(page, "csp-09-admin-user")
