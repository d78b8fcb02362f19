"""Task pages: My day, adding and editing tasks, one-click done, the team board,
task history — who sees what, what each shows, and what they cost in queries.

One file because every test runs on the same frozen clock (the autouse `frozen`) and
My day, done, editing and the team board share Rita's day (`ritas_day`) and the row
helpers; splitting it would copy them.

The clock is frozen at Wednesday 11 March 2026, 10:00 UTC (company week starts
Monday 9 March); the company and every user are on UTC unless a test says not.
"""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Task, TaskPriority
from activities.tasks import services
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.factories import UserFactory
from tests.factories.tasks import TaskCustomerFactory, TaskDealFactory, TaskFactory

NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
SECRET = "Zephyr harbour contract (code 7731)"
needs_update_task = pytest.mark.skipif(
    not hasattr(services, "update_task"), reason="needs activities.tasks.services.update_task"
)


def utc(month, day, hour=0, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def zephyr(rep):
    return TaskCustomerFactory(owner=rep, name="Zephyr Harbour Ltd")


@pytest.fixture
def zephyr_deal(rep, zephyr):
    return TaskDealFactory(owner=rep, customer=zephyr, title="Zephyr forklifts")


@pytest.fixture
def ritas_day(rep, zephyr, zephyr_deal):
    """Rita's tasks around the frozen clock, by what My day should call them."""
    return {
        "overdue": TaskFactory(
            assignee=rep,
            title="Send the revised quote",
            due_at=utc(3, 10, 9),
            priority=TaskPriority.HIGH,
            customer=zephyr,
            deal=zephyr_deal,
        ),
        "done_today": TaskFactory(
            assignee=rep, title="Confirm the demo room", due_at=utc(3, 11, 8), done_at=utc(3, 11, 7)
        ),
        "later_today": TaskFactory(
            assignee=rep, title="Call Zephyr's buyer", due_at=utc(3, 11, 15)
        ),
        "ahead": TaskFactory(assignee=rep, title="Prepare the renewal pack", due_at=utc(3, 18, 23)),
        "beyond": TaskFactory(assignee=rep, title="Quarterly review", due_at=utc(3, 19)),
        "old_done": TaskFactory(
            assignee=rep, title="Old call", due_at=utc(3, 1, 9), done_at=utc(3, 1, 10)
        ),
    }


def titles(tasks) -> list[str]:
    return [t.title for t in tasks]


def row_open_tag(task, classes: str) -> str:
    return f'<tr id="task-{task.pk}" class="{classes}">'


HTMX = {"HX-Request": "true"}


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
SEES_RITA = {"rep", "manager", "director", "admin"}


def _page(method, url, data=None, written=None):
    return {"method": method, "url": url, "data": data or (lambda t: {}), "written": written}


PAGES = {
    "my day": _page("get", lambda t: reverse("tasks:my_day")),
    "my day ?rep=": _page("get", lambda t: f"{reverse('tasks:my_day')}?rep={t.assignee_id}"),
    "team board": _page("get", lambda t: reverse("tasks:team")),
    "history": _page("get", lambda t: reverse("tasks:history")),
    "new task": _page("get", lambda t: reverse("tasks:new")),
    "edit task": _page("get", lambda t: reverse("tasks:edit", args=[t.pk])),
    "done": _page(
        "post", lambda t: reverse("tasks:done", args=[t.pk]), written=lambda t: t.done_at == NOW
    ),
    "reopen": _page(
        "post",
        lambda t: reverse("tasks:reopen", args=[t.pk]),
        written=lambda t: t.done_at is None,
    ),
}

# fmt: off
MATRIX = {
    #                 rep  mate  beta south  mgr  o-mgr s-mgr  dir admin
    "my day":        (200, 200,  200, 200,   302, 302,  302,   302, 302),  # reviewers land on the board
    "my day ?rep=":  (200, 404,  404, 404,   200, 404,  404,   200, 200),
    "team board":    (404, 404,  404, 404,   200, 200,  200,   200, 200),
    "history":       (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "new task":      (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "edit task":     (200, 404,  404, 404,   200, 404,  404,   200, 200),
    "done":          (302, 404,  404, 404,   302, 404,  404,   302, 302),
    "reopen":        (302, 404,  404, 404,   302, 404,  404,   302, 302),
}
# fmt: on


def test_matrix_covers_every_page_and_role():
    assert set(MATRIX) == set(PAGES)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [
        pytest.param(page, role, expected, id=f"{page}-{role}")
        for page, row in MATRIX.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_task_page_answers_role_as_expected(client_for, cast, page, role, expected):
    spec = PAGES[page]
    rep = cast["rep"]
    customer = TaskCustomerFactory(owner=rep, name=f"{SECRET} Ltd")
    task = TaskFactory(
        assignee=rep,
        title=SECRET,
        customer=customer,
        due_at=utc(3, 10, 9),
        done_at=NOW if page == "reopen" else None,
    )

    client = client_for(cast[role])
    response = getattr(client, spec["method"])(spec["url"](task), spec["data"](task))

    assert response.status_code == expected
    body = response.content.decode()
    if role not in SEES_RITA:
        assert SECRET not in body
        assert "Rita" not in body  # not even her name
    if spec["written"] is not None:
        task.refresh_from_db()
        assert spec["written"](task) is (expected == 302)


def test_reviewers_without_rep_land_on_the_team_board(client_for, manager):
    response = client_for(manager).get(reverse("tasks:my_day"))

    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:team")


# --- My day -----------------------------------------------------------------------------------


def test_my_day_sorts_tasks_into_overdue_today_and_next_seven_days(client_for, rep, ritas_day):
    page = client_for(rep).get(reverse("tasks:my_day"))

    assert titles(page.context["overdue"]) == ["Send the revised quote"]
    assert titles(page.context["today_tasks"]) == ["Confirm the demo room", "Call Zephyr's buyer"]
    # 18 Mar 23:00 is the last moment of the seventh day; 19 Mar 00:00 is beyond it.
    assert titles(page.context["ahead"]) == ["Prepare the renewal pack"]
    assert page.context["done_today"] == []
    assert page.context["open_counts"] == {
        "overdue": 1,
        "today_tasks": 1,
        "ahead": 1,
        "done_today": 0,
    }


def test_an_overdue_task_done_today_stays_in_sight_to_be_reopened(client_for, rep, ritas_day):
    task = ritas_day["overdue"]
    task.done_at = utc(3, 11, 9)
    task.save()

    page = client_for(rep).get(reverse("tasks:my_day"))

    assert page.context["overdue"] == []
    assert titles(page.context["done_today"]) == ["Send the revised quote"]
    assert row_open_tag(task, "task-row task-done") in page.content.decode()


def test_my_day_highlights_the_overdue_row_and_strikes_done_ones(client_for, rep, ritas_day):
    body = client_for(rep).get(reverse("tasks:my_day")).content.decode()

    assert row_open_tag(ritas_day["overdue"], "task-row task-overdue") in body
    assert row_open_tag(ritas_day["later_today"], "task-row") in body
    assert row_open_tag(ritas_day["done_today"], "task-row task-done") in body
    assert body.count("task-row task-overdue") == 1


def test_my_day_row_shows_title_due_priority_customer_and_deal(client_for, rep, ritas_day):
    page = client_for(rep).get(reverse("tasks:my_day"))
    body = page.content.decode()
    row = body[body.index(f'id="task-{ritas_day["overdue"].pk}"') :]
    row = row[: row.index("</tr>")]

    assert "Send the revised quote" in row
    assert "Tue 10 Mar, 09:00" in row
    assert "overdue 1\xa0day" in row
    assert '<span class="badge prio-high">High</span>' in row
    assert "Zephyr Harbour Ltd" in row
    assert "Zephyr forklifts" in row
    assert f'hx-post="{reverse("tasks:done", args=[ritas_day["overdue"].pk])}"' in row


def test_my_day_shows_times_in_the_viewers_timezone(client_for, rep, ritas_day):
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])

    body = client_for(rep).get(reverse("tasks:my_day")).content.decode()

    assert "Wed 11 Mar, 16:00" in body  # 15:00 UTC is 16:00 in Berlin in March
    assert "Wed 11 Mar, 15:00" not in body


def test_my_day_follows_the_company_date(client_for, rep, monkeypatch):
    """At 03:00 UTC it is still the 10th in New York (UTC-4 in March): the company's 'today'."""
    company = CompanySettings.load()
    company.timezone = "America/New_York"
    company.save()
    monkeypatch.setattr(timezone, "now", lambda: utc(3, 11, 3))
    TaskFactory(assignee=rep, title="Past due", due_at=utc(3, 11, 2))
    TaskFactory(assignee=rep, title="Late evening in New York", due_at=utc(3, 11, 3, 30))
    TaskFactory(assignee=rep, title="Just after midnight there", due_at=utc(3, 11, 4, 30))

    page = client_for(rep).get(reverse("tasks:my_day"))

    assert page.context["today"].isoformat() == "2026-03-10"
    assert titles(page.context["overdue"]) == ["Past due"]
    assert titles(page.context["today_tasks"]) == ["Late evening in New York"]
    assert titles(page.context["ahead"]) == ["Just after midnight there"]


def test_manager_opens_a_reps_day(client_for, manager, rep, ritas_day):
    page = client_for(manager).get(reverse("tasks:my_day"), {"rep": rep.pk})

    assert page.context["rep"] == rep
    assert page.context["is_own"] is False
    assert titles(page.context["overdue"]) == ["Send the revised quote"]
    assert "<h1>Rita Rep's day" in page.content.decode()


# --- Done and reopen --------------------------------------------------------------------------


def test_done_by_htmx_swaps_the_row_for_a_done_one(client_for, rep, ritas_day):
    task = ritas_day["overdue"]

    response = client_for(rep).post(
        reverse("tasks:done", args=[task.pk]), {"next": "/tasks/"}, headers=HTMX
    )

    task.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert task.done_at == NOW
    assert body.strip().startswith(row_open_tag(task, "task-row task-done"))
    assert "task-overdue" not in body
    assert f'hx-post="{reverse("tasks:reopen", args=[task.pk])}"' in body
    assert '<span class="badge late">late</span>' in body
    assert body.count("<tr") == 1


def test_reopen_by_htmx_brings_back_the_overdue_highlight(client_for, rep, ritas_day):
    task = ritas_day["overdue"]
    task.done_at = NOW
    task.save()

    response = client_for(rep).post(reverse("tasks:reopen", args=[task.pk]), headers=HTMX)

    task.refresh_from_db()
    assert task.done_at is None
    assert response.content.decode().strip().startswith(row_open_tag(task, "task-row task-overdue"))


def test_done_on_the_board_keeps_the_rep_column(client_for, manager, rep, ritas_day):
    task = ritas_day["overdue"]

    response = client_for(manager).post(
        reverse("tasks:done", args=[task.pk]), {"cols": "assignee"}, headers=HTMX
    )

    assert f'<a href="/tasks/?rep={rep.pk}">Rita Rep</a>' in response.content.decode()


def test_done_without_htmx_returns_to_the_page_it_came_from(client_for, rep, ritas_day):
    task = ritas_day["later_today"]
    client = client_for(rep)

    back = client.post(reverse("tasks:done", args=[task.pk]), {"next": "/tasks/#today"})
    elsewhere = client.post(
        reverse("tasks:reopen", args=[task.pk]), {"next": "https://evil.example/"}
    )

    assert back["Location"] == "/tasks/#today"
    assert elsewhere["Location"] == "/tasks/"


def test_done_needs_a_post(client_for, rep, ritas_day):
    response = client_for(rep).get(reverse("tasks:done", args=[ritas_day["overdue"].pk]))

    assert response.status_code == 405


# --- Adding and editing -----------------------------------------------------------------------


def post_task(client, **data):
    values = {
        "title": "Ring the harbour master",
        "due_at": "2026-03-12T09:30",
        "priority": "normal",
        "customer": "",
        "deal": "",
        "notes": "",
    }
    values.update({k: getattr(v, "pk", v) for k, v in data.items()})
    return client.post(reverse("tasks:new"), values)


def test_rep_adds_a_task_for_themselves(client_for, rep, teammate, zephyr):
    response = post_task(client_for(rep), customer=zephyr, assignee=teammate, priority="high")

    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/tasks/"
    assert (task.assignee, task.created_by, task.customer) == (rep, rep, zephyr)
    assert (task.due_at, task.priority, task.done_at) == (utc(3, 12, 9, 30), "high", None)
    assert not Notification.objects.exists()


def test_due_time_is_read_in_the_writers_timezone(client_for, rep):
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])

    post_task(client_for(rep), due_at="2026-03-12T09:30")

    assert Task.objects.get().due_at == utc(3, 12, 8, 30)


