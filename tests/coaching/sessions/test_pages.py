"""The coaching pages: the overview by need, the list with filters and CSV, new/edit with
prefill and errors, the detail with action items, and the rep never seeing the private
notes anywhere (page, list, CSV, .ics, API, notifications, home and review panels)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import CoachingSession, SessionStatus
from coaching.sessions import services
from reporting.models import DeviationEpisode, Kpi, MonthlyReview, ReviewStatus
from salesmgmt.models import CompanySettings, Notification, Role
from tests.coaching.sessions.conftest import PRIVATE, SHARED
from tests.factories.deals import DealFactory

pytestmark = pytest.mark.django_db


def _episode(rep, severity="red"):
    today = CompanySettings.load().today()
    return DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        rep=rep,
        period_start=today,
        severity=severity,
        opened_on=today,
        actual=Decimal("31"),
        expected=Decimal("48"),
        url="/dashboard/",
    )


def test_overview_sorts_reps_by_need(book, cast, client_for):
    """A rep with a red alert comes first even if coached recently; then the one never
    coached; the rep coached yesterday last."""
    rep, teammate, manager = cast["rep"], cast["teammate"], cast["manager"]
    book(rep, manager, days=-1, status=SessionStatus.HELD)
    book(teammate, manager, days=-3, status=SessionStatus.HELD)
    _episode(teammate)
    page = client_for(manager).get(reverse("coaching:overview"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.rep for r in rows] == [teammate, rep]
    assert rows[0].need == "red"
    assert rows[1].last_session is not None and not rows[1].not_coached
    assert page.context["month_sessions"] >= 0


def test_overview_flags_reps_not_coached_in_n_days(book, cast, client_for):
    rep, manager = cast["rep"], cast["manager"]
    book(rep, manager, days=-40, status=SessionStatus.HELD)
    rows = client_for(manager).get(reverse("coaching:overview")).context["rows"]
    by_rep = {r.rep: r for r in rows}
    assert by_rep[rep].not_coached and by_rep[rep].days_since == 40
    assert by_rep[cast["teammate"]].not_coached and by_rep[cast["teammate"]].last_session is None


def test_rep_overview_shows_own_sessions_and_items(book, cast, client_for):
    session = book(cast["rep"], cast["manager"])
    services.add_action_item(
        session=session,
        by=cast["manager"],
        text="Plan the territory",
        owner=cast["rep"],
        due=CompanySettings.load().today() + timedelta(days=2),
    )
    page = client_for(cast["rep"]).get(reverse("coaching:overview"))
    html = page.content.decode()
    assert "My coaching" in html and "Plan the territory" in html
    assert PRIVATE not in html


def test_new_session_prefills_from_an_alert_and_saves(cast, client_for):
    manager, rep = cast["manager"], cast["rep"]
    episode = _episode(rep)
    client = client_for(manager)
    page = client.get(reverse("coaching:new") + f"?episode={episode.pk}")
    assert page.context["form"].initial["rep"] == rep.pk
    assert page.context["form"].initial["prompt_episode"] == episode.pk
    assert 'id="prompt"' in page.content.decode()
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("coaching:new"),
        {
            "rep": rep.pk,
            "kind": "call_review",
            "starts_at": when,
            "duration_minutes": 45,
            "prompt_episode": episode.pk,
            "private_notes": PRIVATE,
            "shared_notes": SHARED,
        },
    )
    session = CoachingSession.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "coaching:detail", args=[session.pk]
    )
    assert (session.coach, session.prompt_episode, session.duration_minutes) == (
        manager,
        episode,
        45,
    )


def test_prefill_ignores_what_the_manager_cannot_see(cast, client_for):
    episode = _episode(cast["south_rep"])
    page = client_for(cast["manager"]).get(
        reverse("coaching:new") + f"?rep={cast['south_rep'].pk}&episode={episode.pk}"
    )
    assert "rep" not in page.context["form"].initial
    assert "prompt_episode" not in page.context["form"].initial


def test_new_session_form_errors_keep_the_input(cast, client_for):
    response = client_for(cast["manager"]).post(
        reverse("coaching:new"),
        {"rep": cast["rep"].pk, "kind": "one_to_one", "shared_notes": "kept"},
    )
    assert response.status_code == 400
    assert "starts_at" in response.context["form"].errors
    assert "kept" in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_edit_with_stale_version_is_refused(book, cast, client_for):
    session = book(cast["rep"], cast["manager"])
    services.update_session(session=session, by=cast["manager"], version=1, location="Room 1")
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client_for(cast["manager"]).post(
        reverse("coaching:edit", args=[session.pk]),
        {
            "kind": "one_to_one",
            "starts_at": when,
            "duration_minutes": 60,
            "version": 1,
            "location": "Room 2",
        },
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    session.refresh_from_db()
    assert session.location == "Room 1"


def test_detail_actions_hold_add_item_and_owner_marks_done(book, cast, client_for):
    session = book(cast["rep"], cast["manager"], days=-1)
    client = client_for(cast["manager"])
    client.post(reverse("coaching:act", args=[session.pk, "hold"]), {"version": 1})
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    due = CompanySettings.load().today() + timedelta(days=5)
    client.post(
        reverse("coaching:item_add", args=[session.pk]),
        {"text": "Two referrals a week", "owner": cast["rep"].pk, "due": due.isoformat()},
    )
    item = session.action_items.get()
    rep_page = client_for(cast["rep"]).get(reverse("coaching:detail", args=[session.pk]))
    assert reverse("coaching:item_done", args=[item.pk]) in rep_page.content.decode()
    client_for(cast["rep"]).post(reverse("coaching:item_done", args=[item.pk]))
    item.task.refresh_from_db()
    assert item.task.done_at is not None


def test_bad_action_item_shows_field_errors(book, cast, client_for):
    session = book(cast["rep"], cast["manager"])
    response = client_for(cast["manager"]).post(
        reverse("coaching:item_add", args=[session.pk]),
        {"text": "Too late", "owner": cast["rep"].pk, "due": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "Pick a due date from today on." in response.content.decode()


def test_list_filters_and_csv(book, cast, client_for):
    book(cast["rep"], cast["manager"], kind="ride_along")
    book(cast["teammate"], cast["manager"])
    client = client_for(cast["manager"])
    page = client.get(reverse("coaching:list"), {"kind": "ride_along"})
    assert [s.rep for s in page.context["page"]] == [cast["rep"]]
    csv = b"".join(
        client.get(reverse("coaching:list"), {"export": "csv"}).streaming_content
    ).decode()
    assert csv.count("\n") == 3 and "private_notes" in csv and PRIVATE in csv


def test_rep_never_sees_private_notes_anywhere(book, cast, client_for, api_for):
    """Page, list, CSV, .ics, API list and detail, notifications, home panel and the
    monthly review panel: the private notes never reach the rep."""
    rep, manager = cast["rep"], cast["manager"]
    session = book(rep, manager, days=1)
    held = book(rep, manager, days=-1, status=SessionStatus.HELD)
    services.send_session_reminders()
    client = client_for(rep)
    texts = [
        client.get(reverse("coaching:detail", args=[session.pk])).content.decode(),
        client.get(reverse("coaching:detail", args=[held.pk])).content.decode(),
        client.get(reverse("coaching:overview")).content.decode(),
        client.get(reverse("coaching:list")).content.decode(),
        b"".join(
            client.get(reverse("coaching:list"), {"export": "csv"}).streaming_content
        ).decode(),
        client.get(reverse("coaching:ics", args=[session.pk])).content.decode(),
        client.get(reverse("home"), follow=True).content.decode(),
    ]
    review = MonthlyReview.objects.create(
        rep=rep,
        month=timezone.localdate(held.starts_at).replace(day=1),
        status=ReviewStatus.SHARED,
        figures={},
        generated_at=timezone.now(),
    )
    texts.append(client.get(reverse("reviews:detail", args=[review.pk])).content.decode())
    api = api_for(rep)
    texts.append(api.get("/api/v1/coaching-sessions/").content.decode())
    texts.append(api.get(f"/api/v1/coaching-sessions/{held.pk}/").content.decode())
    texts += [n.title + n.body for n in Notification.objects.filter(user=rep)]
    assert SHARED in texts[0] and "Coaching sessions this month" in texts[7]
    assert 'id="coaching-rep-panel"' in texts[6]
    for text in texts:
        assert PRIVATE not in text
        assert "private_notes" not in text and "Private notes" not in text
    manager_view = (
        client_for(manager).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    )
    assert PRIVATE in manager_view


def test_alert_page_links_to_a_new_session_for_its_manager(cast, client_for):
    episode = _episode(cast["rep"])
    url = reverse("kpis:alert", args=[episode.pk])
    link = reverse("coaching:new") + f"?rep={cast['rep'].pk}&amp;episode={episode.pk}"
    assert link in client_for(cast["manager"]).get(url).content.decode()
    assert link not in client_for(cast["rep"]).get(url).content.decode()


def test_manager_panels_show_week_sessions_and_coverage(book, cast, client_for):
    """The team week lists this week's sessions and who was not coached in N days; the
    team dashboard shows the coverage figures."""
    book(cast["rep"], cast["manager"], starts_at=timezone.now() + timedelta(minutes=30))
    book(cast["teammate"], cast["manager"], days=-2, status=SessionStatus.HELD)
    client = client_for(cast["manager"])
    week = client.get(reverse("plans:team_week")).content.decode()
    assert 'id="coaching-manager-panel"' in week and "1 not coached in 30 days" in week
    dashboard = client.get(reverse("dashboards:team"))
    html = dashboard.content.decode()
    assert 'id="coaching-coverage"' in html
    assert "Rita Rep" in html.split('id="coaching-coverage"')[1].split("</section>")[0]


def test_csv_leaves_out_private_notes_of_a_promoted_reps_own_sessions(book, cast, client_for):
    """A rep promoted to manager exports their own sessions without the coach's private
    notes (as their detail page and the API hide them); their manager's export keeps them."""
    rep = cast["rep"]
    book(rep, cast["manager"])
    rep.role = Role.MANAGER
    rep.save()

    def export(user):
        response = client_for(user).get(reverse("coaching:list"), {"export": "csv"})
        return b"".join(response.streaming_content).decode()

    own = export(rep)
    assert own.count("\n") == 2 and SHARED in own and PRIVATE not in own
    rep.role = Role.REP
    rep.save()
    assert PRIVATE in export(cast["manager"])


