"""Benchmark: how fast the busy paths are on demo-sized data. Prints figures.

    make bench                      # SQLite in a temporary folder
    DATABASE_URL=postgres://... make bench

It builds a fresh database with the demo company, then times (median of
several runs) the pages managers and reps open most, and the bulk ingest of
10,000 activities (first send and an identical re-send).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
_tmp = tempfile.mkdtemp(prefix="salesmgmt-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesmgmt.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from activities.models import Activity, Metric  # noqa: E402
from salesmgmt.models import CompanySettings, User  # noqa: E402


def timed(fn, runs=7):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def page(client, url):
    def go():
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
        b"".join(response) if response.streaming else response.content

    reset_queries()  # the debug query log is capped at 9,000 entries
    with CaptureQueriesContext(connection) as queries:
        go()
    median, best = timed(go)
    return median, best, len(queries)


def main():
    print(f"database: {connection.vendor}  ({os.environ['DATABASE_URL'].split('@')[-1]})")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    print(
        f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s; "
        f"{User.objects.count()} users, {Activity.objects.count():,} activities"
    )

    manager = User.objects.get(username="manager")
    rep = User.objects.get(username="rep")
    director = User.objects.get(username="director")
    rows = []
    for who, user, urls in [
        ("manager", manager, ["/plans/team/", "/plans/", "/activities/", "/activities/log/"]),
        ("manager", manager, ["/dashboard/team/", "/goals/", "/kpis/", "/kpis/alerts/"]),
        ("manager", manager, ["/reviews/", "/reviews/team/", "/commissions/"]),
        ("director", director, ["/plans/", "/activities/?export=csv"]),
        ("director", director, ["/company/", "/reports/company/", "/reviews/division/"]),
        ("rep", rep, ["/", "/plans/week/", "/activities/log/", "/activities/"]),
        ("rep", rep, ["/dashboard/", "/goals/"]),
    ]:
        client = Client()
        client.force_login(user)
        for url in urls:
            if url == "/plans/week/":
                company = CompanySettings.load()
                url = f"/plans/week/{company.week_of(company.today()).isoformat()}/"
                plan = rep.weekly_plans.filter(week_start=url.split("/")[3]).first()
                if plan:
                    url = f"/plans/{plan.pk}/"
            median, best, queries = page(client, url)
            rows.append((who, url, median, best, queries))

    print(f"\n{'who':9} {'page':34} {'median ms':>10} {'best ms':>8} {'queries':>8}")
    for who, url, median, best, queries in rows:
        print(f"{who:9} {url:36} {median:10.1f} {best:8.1f} {queries:8d}")

    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_authenticate(manager)
    reps = list(User.objects.reps().filter(team__manager=manager).values_list("pk", flat=True))
    metric_keys = list(Metric.objects.filter(unit="count").values_list("key", flat=True))
    today = CompanySettings.load().today()
    entries = [
        {
            "rep": reps[i % len(reps)],
            "day": (today - timedelta(days=i % 10)).isoformat(),
            "metric": metric_keys[i % len(metric_keys)],
            "quantity": (i % 17) + 1,
            "source": "bench-dialer",
            "external_id": f"bench-{i}",
        }
        for i in range(10_000)
    ]
    print("\nbulk ingest of 10,000 activities (POST /api/v1/activities/bulk/)")
    for label in ("first send", "identical re-send"):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json")
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content[:500]
        print(
            f"  {label:18} {elapsed * 1000:8.0f} ms  {10_000 / elapsed:8.0f} rows/s  "
            f"{len(queries):4d} queries  -> {response.json()}"
        )


if __name__ == "__main__":
    main()