def test_new_task_form_offers_only_what_the_writer_may_use(
    client_for, rep, teammate, manager, zephyr, zephyr_deal
):
    TaskCustomerFactory(owner=teammate, name="Tom's account")

    rep_form = client_for(rep).get(reverse("tasks:new")).context["form"]
    manager_form = client_for(manager).get(reverse("tasks:new")).context["form"]

    assert rep_form["assignee"].field.disabled is True
    assert rep_form["assignee"].value() == rep.pk
    assert list(rep_form.fields["customer"].queryset) == [zephyr]
    assert list(rep_form.fields["deal"].queryset) == [zephyr_deal]
    assert set(manager_form.fields["assignee"].queryset) == {rep, teammate}
    assert [c.name for c in manager_form.fields["customer"].queryset] == [
        "Tom's account",
        "Zephyr Harbour Ltd",
    ]


def test_manager_gives_a_rep_a_task_and_the_rep_is_told(client_for, manager, rep):
    response = post_task(client_for(manager), assignee=rep)

    task = Task.objects.get()
    notification = Notification.objects.get()
    assert response["Location"] == f"/tasks/?rep={rep.pk}"
    assert (task.assignee, task.created_by) == (rep, manager)
    assert (notification.user, notification.kind) == (rep, NotificationKind.TASK_ASSIGNED)
    assert notification.url == f"/tasks/#task-{task.pk}"


