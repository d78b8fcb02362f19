"""Tasks on /api/v1/.

Writes go through the tasks feature's services: a manager's task for a rep tells
the rep, and tasks are never deleted.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Task
from salesmgmt.models import Notification
from tests.factories.api import TaskFactory, ids, make_deal
from tests.factories.tasks import company_day, company_time


def test_rep_creates_own_task(rep, acme, api_for):
    due = timezone.now() + timedelta(days=1)

    response = api_for(rep).post(
        "/api/v1/tasks/",
        {"title": "Call Acme", "customer": acme.pk, "due_at": due.isoformat(), "priority": "high"},
    )

    assert response.status_code == 201, response.data
    task = Task.objects.get()
    assert response.data == {
        "id": task.pk,
        "title": "Call Acme",
        "notes": "",
        "assignee": rep.pk,
        "created_by": rep.pk,
        "customer": acme.pk,
        "deal": None,
        "due_at": response.data["due_at"],
        "priority": "high",
        "done_at": None,
        "is_overdue": False,
        "version": 1,
        "created_at": response.data["created_at"],
    }
    assert task.due_at == due
    assert not Notification.objects.exists()  # nobody to tell: the rep set it


def test_managers_task_for_a_rep_tells_the_rep(rep, manager, api_for):
    response = api_for(manager).post(
        "/api/v1/tasks/",
        {"title": "Review pipeline", "assignee": rep.pk, "due_at": timezone.now().isoformat()},
    )

    assert response.status_code == 201, response.data
    task = Task.objects.get()
    assert (task.assignee, task.created_by) == (rep, manager)
    assert list(Notification.objects.values_list("user", "kind", "title")) == [
        (rep.pk, "task_assigned", "Maria Manager gave you a task: Review pipeline")
    ]


def test_task_for_a_rep_out_of_scope_is_refused(rep, teammate, api_for):
    response = api_for(rep).post(
        "/api/v1/tasks/",
        {"title": "Yours", "assignee": teammate.pk, "due_at": timezone.now().isoformat()},
    )

    assert response.status_code == 400
    assert response.data["errors"] == {
        "assignee": [f'Invalid pk "{teammate.pk}" - object does not exist.']
    }
    assert not Task.objects.exists()


def test_task_update_done_and_reopen(rep, api_for):
    task = TaskFactory(assignee=rep, due_at=timezone.now() - timedelta(hours=2))
    api = api_for(rep)
    url = f"/api/v1/tasks/{task.pk}/"

    assert api.get(url).data["is_overdue"] is True
    edited = api.patch(url, {"title": "Call back Acme", "priority": "low", "version": 1})
    done = api.post(f"{url}done/")
    done_again = api.post(f"{url}done/")
    reopened = api.post(f"{url}reopen/")

    assert edited.status_code == 200, edited.data
    assert (edited.data["title"], edited.data["priority"]) == ("Call back Acme", "low")
    assert done.status_code == 200
    assert done.data["done_at"] is not None
    assert done.data["is_overdue"] is False
    assert done_again.data["done_at"] == done.data["done_at"]
    assert reopened.status_code == 200
    assert (reopened.data["done_at"], reopened.data["is_overdue"]) == (None, True)


def test_tasks_are_not_deleted(rep, api_for):
    task = TaskFactory(assignee=rep)

    assert api_for(rep).delete(f"/api/v1/tasks/{task.pk}/").status_code == 405
    assert Task.objects.filter(pk=task.pk).exists()


@pytest.fixture
def tasks(rep, teammate, acme):
    now = timezone.now()
    company_today = company_day()
    deal = make_deal(rep, customer=acme)
    return {
        "overdue": TaskFactory(assignee=rep, title="overdue", due_at=now - timedelta(days=2)),
        "soon": TaskFactory(
            assignee=rep, title="soon", due_at=now + timedelta(hours=1), customer=acme, deal=deal
        ),
        "done": TaskFactory(
            assignee=teammate,
            title="done",
            due_at=now - timedelta(days=1),
            done_at=now - timedelta(days=1, hours=2),
        ),
        "later": TaskFactory(
            assignee=teammate,
            title="later",
            due_at=company_time(company_today + timedelta(days=10)),
        ),
        "deal": deal,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["overdue", "done", "soon", "later"]),
        ({"status": "open"}, ["overdue", "soon", "later"]),
        ({"status": "overdue"}, ["overdue"]),
        ({"status": "done"}, ["done"]),
        ({"priority": "normal"}, ["overdue", "done", "soon", "later"]),
    ],
)
def test_task_filters(query, expected, tasks, manager, api_for):
    response = api_for(manager).get("/api/v1/tasks/", query)

    assert ids(response) == [tasks[name].pk for name in expected]


def test_task_filters_by_due_range_and_links(tasks, rep, acme, team, manager, api_for):
    api = api_for(manager)
    day_ten = str(company_day() + timedelta(days=10))

    assert ids(api.get("/api/v1/tasks/", {"due_from": day_ten, "due_to": day_ten})) == [
        tasks["later"].pk
    ]
    assert ids(api.get("/api/v1/tasks/", {"due_from": day_ten})) == [tasks["later"].pk]
    assert ids(api.get("/api/v1/tasks/", {"customer": acme.pk})) == [tasks["soon"].pk]
    assert ids(api.get("/api/v1/tasks/", {"deal": tasks["deal"].pk})) == [tasks["soon"].pk]
    assert ids(api.get("/api/v1/tasks/", {"assignee": rep.pk})) == [
        tasks["overdue"].pk,
        tasks["soon"].pk,
    ]
    assert len(ids(api.get("/api/v1/tasks/", {"team": team.pk}))) == 4


def test_absurd_due_dates_match_nothing(tasks, manager, api_for):
    response = api_for(manager).get("/api/v1/tasks/", {"due_to": "9999-12-31"})

    assert ids(response) == []
