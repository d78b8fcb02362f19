"""The people side, clicked through in a real browser (issue 12's "done when").

Maria (manager of Alpha) opens a deviation alert on Rita's calls and records a field
ride-along from it, with an action item for Rita; then, on its own form, she gives Rita
an award. Rita finds the session on her coaching page and the award on the recognition
feed (two places, never one block), and ticks the action item done. Then Alpha's reps
answer the anonymous feedback one by one: Maria sees nothing of it until the third.
Screenshots of each step land in test-artifacts/screenshots/ (see conftest.py).
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from coaching.feedback import services as feedback
from coaching.models import Award, CoachingSession, SessionActionItem, SessionKind
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.models import CompanySettings
from tests.factories import UserFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="playwright package not installed: browser tests skipped"
).expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WHY = "Calls fell behind pace two weeks running"
SHARED = "Rode along to Harbour Foods: strong opener, weak close on price."
PRIVATE = "Seems tired; ask about the territory change next time."
ACTION = "Write three closing questions for price objections"
REASON = "Biggest quarter of the team: the Harbour Foods account"
FEEDBACK = "Our Monday meeting runs too long"


@pytest.fixture
def alert(rep):
    """Rita's calls KPI is behind pace: an open amber alert."""
    today = CompanySettings.load().today()
    return DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        rep=rep,
        period_start=today - timedelta(days=today.weekday()),
        severity="amber",
        opened_on=today,
        actual=Decimal("31"),
        expected=Decimal("48"),
        url="/kpis/",
    )


def test_ride_along_from_an_alert_then_an_award_apart_and_feedback_after_three(
    page, login, logout, screenshot, rep, teammate, manager, team, alert
):
    # Maria opens the alert and records a ride-along from it.
    login(page, manager)
    page.goto(f"/kpis/alerts/{alert.pk}/")
    page.get_by_role("button", name="Record a coaching session").click()
    page.wait_for_url("**/coaching/sessions/new/**")
    form = page.locator("form.coaching-form")
    expect(form.get_by_label("Rep", exact=True)).to_have_value(str(rep.pk))
    form.get_by_label("Kind", exact=True).select_option(SessionKind.RIDE_ALONG)
    yesterday = CompanySettings.load().today() - timedelta(days=1)
    form.get_by_label("When", exact=True).fill(f"{yesterday:%Y-%m-%d}T10:00")
    form.get_by_label("It has already taken place").check()
    form.get_by_label("Closing").check()
    form.get_by_label("Why", exact=True).fill(WHY)
    form.get_by_label("Notes shared with the rep").fill(SHARED)
    form.get_by_label("Private notes").fill(PRIVATE)
    screenshot(page, "60-ride-along-form")
    form.get_by_role("button", name="Save").click()
    page.wait_for_url("**/coaching/sessions/*/")

    session = CoachingSession.objects.get(rep=rep)
    assert (session.kind, session.status, session.prompt_episode_id, session.coach_id) == (
        SessionKind.RIDE_ALONG,
        "held",
        alert.pk,
        manager.pk,
    )
    # The action item, agreed in the session: Rita's task.
    items = page.locator("form.coaching-item-form")
    items.get_by_label("What").fill(ACTION)
    items.get_by_label("Who").select_option(str(rep.pk))
    items.get_by_label("By").fill(f"{CompanySettings.load().today() + timedelta(days=7):%Y-%m-%d}")
    items.get_by_role("button", name="Add action item").click()
    expect(page.locator("#items")).to_contain_text(ACTION)
    item = SessionActionItem.objects.get(session=session)
    assert (item.owner_id, item.task.assignee_id, item.task.done_at) == (rep.pk, rep.pk, None)
    screenshot(page, "61-session-recorded")

    # Separately, on its own form, an award.
    page.goto(f"/recognition/awards/new/?recipient={rep.pk}")
    award_form = page.locator("main form").last
    award_form.get_by_label("Kind", exact=True).select_option("time_off")
    award_form.get_by_label("What it is, in words").fill("A Friday off")
    award_form.get_by_label("Reason").fill(REASON)
    screenshot(page, "62-award-form")
    award_form.get_by_role("button", name="Give award").click()
    expect(page.get_by_text(REASON)).to_be_visible()
    assert Award.objects.get(recipient=rep).given_by_id == manager.pk
    logout(page)

    # Rita: the session on her coaching page (no private notes, no award there) ...
    login(page, rep)
    page.goto("/coaching/")
    expect(page.locator("main")).to_contain_text(ACTION)
    page.locator(f"#session-{session.pk} a").first.click()
    page.wait_for_url(f"**/coaching/sessions/{session.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text(SHARED)
    expect(main).not_to_contain_text(PRIVATE)
    expect(main).not_to_contain_text(REASON)
    screenshot(page, "63-rep-reads-session")
    # ... completes the action item ...
    page.locator(f"#item-{item.pk}").get_by_role("button", name="Done").click()
    expect(page.locator(f"#item-{item.pk}")).not_to_contain_text("Done", timeout=5_000)
    item.task.refresh_from_db()
    assert item.task.done_at is not None
    # ... and the award on the recognition feed, where no coaching text is.
    page.goto("/recognition/")
    feed = page.locator("main")
    expect(feed).to_contain_text(REASON)
    expect(feed).not_to_contain_text(SHARED)
    screenshot(page, "64-rep-recognition-feed")
    logout(page)

    # Feedback: Maria sees nothing until the third of Alpha's reps has answered.
    feedback.ensure_period(today=CompanySettings.load().today())
    third = UserFactory(username="thea", first_name="Thea", last_name="Third", team=team)
    for answered, person in enumerate([rep, teammate, third], start=1):
        login(page, person)
        page.goto("/feedback/")
        for question in page.locator("fieldset.rating-question").all():
            question.get_by_label("4").check()
        page.locator("#feedback-form textarea").fill(f"{FEEDBACK} ({answered})")
        page.get_by_role("button", name="Send anonymously").click()
        expect(page.get_by_text("recorded anonymously")).to_be_visible()
        logout(page)

        login(page, manager)
        page.goto("/feedback/results/")
        results = page.locator("main")
        if answered < 3:
            expect(results).to_contain_text(f"{answered} of 3 answers so far")
            expect(results).not_to_contain_text(FEEDBACK)
        else:
            for n in (1, 2, 3):
                expect(results).to_contain_text(f"{FEEDBACK} ({n})")
            screenshot(page, "65-feedback-after-three")
        logout(page)