def test_other_manager_cannot_give_rita_a_task(client_for, other_manager, rep):
    response = post_task(client_for(other_manager), assignee=rep)

    assert response.status_code == 200
    assert response.context["form"].errors["assignee"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Task.objects.exists()


def test_rep_cannot_link_a_teammates_customer(client_for, rep, teammate):
    toms = TaskCustomerFactory(owner=teammate)

    response = post_task(client_for(rep), customer=toms)

    assert "customer" in response.context["form"].errors
    assert not Task.objects.exists()


def test_a_deal_fills_in_its_customer_and_must_match_a_chosen_one(
    client_for, rep, zephyr, zephyr_deal
):
    other = TaskCustomerFactory(owner=rep, name="Other account")
    client = client_for(rep)

    mismatch = post_task(client, customer=other, deal=zephyr_deal)
    filled = post_task(client, deal=zephyr_deal)

    assert mismatch.context["form"].errors["deal"] == [
        "Zephyr forklifts is a deal of Zephyr Harbour Ltd, not Other account."
    ]
    assert Task.objects.get().customer == zephyr
    assert filled.status_code == 302


def test_form_errors_show_next_to_their_fields(client_for, rep):
    response = post_task(client_for(rep), title="", due_at="someday")

    body = response.content.decode()
    assert '<small class="field-error">This field is required.</small>' in body
    assert '<small class="field-error">Enter a valid date/time.</small>' in body


def test_new_task_prefills_customer_rep_and_next_hour(client_for, manager, rep, zephyr):
    response = client_for(manager).get(
        reverse("tasks:new"), {"customer": zephyr.pk, "rep": rep.pk, "next": "/customers/1/"}
    )

    form = response.context["form"]
    assert form["customer"].value() == zephyr.pk
    assert form["assignee"].value() == rep.pk
    assert form["due_at"].value() == datetime(2026, 3, 11, 11, 0)  # the next full hour, local
    assert 'name="next" value="/customers/1/"' in response.content.decode()


def test_edit_form_shows_the_due_time_in_the_viewers_timezone(client_for, rep, ritas_day):
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])

    body = client_for(rep).get(reverse("tasks:edit", args=[ritas_day["overdue"].pk])).content

    assert b'value="2026-03-10T10:00"' in body


