"""The coaching app's webhook events: a coaching session recorded (held: recorded as held
on the page, or marked held by API), kudos given, award given; and the tasks an action
item makes. Data: the object as the API shows it; never a coach's private notes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import Award, CoachingSession, Kudos, SessionActionItem
from salesmgmt.models import WebhookEvent
from salesmgmt.models import WebhookEventType as E
from tests.coaching.sessions.conftest import PRIVATE, book  # noqa: F401
from tests.factories.webhooks import as_api_shows, events_of, subscribe, the_event

pytestmark = pytest.mark.django_db
SESSIONS = "/api/v1/coaching-sessions/"


@pytest.fixture
def hooks():
    subscribe(*E.values)
    subscribe(E.DEAL_WON, url="https://other.example.com/in")
    subscribe(*E.values, active=False, url="https://off.example.com/in")


def without_private_notes(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "private_notes"}


def test_session_marked_held_by_api(book, hooks, cast, admin, api_for):  # noqa: F811
    session = book(cast["rep"], cast["manager"], days=-1)
    assert events_of(E.COACHING_SESSION_RECORDED) == []  # booked, not held yet

    held = api_for(cast["manager"]).post(f"{SESSIONS}{session.pk}/hold/", {"version": 1})
    assert held.status_code == 200, held.data

    event = the_event(
        E.COACHING_SESSION_RECORDED, object_type="coaching_session", object_id=session.pk
    )
    assert "private_notes" not in event.data
    assert PRIVATE not in str(event.data)
    admin_view = as_api_shows(admin, f"{SESSIONS}{session.pk}/")
    assert event.data == without_private_notes(admin_view)
    assert event.data["status"] == "held"


def test_session_recorded_as_held_on_the_page(hooks, cast, admin, client_for):
    response = client_for(cast["manager"]).post(
        reverse("coaching:new"),
        {
            "rep": cast["rep"].pk,
            "kind": "one_to_one",
            "starts_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "private_notes": PRIVATE,
            "held": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    session = CoachingSession.objects.get()
    event = the_event(
        E.COACHING_SESSION_RECORDED, object_type="coaching_session", object_id=session.pk
    )
    assert event.data == without_private_notes(as_api_shows(admin, f"{SESSIONS}{session.pk}/"))


def test_booking_a_session_records_nothing(book, hooks, cast):  # noqa: F811
    book(cast["rep"], cast["manager"])
    assert WebhookEvent.objects.count() == 0


def test_action_items_make_tasks_that_send_created_and_done(book, hooks, cast, admin, api_for):  # noqa: F811
    session = book(cast["rep"], cast["manager"], days=-1)
    api = api_for(cast["manager"])
    due = str(timezone.localdate() + timedelta(days=3))
    for owner in ("rep", "manager"):  # the rep's through the task service; the coach's own
        created = api.post(
            "/api/v1/coaching-action-items/",
            {
                "session": session.pk,
                "text": f"Follow up ({owner})",
                "owner": cast[owner].pk,
                "due": due,
            },
        )
        assert created.status_code == 201, created.data
    rep_item, coach_item = SessionActionItem.objects.order_by("pk")
    assert [e.object_id for e in events_of(E.TASK_CREATED)] == [
        str(rep_item.task_id),
        str(coach_item.task_id),
    ]

    done = api.post(f"/api/v1/coaching-action-items/{coach_item.pk}/complete/", {})
    assert done.status_code == 200, done.data
    event = the_event(E.TASK_DONE, object_type="task", object_id=coach_item.task_id)
    assert event.data["done_at"] is not None


def test_kudos_given(hooks, cast, admin, api_for):
    response = api_for(cast["teammate"]).post(
        "/api/v1/kudos/", {"recipient": cast["rep"].pk, "message": "Thanks for the lead!"}
    )
    assert response.status_code == 201, response.data
    kudos = Kudos.objects.get()
    event = the_event(E.KUDOS_GIVEN, object_type="kudos", object_id=kudos.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/kudos/{kudos.pk}/")
    assert event.data["message"] == "Thanks for the lead!"


def test_award_given(hooks, cast, admin, api_for):
    response = api_for(cast["manager"]).post(
        "/api/v1/awards/",
        {"recipient": cast["rep"].pk, "kind": "travel", "value": "900", "reason": "Top of Q3"},
    )
    assert response.status_code == 201, response.data
    award = Award.objects.get()
    event = the_event(E.AWARD_GIVEN, object_type="award", object_id=award.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/awards/{award.pk}/")
    assert event.data["reason"] == "Top of Q3"


def test_a_refused_award_records_nothing(hooks, cast, api_for):
    response = api_for(cast["manager"]).post(
        "/api/v1/awards/", {"recipient": cast["rep"].pk, "kind": "cash", "reason": "Q3"}
    )
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
