"""Activities from a spreadsheet, through the pages: template, dry run, import,
re-import, update by external_id, XLSX, scoping, export round trip."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity, ActivityChange, ActivitySource, Metric
from salesmgmt.imports import registry
from salesmgmt.imports.registry import Row
from salesmgmt.imports.services import start_import
from salesmgmt.jobs import check_import_job_task, import_job_task
from salesmgmt.models import CompanySettings
from tests.factories.api import CustomerFactory
from tests.salesmgmt.imports.helpers import (
    csv_bytes,
    problems,
    read_csv,
    read_csv_bytes,
    read_xlsx,
    run,
    upload,
    xlsx_bytes,
)

HEADER = [
    "external_id",
    "rep",
    "day",
    "metric",
    "quantity",
    "channel",
    "product",
    "customer",
    "note",
]


@pytest.fixture
def today(db):
    return CompanySettings.load().today()


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


def rows(today, n=3, rep="rep", metric="calls"):
    return [
        [
            f"X-{i}",
            rep,
            (today - timedelta(days=i % 3)).isoformat(),
            metric,
            str(i + 1),
            "",
            "",
            "",
            "",
        ]
        for i in range(n)
    ]


def test_templates_parse_back_with_help_sheet(client_for, rep):
    client = client_for(rep)
    got = read_csv(client.get(reverse("imports:template", args=["activities", "csv"])))
    assert got[0] == HEADER and len(got) == 2
    response = client.get(reverse("imports:template", args=["activities", "xlsx"]))
    assert read_xlsx(response)[0] == HEADER
    help_sheet = read_xlsx(response, sheet=1)
    assert [r[0] for r in help_sheet[1:]] == HEADER
    metric_row = next(r for r in help_sheet if r[0] == "metric")
    assert "calls" in metric_row[3]  # the allowed metric keys


def test_rep_imports_own_day_log_then_reimport_changes_nothing(client_for, rep, today, calls):
    client = client_for(rep)
    data = csv_bytes([HEADER, *rows(today)])
    job = upload(client, "activities", data)
    assert job.status == "checked" and job.problems == []
    assert job.counts == {"create": 3, "update": 0, "unchanged": 0, "invalid": 0}
    assert Activity.objects.count() == 0  # the dry run writes nothing
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-run"' in page

    job = run(client, job)
    assert job.status == "done" and job.counts["create"] == 3
    stored = Activity.objects.filter(rep=rep)
    assert sorted(a.quantity for a in stored) == [1, 2, 3]
    assert {a.source for a in stored} == {ActivitySource.IMPORT}
    assert ActivityChange.objects.filter(action="created").count() == 3
    assert "Imported" in client.get(reverse("imports:job", args=[job.pk])).content.decode()

    again = upload(client, "activities", data)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "invalid": 0}
    run(client, again)
    assert Activity.objects.count() == 3


def test_update_by_external_id(client_for, rep, today, calls):
    client = client_for(rep)
    run(client, upload(client, "activities", csv_bytes([HEADER, *rows(today, 2)])))
    changed = rows(today, 2)
    changed[1][4] = "40"
    changed[1][8] = "after the fair"
    job = upload(client, "activities", csv_bytes([HEADER, *changed]))
    assert job.counts == {"create": 0, "update": 1, "unchanged": 1, "invalid": 0}
    run(client, job)
    row = Activity.objects.get(external_id="X-1")
    assert (row.quantity, row.note, row.version) == (Decimal(40), "after the fair", 2)
    assert ActivityChange.objects.filter(action="updated", activity=row).count() == 1


def test_dry_run_names_every_bad_row_and_column_and_nothing_is_written(
    client_for, manager, rep, other_team_rep, today, calls
):
    client = client_for(manager)
    bad = [
        HEADER,
        ["A-1", "rep", today.isoformat(), "calls", "3", "", "", "", ""],  # fine
        ["A-2", "other_rep", today.isoformat(), "calls", "3", "", "", "", ""],  # not their rep
        ["A-3", "rep", "31/12/2026", "nope", "-2", "", "", "", ""],  # day, metric, quantity
        ["A-4", "rep", (today + timedelta(days=2)).isoformat(), "calls", "1", "", "", "", ""],
        [
            "A-1",
            "rep",
            (today + timedelta(days=2)).isoformat(),
            "calls",
            "1",
            "fax",
            "",
            "Nobody Ltd",
            "",
        ],
        ["A-6", "", today.isoformat(), "calls", "1.234", "", "", "", "x" * 201],
    ]
    job = upload(client, "activities", csv_bytes(bad))
    assert problems(job) == {
        (3, "rep"),
        (4, "day"),
        (4, "metric"),
        (4, "quantity"),
        (5, "day"),
        (6, "external_id"),
        (6, "day"),
        (6, "channel"),
        (6, "customer"),
        (7, "rep"),
        (7, "quantity"),
        (7, "note"),
    }
    assert job.counts["invalid"] == 5 and job.counts["create"] == 1
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-run"' not in page and "Repeats the external_id of row 2" in page
    # The import is refused: nothing is written, not even the good row.
    client.post(reverse("imports:run", args=[job.pk]))
    assert Activity.objects.count() == 0
    job.refresh_from_db()
    assert job.status == "checked"


def test_xlsx_with_dates_and_numbers(client_for, rep, today, calls):
    client = client_for(rep)
    data = xlsx_bytes([HEADER, ["X-1", "", today, "calls", 7, None, None, None, None]])
    job = upload(client, "activities", data, name="log.xlsx")
    assert job.problems == [] and job.counts["create"] == 1
    run(client, job)
    assert Activity.objects.get().quantity == 7


def test_semicolon_csv_with_bom_and_customer_by_name(client_for, rep, today, calls):
    acme = CustomerFactory(owner=rep, name="Acme")
    client = client_for(rep)
    data = csv_bytes(
        [["day", "metric", "quantity", "customer"], [today.isoformat(), "calls", "2", "acme"]],
        delimiter=";",
        bom=True,
    )
    job = upload(client, "activities", data)
    assert job.problems == [] and job.file_problems == []
    run(client, job)
    assert Activity.objects.get().customer == acme


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\r\n,,\r\n", "a.csv", "The file is empty"),
        (b"%PDF-1.4 \x00\x01", "a.pdf", "is not a CSV or XLSX file"),
        (b"day,metric,colour\n2026-01-01,calls,red\n", "a.csv", "Unknown columns: colour"),
        (b"day,metric\n2026-01-01,calls\n", "a.csv", "Required columns missing: quantity"),
        (b"day,metric,quantity\n", "a.csv", "no rows under its header"),
    ],
)
def test_file_problems(client_for, rep, content, name, message):
    client = client_for(rep)
    job = upload(client, "activities", content, name=name)
    assert any(message in p for p in job.file_problems), job.file_problems
    assert message in client.get(reverse("imports:job", args=[job.pk])).content.decode()


def test_an_empty_upload_is_a_form_error(client_for, rep):
    response = client_for(rep).post(
        reverse("imports:upload", args=["activities"]),
        {"file": SimpleUploadedFile("a.csv", b"")},
    )
    assert (
        response.status_code == 200 and "The submitted file is empty" in response.content.decode()
    )


def test_scoping_per_role(client_for, cast, today, calls):
    """Each role imports rows for the reps it may write, and no one else's."""
    line = [today.isoformat(), "calls", "1"]
    header = ["external_id", "rep", "day", "metric", "quantity"]
    expected = {
        "rep": {"rep"},
        "manager": {"rep", "teammate"},
        "director": {"rep", "teammate", "other_rep"},
        "admin": {"rep", "teammate", "other_rep", "south_rep"},
    }
    reps = ["rep", "teammate", "other_rep", "south_rep"]
    for role, allowed in expected.items():
        client = client_for(cast[role])
        data = csv_bytes([header, *([f"{role}-{r}", r, *line] for r in reps)])
        job = upload(client, "activities", data)
        refused = {reps[p["row"] - 2] for p in job.problems}
        assert refused == set(reps) - allowed, role