@needs_update_task
def test_rep_edits_their_task(client_for, rep, ritas_day):
    task = ritas_day["later_today"]

    response = client_for(rep).post(
        reverse("tasks:edit", args=[task.pk]),
        {
            "title": "Call Zephyr's buyer about the discount",
            "due_at": "2026-03-12T11:00",
            "priority": "high",
            "customer": "",
            "deal": "",
            "notes": "Bring the price list",
            "next": "/tasks/#today",
            "version": task.version,
        },
    )

    task.refresh_from_db()
    assert response["Location"] == "/tasks/#today"
    assert (task.title, task.due_at, task.priority, task.notes) == (
        "Call Zephyr's buyer about the discount",
        utc(3, 12, 11),
        "high",
        "Bring the price list",
    )


@needs_update_task
def test_manager_hands_a_task_to_another_rep(client_for, manager, rep, teammate, ritas_day):
    task = ritas_day["later_today"]

    client_for(manager).post(
        reverse("tasks:edit", args=[task.pk]),
        {
            "title": task.title,
            "assignee": teammate.pk,
            "due_at": "2026-03-11T15:00",
            "priority": "normal",
            "version": task.version,
        },
    )

    task.refresh_from_db()
    assert task.assignee == teammate
    assert Notification.objects.get().user == teammate


