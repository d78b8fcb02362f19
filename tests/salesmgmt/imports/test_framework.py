"""What every kind shares: kinds and formats that do not exist, the jobs list's queries,
and a dry run whose queries do not grow with the rows, for each kind."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from salesmgmt.imports import registry
from salesmgmt.imports.registry import Row
from salesmgmt.jobs import purge_import_jobs_task
from salesmgmt.models import CompanySettings, ImportJob
from tests.factories.api import CustomerFactory, make_deal
from tests.salesmgmt.imports.helpers import csv_bytes, read_xlsx, upload, xlsx_bytes


def test_unknown_kind_and_format_are_404(client_for, rep):
    client = client_for(rep)
    assert client.get(reverse("imports:upload", args=["unicorns"])).status_code == 404
    assert client.get(reverse("imports:template", args=["tasks", "pdf"])).status_code == 404


@pytest.mark.parametrize("role", ["rep", "manager", "director", "admin"])
@pytest.mark.parametrize("kind", ["activities", "deals", "tasks", "goals"])
def test_every_role_opens_every_upload_page_and_template(client_for, cast, role, kind):
    client = client_for(cast[role])
    page = client.get(reverse("imports:upload", args=[kind]))
    assert page.status_code == 200 and "external_id" in page.content.decode()
    header = read_xlsx(client.get(reverse("imports:template", args=[kind, "xlsx"])))[0]
    assert header == registry.get(kind).column_names


def test_jobs_list_queries_do_not_grow(client_for, rep, django_assert_max_num_queries):
    client = client_for(rep)
    data = csv_bytes([["day", "metric", "quantity"], ["2026-01-01", "calls", "1"]])
    for _ in range(3):
        upload(client, "activities", data)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("imports:list")).content.decode()
    assert page.count("file.csv") == 3


def _rows(kind, n, today):
    """n valid-looking rows of each kind, as the reader hands them over."""
    make = {
        "activities": lambda i: {"external_id": f"A{i}", "rep": "rep", "day": str(today),
                                 "metric": "calls", "quantity": "1", "customer": "Acme"},
        "deals": lambda i: {"external_id": f"D{i}", "title": f"D{i}", "customer": "Acme",
                            "owner": "rep", "pipeline": "new-business", "stage": "lead",
                            "amount": "10", "expected_close": str(today), "stage_date": str(today)},
        "tasks": lambda i: {"external_id": f"T{i}", "title": "t", "assignee": "rep",
                            "due": str(today), "customer": "Acme", "deal": "Big one", "done": "no"},
        "goals": lambda i: {"external_id": f"G{i}", "rep": ("rep", "teammate")[i % 2],
                            "metric": ("calls", "meetings", "leads")[i % 3],
                            "month": str(today + timedelta(days=31 * (i // 6)))[:7], "target": "5"},
    }[kind]  # fmt: skip
    return [Row(i + 2, make(i)) for i in range(n)]


@pytest.mark.parametrize(
    ("kind", "budget"), [("activities", 8), ("deals", 9), ("tasks", 7), ("goals", 6)]
)
def test_dry_run_queries_are_constant_in_the_row_count(
    manager, rep, teammate, kind, budget, django_assert_max_num_queries
):
    today = CompanySettings.load().today()
    acme = CustomerFactory(owner=rep, name="Acme")
    make_deal(rep, customer=acme, title="Big one")
    importer = registry.get(kind)
    for n in (6, 60):
        with django_assert_max_num_queries(budget):
            check = importer.check(_rows(kind, n, today), manager)
        assert check.counts["create"] == n, check.problems[:3]


def test_old_imports_are_purged_with_their_files_but_not_running_ones(rep):
    old = timezone.now() - timedelta(days=40)
    done = ImportJob.objects.create(
        user=rep, kind="tasks", file_name="a.csv", data=b"x", status="done"
    )
    running = ImportJob.objects.create(
        user=rep, kind="tasks", file_name="b.csv", data=b"x", status="importing"
    )
    fresh = ImportJob.objects.create(
        user=rep, kind="tasks", file_name="c.csv", data=b"x", status="checked"
    )
    ImportJob.objects.filter(pk__in=[done.pk, running.pk]).update(created_at=old)
    assert purge_import_jobs_task() == 1
    assert purge_import_jobs_task() == 0
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {running.pk, fresh.pk}


def test_a_job_that_breaks_is_marked_failed_and_says_so(client_for, rep, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry.get("activities"), "check", broken)
    client = client_for(rep)
    # The queued task runs robustly after commit: its error is logged, the upload answers.
    data = csv_bytes([["day", "metric", "quantity"], ["2026-01-01", "calls", "1"]])
    job = upload(client, "activities", data)
    job.refresh_from_db()
    assert job.status == "failed"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-failed"' in page


def test_a_damaged_xlsx_is_named_a_file_problem_not_left_running(client_for, rep):
    """A workbook whose sheet XML is broken opens, then fails as its rows are read: the
    dry run says the file cannot be read (it does not spin forever)."""
    good = xlsx_bytes([["external_id", "rep", "day", "metric", "quantity"], ["A", "rep"]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut mid-element
            out.writestr(item, data)
    job = upload(client_for(rep), "activities", damaged.getvalue(), name="day.xlsx")
    assert job.status == ImportJob.Status.CHECKED
    assert job.file_problems == ["The file is not a spreadsheet we can read: save it as XLSX."]
    assert not job.ready