def test_job_pages_are_their_creators_only(
    client, client_for, rep, teammate, manager, today, calls
):
    job = upload(client_for(rep), "activities", csv_bytes([HEADER, *rows(today, 1)]))
    for outsider in (teammate, manager):
        other = client_for(outsider)
        for name in ("imports:job", "imports:progress"):
            assert other.get(reverse(name, args=[job.pk])).status_code == 404
        assert other.post(reverse("imports:run", args=[job.pk])).status_code == 404
    assert not Activity.objects.exists()


def test_progress_json_and_fragment(client_for, rep, today, calls):
    client = client_for(rep)
    job = upload(client, "activities", csv_bytes([HEADER, *rows(today, 2)]))
    got = client.get(reverse("imports:progress", args=[job.pk]), {"format": "json"}).json()
    assert got["status"] == "checked" and got["processed"] == got["total"] == 2
    assert got["percent"] == 100 and got["counts"]["create"] == 2
    job.status, job.processed_rows = "checking", 1
    job.save()
    fragment = client.get(reverse("imports:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="50"' in fragment
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-progress"' in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_imports_back_unchanged(client_for, manager, rep, teammate, today, calls, fmt):
    acme = CustomerFactory(owner=rep, name="Acme", external_id="ERP-1")
    Activity.objects.create(rep=rep, day=today, metric=calls, quantity=5, created_by=rep)
    Activity.objects.create(
        rep=teammate, day=today, metric=calls, quantity=Decimal("2.50"), customer=acme,
        created_by=manager, source="api", external_id="=SUM(A1)", note="+44 20",
    )  # fmt: skip
    client = client_for(manager)
    response = client.get(reverse("activities:list"), {"export": f"sheet-{fmt}"})
    data = response.content if fmt == "xlsx" else b"".join(response.streaming_content)
    body = read_csv_bytes(data) if fmt == "csv" else read_xlsx(response)
    assert body[0] == HEADER and len(body) == 3
    job = upload(client, "activities", data, name=f"export.{fmt}")
    assert job.problems == []
    assert job.counts == {"create": 0, "update": 0, "unchanged": 2, "invalid": 0}


def test_export_respects_filters_and_scope(client_for, rep, other_team_rep, today, calls):
    Activity.objects.create(rep=rep, day=today, metric=calls, quantity=5, created_by=rep)
    Activity.objects.create(
        rep=other_team_rep, day=today, metric=calls, quantity=5, created_by=other_team_rep
    )
    body = read_csv(client_for(rep).get(reverse("activities:list"), {"export": "sheet-csv"}))
    assert [r[1] for r in body[1:]] == ["rep"]


def test_check_and_export_queries_are_constant(
    client_for, manager, rep, today, calls, django_assert_max_num_queries
):

    importer = registry.get("activities")
    for n in (5, 200):
        sheet = [
            Row(i + 2, dict(zip(HEADER, r, strict=True))) for i, r in enumerate(rows(today, n))
        ]
        with django_assert_max_num_queries(8):
            check = importer.check(sheet, manager)
        assert check.counts["create"] == n
    client = client_for(manager)
    run(client, upload(client, "activities", csv_bytes([HEADER, *rows(today, 50)])))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("activities:list"), {"export": "sheet-xlsx"})
    assert len(read_xlsx(response)) == 51


def test_tasks_called_directly_are_idempotent(client_for, rep, today, calls):

    job = upload(client_for(rep), "activities", csv_bytes([HEADER, *rows(today, 2)]))
    check_import_job_task(job.pk)  # checked already: nothing happens
    job.refresh_from_db()
    assert job.status == "checked"
    start_import(job=job, by=rep)
    import_job_task(job.pk)
    import_job_task(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and Activity.objects.count() == 2


def test_jobs_list_shows_own_imports_only(client_for, rep, teammate, today, calls):
    upload(client_for(rep), "activities", csv_bytes([HEADER, *rows(today, 1)]), name="mine.csv")
    assert "mine.csv" in client_for(rep).get(reverse("imports:list")).content.decode()
    assert "mine.csv" not in client_for(teammate).get(reverse("imports:list")).content.decode()