# --- The team board ---------------------------------------------------------------------------


def test_board_counts_each_reps_tasks(client_for, manager, rep, teammate, ritas_day):
    TaskFactory(assignee=teammate, title="Tom's follow-up", due_at=utc(3, 11, 12))

    page = client_for(manager).get(reverse("tasks:team"))

    counts = {
        r.username: (r.open_tasks, r.overdue_tasks, r.due_today, r.done_this_week)
        for r in page.context["counts"]
    }
    # Rita: four open (one overdue, one due later today); done this week: the demo room.
    assert counts == {"rep": (4, 1, 1, 1), "teammate": (1, 0, 1, 0)}


def test_board_lists_overdue_tasks_by_default_highlighted(client_for, manager, rep, ritas_day):
    page = client_for(manager).get(reverse("tasks:team"))

    assert titles(page.context["page"]) == ["Send the revised quote"]
    assert row_open_tag(ritas_day["overdue"], "task-row task-overdue") in page.content.decode()
    assert page.context["status"] == "overdue"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"status": "open"},
            [
                "Send the revised quote",
                "Call Zephyr's buyer",
                "Prepare the renewal pack",
                "Quarterly review",
            ],
        ),
        ({"status": "done"}, ["Old call", "Confirm the demo room"]),
        ({"status": "", "priority": "high"}, ["Send the revised quote"]),
        ({"status": "", "due_from": "2026-03-11", "due_to": "2026-03-18"}, None),
        ({"status": "open", "rep": "teammate"}, []),
    ],
    ids=["open", "done", "priority", "due range", "rep"],
)
def test_board_filters(client_for, manager, teammate, ritas_day, params, expected):
    params = {k: (teammate.pk if v == "teammate" else v) for k, v in params.items()}
    if expected is None:
        expected = ["Confirm the demo room", "Call Zephyr's buyer", "Prepare the renewal pack"]

    page = client_for(manager).get(reverse("tasks:team"), params)

    assert titles(page.context["page"]) == expected


def test_board_rep_filter_offers_only_the_teams_reps(client_for, director, rep, teammate):
    page = client_for(director).get(reverse("tasks:team"))

    assert set(page.context["filter"].form.fields["rep"].queryset) == {rep, teammate}
    assert [f.label for f in page.context["filter"].form] == [
        "Rep",
        "Status",
        "Priority",
        "Due from",
        "Due to",
    ]


