"""5,000 activity rows import in seconds, not minutes (the figure is printed with -s)."""

import time
from datetime import timedelta

from activities.models import Activity
from salesmgmt.imports.services import check_job, import_job, start_import
from salesmgmt.models import CompanySettings, ImportJob
from tests.salesmgmt.imports.helpers import csv_bytes

ROWS = 5000


def test_five_thousand_activity_rows(manager, rep, teammate):
    today = CompanySettings.load().today()
    header = ["external_id", "rep", "day", "metric", "quantity", "channel", "note"]
    rows = [
        [
            f"B-{i}",
            ("rep", "teammate")[i % 2],
            today - timedelta(days=i % 5),
            "calls",
            i % 40,
            "",
            "",
        ]
        for i in range(ROWS)
    ]
    data = csv_bytes([header, *rows])
    job = ImportJob.objects.create(user=manager, kind="activities", file_name="big.csv", data=data)
    started = time.perf_counter()
    check_job(job_id=job.pk)
    checked = time.perf_counter()
    job.refresh_from_db()
    assert job.counts["create"] == ROWS, job.problems[:3]
    start_import(job=job, by=manager)
    import_job(job_id=job.pk)
    done = time.perf_counter()
    assert Activity.objects.count() == ROWS
    total = done - started
    print(
        f"\n{ROWS} activity rows: dry run {checked - started:.2f} s, import {done - checked:.2f} s,"
        f" {ROWS / total:.0f} rows/s end to end"
    )
    assert total < 60
