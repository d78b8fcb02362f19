"""A quota sheet (rep x metric x month) imported through the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.goals.services import set_goal
from plans.models import Goal, GoalChange
from salesmgmt.models import CompanySettings
from tests.salesmgmt.imports.helpers import csv_bytes, problems, read_xlsx, run, upload, xlsx_bytes

HEADER = ["external_id", "rep", "metric", "month", "target", "stretch", "reason"]


@pytest.fixture
def month(db):
    return CompanySettings.load().today().strftime("%Y-%m")


def test_manager_imports_quota_sheet_with_history(client_for, manager, rep, teammate, month):
    client = client_for(manager)
    sheet = [
        HEADER,
        ["Q-1", "rep", "calls", month, "200", "240", ""],
        ["Q-2", "teammate", "calls", month, "180", "", ""],
    ]
    job = upload(client, "goals", csv_bytes(sheet))
    assert job.problems == [] and job.counts["create"] == 2
    run(client, job)
    goal = Goal.objects.get(external_id="Q-1")
    assert (goal.rep, goal.target, goal.stretch_target) == (rep, 200, 240)
    assert GoalChange.objects.filter(action="created").count() == 2

    assert upload(client, "goals", csv_bytes(sheet)).counts["unchanged"] == 2
    sheet[1][4], sheet[1][6] = "220", "New territory"
    job = upload(client, "goals", csv_bytes(sheet))
    assert job.counts["update"] == 1
    run(client, job)
    change = GoalChange.objects.get(action="changed")
    assert (change.old_target, change.new_target, change.reason) == (200, 220, "New territory")


def test_bad_rows_and_roles(client_for, cast, month):
    sheet = [
        HEADER,
        ["", "rep", "calls", month, "0", "", ""],
        ["", "rep", "nope", "13/2026", "10", "5", ""],
        ["", "south_rep", "calls", month, "10", "", ""],
        ["", "rep", "calls", month, "10", "9", ""],
    ]
    job = upload(client_for(cast["manager"]), "goals", csv_bytes(sheet))
    assert problems(job) == {
        (2, "target"),
        (3, "metric"),
        (3, "month"),
        (3, "stretch"),
        (4, "rep"),
        (5, "stretch"),
    }
    run(client_for(cast["manager"]), job)
    assert not Goal.objects.exists()
    # A rep sets no goals; a director their division's reps'; an admin anyone's.
    one = [HEADER, ["", "south_rep", "calls", month, "10", "", ""]]
    assert problems(upload(client_for(cast["rep"]), "goals", csv_bytes(one))) == {(2, "rep")}
    assert problems(upload(client_for(cast["director"]), "goals", csv_bytes(one))) == {(2, "rep")}
    assert upload(client_for(cast["admin"]), "goals", csv_bytes(one)).problems == []


def test_row_without_external_id_updates_the_reps_month_goal(client_for, manager, rep, month):
    calls = Metric.objects.get(key="calls")
    today = CompanySettings.load().today()
    set_goal(
        by=manager,
        scope="rep",
        rep=rep,
        metric=calls,
        period="month",
        day=today,
        target=Decimal(50),
    )
    data = xlsx_bytes([HEADER, [None, "rep", "calls", month, 60, None, None]])
    job = upload(client_for(manager), "goals", data, name="q.xlsx")
    assert job.counts["update"] == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_goal_list_export_imports_back_unchanged(client_for, manager, rep, teammate, fmt):
    calls = Metric.objects.get(key="calls")
    today = CompanySettings.load().today()
    for who, target in ((rep, 50), (teammate, 70)):
        set_goal(
            by=manager,
            scope="rep",
            rep=who,
            metric=calls,
            period="month",
            day=today,
            target=Decimal(target),
        )
    client = client_for(manager)
    response = client.get(reverse("goals:list"), {"export": f"sheet-{fmt}"})
    data = response.content if fmt == "xlsx" else b"".join(response.streaming_content)
    job = upload(client, "goals", data, name=f"goals.{fmt}")
    assert job.problems == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 2, "invalid": 0}


def test_template_help_sheet_lists_metrics(client_for, manager):
    response = client_for(manager).get(reverse("imports:template", args=["goals", "xlsx"]))
    assert read_xlsx(response)[0] == HEADER
    assert "calls" in next(r for r in read_xlsx(response, 1) if r[0] == "metric")[3]