def test_board_exports_the_filtered_list_as_csv(client_for, manager, rep, ritas_day):
    ritas_day["overdue"].title = "=HYPERLINK(1)"
    ritas_day["overdue"].save()

    response = client_for(manager).get(reverse("tasks:team"), {"status": "", "export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Disposition"] == 'attachment; filename="tasks-Alpha.csv"'
    assert rows[0] == [
        "id",
        "title",
        "rep",
        "customer",
        "deal",
        "due_at",
        "priority",
        "status",
        "done_at",
    ]
    assert rows[1:3] == [
        [
            str(ritas_day["old_done"].pk),
            "Old call",
            "Rita Rep",
            "",
            "",
            "2026-03-01 09:00",
            "normal",
            "done",
            "2026-03-01 10:00",
        ],
        [
            str(ritas_day["overdue"].pk),
            "'=HYPERLINK(1)",
            "Rita Rep",
            "Zephyr Harbour Ltd",
            "Zephyr forklifts",
            "2026-03-10 09:00",
            "high",
            "overdue",
            "",
        ],
    ]
    assert len(rows) == 7


@pytest.mark.parametrize(
    ("role", "teams", "sees_rita"),
    [
        ("manager", ["Alpha"], True),
        ("other_manager", ["Beta"], False),
        ("south_manager", ["Gamma"], False),
        ("director", ["Alpha", "Beta"], True),
        ("admin", ["Alpha", "Beta", "Gamma"], True),
    ],
)
def test_board_offers_the_teams_a_reviewer_reviews(
    client_for, cast, ritas_day, role, teams, sees_rita
):
    alpha = cast["rep"].team

    page = client_for(cast[role]).get(reverse("tasks:team"), {"team": alpha.pk})

    assert [t.name for t in page.context["teams"]] == teams
    assert (page.context["team"] == alpha) is sees_rita
    assert ("Rita Rep" in page.content.decode()) is sees_rita


def test_board_for_a_reviewer_without_teams(client_for, db):
    lonely = UserFactory(role="manager")

    page = client_for(lonely).get(reverse("tasks:team"))

    assert page.status_code == 200
    assert "You do not manage a team yet" in page.content.decode()


# --- Task history page ------------------------------------------------------------------------


@pytest.fixture
def march(rep, teammate, other_team_rep, south_rep):
    """One completed task each; Rita's is late by 3 hours."""
    TaskFactory(assignee=rep, due_at=utc(3, 4, 10), done_at=utc(3, 4, 13))
    TaskFactory(assignee=teammate, due_at=utc(3, 5, 10), done_at=utc(3, 5, 9))
    TaskFactory(assignee=other_team_rep, due_at=utc(3, 6, 10), done_at=utc(3, 6, 9))
    TaskFactory(assignee=south_rep, due_at=utc(3, 6, 10), done_at=utc(3, 6, 9))


@pytest.mark.parametrize(
    ("role", "reps", "teams"),
    [
        ("rep", ["Rita Rep"], []),
        ("teammate", ["Tom Teammate"], []),
        ("manager", ["Rita Rep", "Tom Teammate"], ["Alpha"]),
        ("other_manager", ["Otto Beta"], ["Beta"]),
        ("director", ["Rita Rep", "Tom Teammate", "Otto Beta"], ["Alpha", "Beta"]),
        (
            "admin",
            ["Rita Rep", "Tom Teammate", "Otto Beta", "Sofia Gamma"],
            ["Alpha", "Beta", "Gamma"],
        ),
    ],
)
def test_history_shows_the_reps_and_teams_one_sees(client_for, cast, march, role, reps, teams):
    page = client_for(cast[role]).get(reverse("tasks:history"))

    assert [str(r.subject) for r in page.context["rows"]] == reps
    assert [str(r.subject) for r in page.context["team_rows"]] == teams


def test_history_page_shows_the_figures_for_the_chosen_period(client_for, manager, march):
    client = client_for(manager)

    march_page = client.get(reverse("tasks:history"), {"start": "2026-03-01", "end": "2026-03-31"})
    april_page = client.get(reverse("tasks:history"), {"start": "2026-04-01", "end": "2026-04-30"})

    rita = march_page.context["rows"][0]
    alpha = march_page.context["team_rows"][0]
    assert (rita.completed, rita.on_time, rita.late, rita.on_time_rate) == (1, 0, 1, 0.0)
    assert rita.avg_lateness_hours == 3.0
    assert (alpha.completed, alpha.on_time_rate, alpha.avg_lateness_hours) == (2, 50.0, 3.0)
    assert "3 h" in march_page.content.decode()
    assert [r.completed for r in april_page.context["rows"]] == [0, 0]


def test_history_defaults_to_this_month_and_filters_by_team(client_for, director, march):
    client = client_for(director)
    alpha = director.division.teams.get(name="Alpha")

    default = client.get(reverse("tasks:history"))
    one_team = client.get(reverse("tasks:history"), {"team": alpha.pk})

    assert (default.context["start"].isoformat(), default.context["end"].isoformat()) == (
        "2026-03-01",
        "2026-03-11",
    )
    assert 'name="start" value="2026-03-01"' in default.content.decode()
    assert [str(r.subject) for r in one_team.context["rows"]] == ["Rita Rep", "Tom Teammate"]
    assert [r.subject for r in one_team.context["team_rows"]] == [alpha]


def test_history_refuses_a_team_outside_ones_scope(client_for, other_manager, rep, march):
    response = client_for(other_manager).get(reverse("tasks:history"), {"team": rep.team_id})

    assert "team" in response.context["form"].errors
    assert [str(r.subject) for r in response.context["rows"]] == ["Otto Beta"]


def test_history_exports_csv(client_for, manager, march):
    response = client_for(manager).get(
        reverse("tasks:history"), {"start": "2026-03-01", "end": "2026-03-31", "export": "csv"}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["rep", "team", "completed", "on_time", "late", "on_time_rate", "avg_lateness_hours"],
        ["Rita Rep", "Alpha", "1", "0", "1", "0.0", "3.0"],
        ["Tom Teammate", "Alpha", "1", "1", "0", "100.0", ""],
    ]


# --- Query counts -----------------------------------------------------------------------------

# Measured with 5 rows; 50 must not need a single query more. Session and user are two.
MY_DAY_QUERIES = 4
BOARD_QUERIES = 8
HISTORY_QUERIES = 6


@pytest.fixture
def busy_day(request, rep):
    """``request.param`` tasks for Rita, each linked to its own customer and deal."""
    for n in range(request.param):
        deal = TaskDealFactory(owner=rep)
        TaskFactory(
            assignee=rep, customer=deal.customer, deal=deal, due_at=utc(3, 9 + n % 5, 8 + n % 12)
        )
    return request.param


@pytest.mark.parametrize("busy_day", [5, 50], indirect=True)
def test_my_day_query_count_does_not_grow_with_tasks(
    client_for, rep, busy_day, django_assert_max_num_queries
):
    client = client_for(rep)

    with django_assert_max_num_queries(MY_DAY_QUERIES):
        page = client.get(reverse("tasks:my_day"))

    shown = page.context["overdue"] + page.context["today_tasks"] + page.context["ahead"]
    assert len(shown) == busy_day


@pytest.fixture
def busy_team(request, team):
    """``request.param`` reps in Alpha, each with an overdue, an open and a done task."""
    CompanySettings.load()  # the settings row exists (and is cached) on a live site
    for _ in range(request.param):
        rep = UserFactory(team=team)
        customer = TaskCustomerFactory(owner=rep)
        TaskFactory(assignee=rep, customer=customer, due_at=utc(3, 10, 9))
        TaskFactory(assignee=rep, due_at=utc(3, 12, 9))
        TaskFactory(assignee=rep, due_at=utc(3, 9, 9), done_at=utc(3, 9, 8))
    return request.param


@pytest.mark.parametrize("busy_team", [5, 50], indirect=True)
def test_team_board_query_count_does_not_grow_with_reps(
    client_for, manager, busy_team, django_assert_max_num_queries
):
    client = client_for(manager)

    with django_assert_max_num_queries(BOARD_QUERIES):
        page = client.get(reverse("tasks:team"), {"rep": "", "status": "overdue"})

    assert len(page.context["counts"]) == busy_team
    assert page.context["page"].paginator.count == busy_team


@pytest.mark.parametrize("busy_team", [5, 50], indirect=True)
def test_history_query_count_does_not_grow_with_reps(
    client_for, manager, busy_team, django_assert_max_num_queries
):
    client = client_for(manager)

    with django_assert_max_num_queries(HISTORY_QUERIES):
        page = client.get(reverse("tasks:history"))

    assert sum(r.completed for r in page.context["rows"]) == busy_team