def test_a_prompt_about_another_rep_is_told_on_the_form(cast, client_for):
    """A session opened from one rep's deal and switched to another rep: the refusal
    (an error of the hidden prompt field) is shown on top of the form, nothing saved."""
    deal = DealFactory(owner=cast["rep"], title="Prompt deal")
    response = client_for(cast["manager"]).post(
        reverse("coaching:new"),
        {
            "rep": cast["teammate"].pk,
            "kind": "one_to_one",
            "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "prompt_deal": deal.pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["That is not about this rep."]
    assert "That is not about this rep." in response.content.decode()
    assert not CoachingSession.objects.exists()


def test_odd_ids_in_the_new_and_edit_forms_are_not_errors(book, cast, client_for):
    """?rep=² (a digit to isdigit(), no int) prefills nothing; a prompt id that is no number
    is a form error (400), on the new form and the edit form alike."""
    client = client_for(cast["manager"])
    response = client.get(reverse("coaching:new"), {"rep": "²", "episode": "¹"})
    assert response.status_code == 200 and "rep" not in response.context["form"].initial
    fields = {
        "rep": cast["rep"].pk,
        "kind": "one_to_one",
        "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "prompt_episode": "abc",
    }
    assert client.post(reverse("coaching:new"), fields).status_code == 400
    session = book(cast["rep"], cast["manager"])
    fields |= {"version": session.version, "prompt_episode": "", "prompt_deal": "9x"}
    response = client.post(reverse("coaching:edit", args=[session.pk]), fields)
    assert response.status_code == 400 and response.context["prompt"] is None
    assert not CoachingSession.objects.exclude(pk=session.pk).exists()


def test_a_future_session_recorded_as_held_is_a_form_error(book, cast, client_for):
    """The form says why next to "It has already taken place"; the detail page's "held"
    button on a coming session says it too and changes nothing."""
    client = client_for(cast["manager"])
    response = client.post(
        reverse("coaching:new"),
        {
            "rep": cast["rep"].pk,
            "kind": "one_to_one",
            "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "held": "on",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"held": ["A session in the future is not held yet."]}
    assert "A session in the future is not held yet." in response.content.decode()
    session = book(cast["rep"], cast["manager"])
    page = client.post(
        reverse("coaching:act", args=[session.pk, "hold"]), {"version": 1}, follow=True
    )
    assert "A session in the future is not held yet." in page.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
