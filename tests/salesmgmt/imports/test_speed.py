"""5,000 activity rows through the whole import (dry run, then the import), beside a
plain reference: the same 5,000 rows written by one bare ``bulk_create``. Rounds are
interleaved, so a busy machine slows both alike; the figures and their ratio print with
``-s``. The test checks every row arrived, not a time (the machines are shared)."""

import statistics
import time
from datetime import timedelta

from activities.models import Activity, Metric
from salesmgmt.imports.services import check_job, import_job, start_import
from salesmgmt.models import CompanySettings, ImportJob
from tests.salesmgmt.imports.helpers import csv_bytes

ROWS = 5000
ROUNDS = 2
HEADER = ["external_id", "rep", "day", "metric", "quantity", "channel", "note"]


def _import(manager, today, prefix: str) -> float:
    names = ("rep", "teammate")
    rows = [
        [f"{prefix}-{i}", names[i % 2], today - timedelta(days=i % 5), "calls", i % 40, "", ""]
        for i in range(ROWS)
    ]
    data = csv_bytes([HEADER, *rows])
    job = ImportJob.objects.create(user=manager, kind="activities", file_name="big.csv", data=data)
    started = time.perf_counter()
    check_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.counts["create"] == ROWS, job.problems[:3]
    start_import(job=job, by=manager)
    import_job(job_id=job.pk)
    return time.perf_counter() - started


def _reference(reps, today, prefix: str) -> float:
    calls = Metric.objects.get(key="calls")
    started = time.perf_counter()
    Activity.objects.bulk_create(
        Activity(
            rep=reps[i % 2],
            day=today - timedelta(days=i % 5),
            metric=calls,
            quantity=i % 40,
            source="reference",
            external_id=f"{prefix}-{i}",
            created_by=reps[0],
        )
        for i in range(ROWS)
    )
    return time.perf_counter() - started


def test_five_thousand_activity_rows_beside_a_bare_bulk_create(manager, rep, teammate):
    today = CompanySettings.load().today()
    ours, plain = [], []
    for n in range(ROUNDS):
        ours.append(_import(manager, today, f"I{n}"))
        plain.append(_reference([rep, teammate], today, f"R{n}"))
    assert Activity.objects.filter(source="import").count() == ROWS * ROUNDS
    mine, bare = statistics.median(ours), statistics.median(plain)
    print(
        f"\n{ROWS} activity rows, median of {ROUNDS} interleaved rounds: import (dry run and"
        f" import) {mine:.2f} s = {ROWS / mine:.0f} rows/s; bare bulk_create {bare:.2f} s;"
        f" ratio {mine / bare:.1f}x"
    )
