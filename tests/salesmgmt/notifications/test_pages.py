"""Notification pages and the bell: a person only ever sees and touches their own."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from salesmgmt.models import CompanySettings, Notification, NotificationKind, NotificationPreference
from salesmgmt.notifications.context import notifications as bell_context
from salesmgmt.notifications.services import notify
from tests.factories.tasks import NotificationFactory

SECRET = "Your plan for the Zephyr account (code 7731) was returned"


def newest_first(user, titles: list[str]) -> list[Notification]:
    """Notifications for ``user``, the last title the newest."""
    base = timezone.now() - timedelta(hours=len(titles))
    made = []
    for hours, title in enumerate(titles):
        n = NotificationFactory(user=user, title=title)
        Notification.objects.filter(pk=n.pk).update(created_at=base + timedelta(hours=hours))
        made.append(n)
    return made


# --- Who may open what ------------------------------------------------------------------------

ROLES = (
    "rep",
    "teammate",
    "other_team_rep",
    "south_rep",
    "manager",
    "other_manager",
    "south_manager",
    "director",
    "admin",
)

PAGES = {
    "list": ("get", lambda n: reverse("notifications:list")),
    "read": ("post", lambda n: reverse("notifications:read", args=[n.pk])),
    "read all": ("post", lambda n: reverse("notifications:read_all")),
    "preferences": ("get", lambda n: reverse("notifications:preferences")),
}

# fmt: off
MATRIX = {
    #               rep  mate  beta south  mgr  o-mgr s-mgr  dir admin
    "list":        (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "read":        (302, 404,  404, 404,   404, 404,  404,   404, 404),  # even an admin: it is Rita's
    "read all":    (302, 302,  302, 302,   302, 302,  302,   302, 302),
    "preferences": (200, 200,  200, 200,   200, 200,  200,   200, 200),
}
# fmt: on


def test_matrix_covers_every_page_and_role():
    assert set(MATRIX) == set(PAGES)


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [
        pytest.param(page, role, expected, id=f"{page}-{role}")
        for page, row in MATRIX.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_notification_page_answers_role_as_expected(client_for, cast, page, role, expected):
    method, url = PAGES[page]
    ritas = NotificationFactory(user=cast["rep"], title=SECRET, url="/plans/")

    response = getattr(client_for(cast[role]), method)(url(ritas))

    assert response.status_code == expected
    assert (SECRET in response.content.decode()) is (role == "rep" and page == "list")
    ritas.refresh_from_db()
    assert (ritas.read_at is not None) is (role == "rep" and page in ("read", "read all"))


# --- The list ---------------------------------------------------------------------------------


def test_list_shows_own_notifications_newest_first_unread_bold(client_for, rep, teammate):
    older, newer = newest_first(rep, ["Plan approved", "Task assigned"])
    Notification.objects.filter(pk=older.pk).update(read_at=timezone.now())
    NotificationFactory(user=teammate, title="Tom's own")
    NotificationFactory(user=rep, title="E-mail only", in_app=False)

    page = client_for(rep).get(reverse("notifications:list"))
    body = page.content.decode()

    assert [n.title for n in page.context["page"]] == ["Task assigned", "Plan approved"]
    assert f'<tr id="notification-{newer.pk}" class="unread">' in body
    assert f'<tr id="notification-{older.pk}" class="read">' in body
    assert page.context["unread_count"] == 1
    assert "Tom&#x27;s own" not in body
    assert "E-mail only" not in body


def test_each_notification_links_to_its_object_through_read(client_for, rep):
    (n,) = newest_first(rep, ["Plan returned"])

    body = client_for(rep).get(reverse("notifications:list")).content.decode()

    assert f'action="{reverse("notifications:read", args=[n.pk])}"' in body
    assert 'class="linklike notification-title" title="Open">Plan returned</button>' in body


def test_list_is_paginated(client_for, rep):
    newest_first(rep, [f"Reminder {n}" for n in range(30)])
    client = client_for(rep)

    first = client.get(reverse("notifications:list"))
    second = client.get(reverse("notifications:list"), {"page": 2})

    assert [n.title for n in first.context["page"]][:2] == ["Reminder 29", "Reminder 28"]
    assert len(first.context["page"]) == 25
    assert [n.title for n in second.context["page"]] == [f"Reminder {n}" for n in range(4, -1, -1)]


def test_list_filters_by_kind_and_unread(client_for, rep):
    a, b = newest_first(rep, ["Reminder", "Assigned"])
    Notification.objects.filter(pk=a.pk).update(kind=NotificationKind.TASK_REMINDER)
    Notification.objects.filter(pk=b.pk).update(read_at=timezone.now())
    client = client_for(rep)

    by_kind = client.get(reverse("notifications:list"), {"kind": "task_reminder"})
    unread = client.get(reverse("notifications:list"), {"unread": "true"})

    assert [n.title for n in by_kind.context["page"]] == ["Reminder"]
    assert [n.title for n in unread.context["page"]] == ["Reminder"]


def test_list_exports_csv(client_for, rep):
    (n,) = newest_first(rep, ["=2+3 overdue tasks"])
    n.refresh_from_db()

    response = client_for(rep).get(reverse("notifications:list"), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["created_at", "kind", "title", "body", "url", "read_at"],
        [
            f"{n.created_at:%Y-%m-%d %H:%M}",
            "task_assigned",
            "'=2+3 overdue tasks",
            "",
            "/tasks/",
            "",
        ],
    ]


# --- Reading ----------------------------------------------------------------------------------


def test_read_marks_it_read_and_opens_its_object(client_for, rep):
    n = NotificationFactory(user=rep, url="/tasks/#task-7")

    response = client_for(rep).post(reverse("notifications:read", args=[n.pk]))

    n.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/tasks/#task-7"
    assert n.read_at is not None


def test_read_never_sends_anyone_off_site(client_for, rep):
    n = NotificationFactory(user=rep, url="https://evil.example/")

    response = client_for(rep).post(reverse("notifications:read", args=[n.pk]))

    assert response["Location"] == reverse("notifications:list")


def test_read_keeps_the_first_read_time(client_for, rep):
    first = timezone.now() - timedelta(days=2)
    n = NotificationFactory(user=rep, read_at=first)

    client_for(rep).post(reverse("notifications:read", args=[n.pk]))

    n.refresh_from_db()
    assert n.read_at == first


def test_another_users_notification_is_404(client_for, rep, teammate):
    toms = NotificationFactory(user=teammate)

    response = client_for(rep).post(reverse("notifications:read", args=[toms.pk]))

    toms.refresh_from_db()
    assert response.status_code == 404
    assert toms.read_at is None


def test_read_needs_a_post(client_for, rep):
    n = NotificationFactory(user=rep)

    assert client_for(rep).get(reverse("notifications:read", args=[n.pk])).status_code == 405


def test_read_all_marks_only_ones_own(client_for, rep, teammate):
    mine = [NotificationFactory(user=rep) for _ in range(3)]
    toms = NotificationFactory(user=teammate)

    response = client_for(rep).post(reverse("notifications:read_all"), follow=True)

    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=toms.pk).read_at is None
    assert "3 notifications marked read." in response.content.decode()


# --- Preferences ------------------------------------------------------------------------------


REP_KINDS = [
    "plan_reminder",
    "plan_reviewed",
    "task_reminder",
    "task_assigned",
    "overdue_digest",
    "stale_deal",
    "goal_changed",
    "deviation",
    "review_shared",
    "statement_ready",
    "coaching_session",
    "action_item",
    "kudos",
    "award",
    "training",
    "feedback",
    "improvement_plan",
]
REVIEWER_KINDS = [
    "plan_missing",
    "plan_submitted",
    "review_reminder",
    "team_overdue_digest",
    "stale_deal",
    "deviation",
    "review_ready",
    "review_acknowledged",
    "coaching_session",
    "action_item",
    "kudos",
    "recognition_nudge",
    "training",
    "feedback",
    "improvement_plan",
]


def ticked(kinds, *, unticked=()) -> dict[str, str]:
    boxes = {f"{kind}__{channel}": "on" for kind in kinds for channel in ("in_app", "email")}
    return {name: value for name, value in boxes.items() if name not in unticked}


def test_preferences_start_with_everything_on(client_for, rep):
    form = client_for(rep).get(reverse("notifications:preferences")).context["form"]

    assert [label for label, _, _ in form.rows()] == [
        "Weekly plan reminder",
        "Plan approved or returned",
        "Task due soon",
        "Task assigned to you",
        "Daily overdue tasks",
        "Stale deal alert",
        "Your goal was set or changed",
        "Behind pace on a goal or KPI",
        "Your monthly review was shared",
        "Commission statement ready",
        "Coaching session booked or coming up",
        "Coaching action item due",
        "Kudos for you",
        "An award for you",
        "Training assigned or overdue",
        "Feedback period open or closing",
        "Improvement plan and its checkpoints",
    ]
    assert all(in_app.value() and email.value() for _, in_app, email in form.rows())


@pytest.mark.parametrize(
    ("role", "kinds"),
    [("rep", REP_KINDS), ("manager", REVIEWER_KINDS), ("director", REVIEWER_KINDS)],
)
def test_preferences_offer_the_kinds_each_role_receives(client_for, cast, role, kinds):
    form = client_for(cast[role]).get(reverse("notifications:preferences")).context["form"]

    assert [kind for kind, _ in form.kinds] == kinds


def test_preferences_are_saved_per_kind_and_shown_again(client_for, rep):
    client = client_for(rep)
    checked = ticked(
        REP_KINDS, unticked={"task_reminder__email", "stale_deal__in_app", "stale_deal__email"}
    )

    response = client.post(reverse("notifications:preferences"), checked)
    again = client.post(reverse("notifications:preferences"), checked)  # an upsert: no duplicates
    shown = client.get(reverse("notifications:preferences"))
    form = shown.context["form"]

    saved = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=rep)}
    assert response["Location"] == reverse("notifications:preferences")
    assert again.status_code == 302
    assert sorted(saved) == sorted(REP_KINDS)
    assert saved["task_reminder"] == (True, False)
    assert saved["stale_deal"] == (False, False)
    assert saved["task_assigned"] == (True, True)
    assert form["task_reminder__email"].value() is False
    assert form["stale_deal__in_app"].value() is False
    assert "Notification preferences saved." in shown.content.decode()


def test_saved_preferences_decide_what_is_delivered(client_for, rep):
    checked = ticked(REP_KINDS, unticked={f"{kind}__in_app" for kind in REP_KINDS})  # e-mail only

    client_for(rep).post(reverse("notifications:preferences"), checked)
    notify(user=rep, kind=NotificationKind.TASK_ASSIGNED, key="k1", title="By e-mail only")

    n = Notification.objects.get(user=rep)
    assert (n.in_app, n.email) == (False, True)
    listed = client_for(rep).get(reverse("notifications:list")).context["page"]
    assert list(listed) == []


def test_preferences_touch_only_ones_own(client_for, rep, teammate):
    client_for(rep).post(reverse("notifications:preferences"), {})

    assert NotificationPreference.objects.filter(
        user=rep, in_app=False, email=False
    ).count() == len(REP_KINDS)
    assert not NotificationPreference.objects.filter(user=teammate).exists()


# --- The bell ---------------------------------------------------------------------------------


def _bell_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_bell_counts_own_unread_in_app_notifications(rep, teammate, django_assert_num_queries):
    NotificationFactory(user=rep)
    NotificationFactory(user=rep)
    NotificationFactory(user=rep, read_at=timezone.now())
    NotificationFactory(user=rep, in_app=False)
    NotificationFactory(user=teammate)

    context = bell_context(_bell_request(rep))
    with django_assert_num_queries(1):
        html = render_to_string("includes/bell.html", context)

    assert 'aria-label="Notifications, 2 unread"' in html
    assert '<span class="badge badge-returned bell-count">2</span>' in html
    assert 'href="/notifications/"' in html


def test_bell_costs_nothing_on_pages_that_do_not_show_it(rep, django_assert_num_queries):
    with django_assert_num_queries(0):
        bell_context(_bell_request(rep))


def test_bell_without_unread_has_no_badge_and_caps_large_counts(rep, teammate):
    Notification.objects.bulk_create(
        [
            Notification(user=teammate, kind="task_reminder", key=f"k{n}", title="t")
            for n in range(120)
        ]
    )

    quiet = render_to_string("includes/bell.html", bell_context(_bell_request(rep)))
    busy = render_to_string("includes/bell.html", bell_context(_bell_request(teammate)))

    assert "bell-count" not in quiet
    assert 'aria-label="Notifications"' in quiet
    assert '<span class="badge badge-returned bell-count">99+</span>' in busy


def test_bell_context_is_empty_for_anonymous_visitors(db):

    assert bell_context(_bell_request(AnonymousUser())) == {}


# --- Query counts -----------------------------------------------------------------------------

LIST_QUERIES = 6  # session, user, unread count (page), bell count (nav), page count, rows


@pytest.fixture
def inbox(request, rep):
    CompanySettings.load()  # the settings row exists (and is cached) on a live site
    newest_first(rep, [f"Reminder {n}" for n in range(request.param)])
    return request.param


@pytest.mark.parametrize("inbox", [5, 50], indirect=True)
def test_list_query_count_does_not_grow_with_notifications(
    client_for, rep, inbox, django_assert_max_num_queries
):
    client = client_for(rep)

    with django_assert_max_num_queries(LIST_QUERIES):
        page = client.get(reverse("notifications:list"))

    assert page.context["page"].paginator.count == inbox
