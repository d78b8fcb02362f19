"""/api/v1/notifications/: everyone reads and marks their own, and nobody else's.

Not even an admin or a manager sees another person's notifications; those
answer 404. E-mail-only notifications are not in the in-app list.
Preferences: per kind, in the app and/or by e-mail; both on unless changed.
"""

import pytest
from django.utils import timezone

from salesmgmt.models import Notification, NotificationKind, NotificationPreference
from salesmgmt.notifications.services import notify
from tests.factories.api import NotificationFactory

URL = "/api/v1/notifications/"
PREFERENCES = "/api/v1/notifications/preferences/"
NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}


@pytest.fixture
def inbox(rep, manager, admin):
    return {
        "old": NotificationFactory(user=rep, title="Plan reminder", kind="plan_reminder"),
        "new": NotificationFactory(user=rep, title="Task for you", url="/tasks/#task-3"),
        "read": NotificationFactory(user=rep, title="Seen", read_at=timezone.now()),
        "mail_only": NotificationFactory(user=rep, title="By mail", in_app=False, email=True),
        "managers": NotificationFactory(user=manager, title="Review waiting"),
        "admins": NotificationFactory(user=admin, title="Admin's"),
    }


def titles(response):
    assert response.status_code == 200, response.data
    return [row["title"] for row in response.data["results"]]


def test_list_shows_own_in_app_notifications_newest_first(rep, inbox, api_for):
    response = api_for(rep).get(URL)

    assert titles(response) == ["Seen", "Task for you", "Plan reminder"]
    new = inbox["new"]
    assert response.data["results"][1] == {
        "id": new.pk,
        "kind": "task_assigned",
        "title": "Task for you",
        "body": "",
        "url": "/tasks/#task-3",
        "created_at": response.data["results"][1]["created_at"],
        "read_at": None,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", ["Review waiting"]), ("admin", ["Admin's"]), ("teammate", [])],
)
def test_nobody_sees_anothers_notifications(who, expected, cast, inbox, api_for):
    api = api_for(cast[who])

    assert titles(api.get(URL)) == expected
    for name in ("old", "new"):
        response = api.get(f"{URL}{inbox[name].pk}/")
        assert response.status_code == 404
        assert response.data == NOT_FOUND


def test_unread_filter_counts_for_the_bell(rep, inbox, api_for):
    response = api_for(rep).get(URL, {"unread": "true"})

    assert response.data["count"] == 2
    assert titles(response) == ["Task for you", "Plan reminder"]


def test_kind_filter(rep, inbox, api_for):
    assert titles(api_for(rep).get(URL, {"kind": "plan_reminder"})) == ["Plan reminder"]


def test_read_marks_one(rep, inbox, api_for):
    response = api_for(rep).post(f"{URL}{inbox['new'].pk}/read/")

    assert response.status_code == 200
    assert response.data["read_at"] is not None
    assert set(Notification.objects.unread().filter(user=rep).values_list("title", flat=True)) == {
        "Plan reminder"
    }


def test_reading_twice_keeps_the_first_time(rep, inbox, api_for):
    read_at = inbox["read"].read_at

    response = api_for(rep).post(f"{URL}{inbox['read'].pk}/read/")

    assert response.status_code == 200
    inbox["read"].refresh_from_db()
    assert inbox["read"].read_at == read_at


def test_cannot_mark_anothers_notification(manager, inbox, api_for):
    response = api_for(manager).post(f"{URL}{inbox['new'].pk}/read/")

    assert response.status_code == 404
    inbox["new"].refresh_from_db()
    assert inbox["new"].read_at is None


def test_read_all_marks_only_own(rep, inbox, api_for):
    response = api_for(rep).post(f"{URL}read-all/")

    assert response.status_code == 200
    assert response.data == {"marked": 2}
    assert not Notification.objects.unread().filter(user=rep).exists()
    assert Notification.objects.unread().filter(user__username="manager").count() == 1
    assert api_for(rep).post(f"{URL}read-all/").data == {"marked": 0}


def test_notifications_are_read_only(rep, inbox, api_for):
    api = api_for(rep)

    assert api.post(URL, {"title": "Fake"}).status_code == 405
    assert api.patch(f"{URL}{inbox['new'].pk}/", {"title": "x"}).status_code == 405
    assert api.delete(f"{URL}{inbox['new'].pk}/").status_code == 405


# --- preferences ------------------------------------------------------------------------------


def test_preferences_list_every_kind_both_on_by_default(rep, api_for):
    response = api_for(rep).get(PREFERENCES)

    assert response.status_code == 200
    assert response.data == [
        {"kind": kind, "label": label, "in_app": True, "email": True}
        for kind, label in NotificationKind.choices
    ]


def test_put_changes_the_kinds_sent_and_keeps_the_rest(rep, api_for):
    NotificationPreference.objects.create(user=rep, kind="stale_deal", in_app=False, email=True)

    response = api_for(rep).put(
        PREFERENCES,
        [
            {"kind": "task_reminder", "in_app": True, "email": False},
            {"kind": "overdue_digest", "in_app": False, "email": False},
        ],
    )

    assert response.status_code == 200, response.data
    changed = {row["kind"]: (row["in_app"], row["email"]) for row in response.data}
    assert changed["task_reminder"] == (True, False)
    assert changed["overdue_digest"] == (False, False)
    assert changed["stale_deal"] == (False, True)
    assert changed["plan_reminder"] == (True, True)
    assert NotificationPreference.objects.filter(user=rep).count() == 3


def test_preferences_decide_what_is_sent(rep, api_for):
    api_for(rep).put(PREFERENCES, [{"kind": "task_assigned", "in_app": False, "email": False}])

    sent = notify(user=rep, kind="task_assigned", key="t:1", title="A task")

    assert sent is None
    assert not Notification.objects.exists()


def test_preferences_are_per_person(rep, teammate, api_for):
    api_for(rep).put(PREFERENCES, [{"kind": "task_assigned", "in_app": False, "email": True}])

    theirs = {row["kind"]: row for row in api_for(teammate).get(PREFERENCES).data}

    assert theirs["task_assigned"]["in_app"] is True


def test_unknown_kind_is_named_by_row(rep, api_for):
    response = api_for(rep).put(
        PREFERENCES,
        [
            {"kind": "task_reminder", "in_app": True, "email": True},
            {"kind": "gossip", "in_app": True, "email": "maybe"},
        ],
    )

    assert response.status_code == 400
    assert response.data == {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": {
            "1": {
                "kind": ['"gossip" is not a notification kind.'],
                "email": ["Must be a valid boolean."],
            }
        },
    }
    assert not NotificationPreference.objects.exists()


def test_a_kind_twice_is_refused(rep, api_for):
    row = {"kind": "task_reminder", "in_app": True, "email": True}

    response = api_for(rep).put(PREFERENCES, [row, row])

    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["Each kind may appear once."]}
