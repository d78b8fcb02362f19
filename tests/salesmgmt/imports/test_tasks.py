"""Tasks from a spreadsheet, through the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Task
from tests.factories.api import CustomerFactory, TaskFactory, make_deal
from tests.salesmgmt.imports.helpers import (
    csv_bytes,
    problems,
    read_csv,
    read_xlsx,
    run,
    upload,
    xlsx_bytes,
)

HEADER = [
    "external_id",
    "title",
    "assignee",
    "due",
    "priority",
    "customer",
    "deal",
    "done",
    "notes",
]


def test_templates_parse_back(client_for, manager):
    client = client_for(manager)
    assert read_csv(client.get(reverse("imports:template", args=["tasks", "csv"])))[0] == HEADER
    response = client.get(reverse("imports:template", args=["tasks", "xlsx"]))
    assert read_xlsx(response)[0] == HEADER
    assert "low, normal, high" in next(r for r in read_xlsx(response, 1) if r[0] == "priority")[3]


def test_manager_imports_team_tasks_idempotently_and_updates(client_for, manager, rep, teammate):
    acme = CustomerFactory(owner=rep, name="Acme", external_id="ERP-7")
    deal = make_deal(rep, customer=acme, title="Acme renewal")
    client = client_for(manager)
    sheet = [
        HEADER,
        ["T-1", "Call Acme", "rep", "2026-12-10 09:30", "high", "ERP-7", "", "no", "bring prices"],
        ["T-2", "Send offer", "teammate", "2026-12-11", "", "", "", "", ""],
        ["T-3", "Renewal call", "rep", "2026-12-12 10:00", "low", "", "acme renewal", "yes", ""],
    ]
    job = upload(client, "tasks", csv_bytes(sheet))
    assert job.problems == [] and job.counts["create"] == 3
    run(client, job)
    t1, t2, t3 = (Task.objects.get(external_id=f"T-{i}") for i in (1, 2, 3))
    assert (t1.assignee, t1.customer, t1.priority, t1.done_at) == (rep, acme, "high", None)
    assert timezone.localtime(t2.due_at).hour == 17  # a date alone
    assert t3.deal == deal and t3.customer == acme and t3.done_at is not None
    assert t1.created_by == manager

    again = upload(client, "tasks", csv_bytes(sheet))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "invalid": 0}

    sheet[1][7] = "yes"
    sheet[2][1] = "Send the offer"
    job = upload(client, "tasks", csv_bytes(sheet))
    assert job.counts["update"] == 2
    run(client, job)
    t1.refresh_from_db()
    assert t1.done_at is not None and t1.version == 2
    assert Task.objects.get(external_id="T-2").title == "Send the offer"


def test_bad_rows_are_named_and_nothing_is_written(client_for, rep, other_team_rep):
    other = CustomerFactory(owner=other_team_rep, name="Beta Corp")
    client = client_for(rep)
    sheet = [
        HEADER,
        ["T-1", "Fine", "", "2026-12-10", "", "", "", "", ""],
        ["T-2", "", "other_rep", "tomorrow", "urgent", other.name, "", "maybe", ""],
        ["T-3", "x", "", "2026-12-10", "", "", "No such deal", "", ""],
    ]
    job = upload(client, "tasks", csv_bytes(sheet))
    assert problems(job) == {
        (3, "title"),
        (3, "assignee"),
        (3, "due"),
        (3, "priority"),
        (3, "customer"),
        (3, "done"),
        (4, "deal"),
    }
    run(client, job)
    assert not Task.objects.exists()


def test_xlsx_and_rep_cannot_touch_teammates_task(client_for, rep, teammate):
    TaskFactory(assignee=teammate, external_id="T-9", title="Theirs")
    data = xlsx_bytes(
        [
            HEADER,
            [
                "T-9",
                "Mine now",
                "",
                (timezone.now() + timedelta(days=1)).replace(tzinfo=None),
                None,
                None,
                None,
                "no",
                None,
            ],
        ]
    )
    job = upload(client_for(rep), "tasks", data, name="t.xlsx")
    assert problems(job) == {(2, "external_id")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_board_export_imports_back_unchanged(client_for, manager, rep, team, fmt):
    acme = CustomerFactory(owner=rep, name="Acme")
    TaskFactory(
        assignee=rep, customer=acme, due_at=timezone.now() - timedelta(days=2), notes="=1+1"
    )
    TaskFactory(assignee=rep, due_at=timezone.now() - timedelta(days=1), done_at=timezone.now())
    client = client_for(manager)
    response = client.get(
        reverse("tasks:team"), {"team": team.pk, "status": "", "export": f"sheet-{fmt}"}
    )
    data = response.content if fmt == "xlsx" else b"".join(response.streaming_content)
    job = upload(client, "tasks", data, name=f"tasks.{fmt}")
    assert job.problems == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 2, "invalid": 0}


def test_my_day_export_is_the_reps_own(client_for, rep, teammate, django_assert_max_num_queries):
    for _ in range(5):
        TaskFactory(assignee=rep)
    TaskFactory(assignee=teammate)
    client = client_for(rep)
    with django_assert_max_num_queries(10):
        body = read_csv(client.get(reverse("tasks:my_day"), {"export": "sheet-csv"}))
    assert len(body) == 6 and {r[2] for r in body[1:]} == {"rep"}
