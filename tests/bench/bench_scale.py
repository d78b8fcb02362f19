"""Scale benchmark: the busy paths at company scale, each against its plain reference.

    DATABASE_URL=postgres://... make bench-scale
    DATABASE_URL=postgres://... make bench-scale ARGS="--only monthly_reviews_all --runs 3"

On an empty database it first loads ``seed_scale`` (BENCH_REPS reps, default 2,000, 12
months). Then, for each operation, ours and its reference run interleaved (ours, reference,
ours, ...; median of --runs, at least 7 by default) on the same connection, after one
untimed warm-up of each. Pages go through the whole stack in-process (middleware, views,
templates, production settings: DEBUG off); references are the plain SQL of
tests/bench/scale_references.py, a bare ``values()`` view, or COPY. Prints a table and
writes test-artifacts/bench/scale.json.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench-scale needs PostgreSQL: set DATABASE_URL=postgres://...")
# Production settings, in-process: DEBUG off, static files from a manifest.
os.environ.update(
    DEBUG="0",
    SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-" + uuid.uuid4().hex,
    ALLOWED_HOSTS="127.0.0.1,testserver",
    SECURE_SSL_REDIRECT="0",
    AXES_ENABLED="0",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    API_THROTTLE_USER="1000000/min",
    STATIC_ROOT=tempfile.mkdtemp(prefix="salesmgmt-bench-static-"),
    DJANGO_SETTINGS_MODULE="salesmgmt.settings",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from activities.models import Activity, Metric, Pipeline  # noqa: E402
from reporting.company.selectors import year_before  # noqa: E402
from reporting.models import MonthlyReview  # noqa: E402
from reporting.reviews.services import generate_monthly_reviews  # noqa: E402
from salesmgmt.calendar import month_of, previous_month, quarter_of  # noqa: E402
from salesmgmt.demo.scale.company import PREFIX  # noqa: E402
from salesmgmt.models import CompanySettings, Team, User  # noqa: E402
from tests.bench import scale_references as refs  # noqa: E402

OUT = ROOT / "test-artifacts" / "bench" / "scale.json"
ACTIVITY_FIELDS = (
    "id",
    "rep_id",
    "day",
    "metric__key",
    "quantity",
    "channel__key",
    "product__sku",
    "note",
    "source",
    "external_id",
    "created_by_id",
    "created_at",
    "updated_at",
    "customer_id",
    "deal_id",
    "version",
)


# --- The plain view the activity API is measured against ----------------------------------------


def plain_activities(request):
    """The same rows as the API's page, as ``values()`` in JSON: no serializer, no count."""
    size, page = 50, int(request.GET.get("page", 1))
    rows = (
        Activity.objects.filter(rep__team__manager=request.user)
        .order_by("-day", "metric__position", "pk")
        .values(*ACTIVITY_FIELDS)[(page - 1) * size : page * size]
    )
    return JsonResponse({"results": list(rows)})


urlpatterns = [
    path("bench/activities/", plain_activities),
    path("", include(settings.ROOT_URLCONF)),
]


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    ours_ms: float
    reference_ms: float
    ratio: float
    queries: int
    goal: str
    met: bool
    reference: str


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


class Counter:
    """Counts the statements a block sends (an execute wrapper: no log, no cap)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def interleaved(ours, reference, runs: int, *, before=None) -> tuple[float, float, int]:
    """(median ours ms, median reference ms, queries of one run of ours). The first run of
    each side is an untimed warm-up (caches, plans, table pages); ours counts its queries."""
    counter = Counter()
    for side in (ours, reference):
        if before:
            before()
        if side is ours:
            with connection.execute_wrapper(counter):
                side()
        else:
            side()
    mine, theirs = [], []
    for _ in range(runs):
        if before:
            before()
        mine.append(_ms(ours))
        if before:
            before()
        theirs.append(_ms(reference))
    return statistics.median(mine), statistics.median(theirs), counter.n


def get(client: Client, url: str):
    def go():
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response.content

    return go


def sql(name: str, params: dict):
    return lambda: refs.run(refs.REFERENCES[name], params)


# --- The company measured -----------------------------------------------------------------------


class Context:
    """Who looks and when, and the parameters the references take."""

    def __init__(self):
        company = CompanySettings.load()
        self.today = today = company.today()
        self.week = company.week_of(today)
        month = month_of(today)
        self.admin = User.objects.get(username=f"{PREFIX}admin")
        self.rep = User.objects.get(username=f"{PREFIX}rep.00001")
        # The team dashboard's team: the first with ten reps or more (not the 50).
        sizes = {t.pk: t.reps for t in Team.objects.annotate(reps=Count("members")).order_by("pk")}
        team_id = next(pk for pk, n in sizes.items() if 10 <= n < 50)
        self.team = Team.objects.select_related("manager").get(pk=team_id)
        self.small = User.objects.get(username=f"{PREFIX}manager.001")
        self.large = User.objects.get(username=f"{PREFIX}manager.002")
        self.large_team = Team.objects.get(manager=self.large).pk
        history_start = previous_month(month.start)
        for _ in range(11):
            history_start = previous_month(history_start)
        last = month_of(previous_month(today))
        quarter = quarter_of(today, company.fiscal_year_start_month)
        self.review_month = last.start
        self.common = {
            "as_of": today,
            "week": self.week,
            "start": month.start,
            "end": today,
            "month_start": month.start,
            "month_end": month.end,
            "goals_start": today,
            "goals_end": today,
            "trend_start": self.week - timedelta(weeks=11),
            "history_start": history_start,
            "history_end": month.start - timedelta(days=1),
            "funnel_start": month.start,
            "funnel_end": month.end,
            "funnel_begins": month.start,
            "funnel_ends": month.end + timedelta(days=1),
            "quarter_start": quarter.start,
            "quarter_end": quarter.end,
            "today": today,
            "review_start": last.start,
            "review_end": last.end,
            "pipeline": Pipeline.objects.order_by("position").values_list("pk", flat=True)[0],
            "metric": Metric.objects.get(key="sales-value").pk,
            "team": None,
        }
        self.all_reps = list(User.objects.sales_reps().values_list("pk", flat=True))

    def reps_of(self, team_id: int) -> list[int]:
        return list(User.objects.reps().filter(team=team_id).values_list("pk", flat=True))

    def members_of(self, team_id: int) -> list[int]:
        return list(User.objects.sales_reps().filter(team=team_id).values_list("pk", flat=True))

    def params(self, **extra) -> dict:
        return {**self.common, **extra}


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def page_operations(ctx: Context) -> list[tuple]:
    """(name, ours, reference, goal) for every page measured against plain SQL."""
    team = ctx.team
    team_reps, members = ctx.reps_of(team.pk), ctx.members_of(team.pk)
    rep_team = ctx.rep.team_id
    company = CompanySettings.load()
    month = month_of(ctx.today)
    report_month = month_of(previous_month(ctx.today))
    report_previous = month_of(previous_month(report_month.start))
    report_last_year = month_of(year_before(report_month.start))
    fiscal = date(ctx.today.year, company.fiscal_year_start_month, 1)
    if fiscal > ctx.today:
        fiscal = date(ctx.today.year - 1, fiscal.month, 1)
    span = (ctx.today - month.start).days + 1
    previous_end = month.start - timedelta(days=1)
    twelve = ctx.today.replace(day=1) - timedelta(days=365)
    twelve = twelve.replace(day=1)
    funnel_url = (
        f"/funnel/?scope=company&period=custom&start={twelve}&end={month.end}"
        f"&pipeline={Pipeline.objects.order_by('position').values_list('key', flat=True)[0]}"
    )
    manager, admin = client_for(team.manager), client_for(ctx.admin)
    everyone = ctx.all_reps
    team_params = ctx.params(
        reps=team_reps, members=members, team=team.pk, division=team.division_id
    )
    rep_params = ctx.params(reps=[ctx.rep.pk], members=[ctx.rep.pk], team=None)
    company_params = ctx.params(
        previous_start=previous_end - timedelta(days=span - 1),
        previous_end=previous_end,
        series_start=min(year_before(fiscal), ctx.today - timedelta(days=400)),
    )
    report_params = ctx.params(
        start=report_month.start,
        end=report_month.end,
        previous_start=report_previous.start,
        previous_end=report_previous.end,
        last_year_start=report_last_year.start,
        last_year_end=report_last_year.end,
        begins=report_month.start,
        ends=report_month.end + timedelta(days=1),
        previous_begins=report_previous.start,
        as_of=report_month.end,
        goals_start=report_month.start,
        goals_end=report_month.end,
        month_start=report_month.start,
        members=everyone,
        funnel_start=report_month.start,
        funnel_end=report_month.end,
    )
    funnel_params = ctx.params(
        members=everyone,
        funnel_start=twelve,
        funnel_end=month.end,
        funnel_begins=twelve,
        funnel_ends=month.end + timedelta(days=1),
    )
    board_params = ctx.params(members=ctx.members_of(ctx.large_team))
    # The leaderboard on a rep's dashboard covers their whole team.
    rep_board = ctx.reps_of(rep_team)
    return [
        (
            "team_dashboard",
            get(manager, "/dashboard/team/"),
            sql("team_dashboard", team_params),
            1.5,
        ),
        (
            "rep_dashboard",
            get(client_for(ctx.rep), "/dashboard/"),
            lambda: (
                refs.run(refs.REFERENCES["rep_dashboard"], rep_params),
                refs.run([refs.GOALS, refs.SALES_VALUE], {**rep_params, "reps": rep_board}),
            ),
            1.5,
        ),
        (
            "company_dashboard",
            get(admin, "/company/"),
            sql("company_dashboard", company_params),
            1.5,
        ),
        ("goals_page", get(manager, "/goals/"), sql("goals_page", team_params), 1.5),
        (
            "company_report",
            get(admin, f"/reports/company/{report_month.start:%Y-%m}/"),
            sql("company_report", report_params),
            2.0,
        ),
        (
            "pipeline_board",
            get(client_for(ctx.large), "/pipeline/"),
            sql("pipeline_board", board_params),
            3.0,
        ),
        ("deal_list", get(admin, "/deals/"), sql("deal_list", ctx.params()), 1.5),
        ("funnel_company", get(admin, funnel_url), sql("funnel_company", funnel_params), 1.5),
        ("customer_list", get(admin, "/customers/"), sql("customer_list", ctx.params()), 1.5),
    ]


def api_operations(ctx: Context) -> list[tuple]:
    """The activity API's pages (throughput against a bare values() view)."""
    manager = ctx.large
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_authenticate(manager)
    plain = client_for(manager)

    def fetch(client, url):
        def go():
            response = client.get(url, secure=True)
            assert response.status_code == 200, (url, response.status_code)
            assert len(response.json()["results"]) == 50

        return go

    return [
        (
            "api_activities_page",
            fetch(api, "/api/v1/activities/?page=1"),
            fetch(plain, "/bench/activities/?page=1"),
            0.5,
        ),
        (
            "api_activities_deep_page",
            fetch(api, "/api/v1/activities/?page=500"),
            fetch(plain, "/bench/activities/?page=500"),
            0.5,
        ),
    ]


BULK_SOURCE = "bench-scale"


def bulk_operation(ctx: Context) -> tuple:
    """10,000 activities through POST /api/v1/activities/bulk/ against COPY of the same rows."""
    manager = ctx.large
    reps = ctx.reps_of(ctx.large_team)
    metrics = list(Metric.objects.filter(unit="count").values_list("pk", "key"))
    entries = [
        {
            "rep": reps[i % len(reps)],
            "day": (ctx.today - timedelta(days=1 + i % 20)).isoformat(),
            "metric": metrics[i % len(metrics)][1],
            "quantity": (i % 17) + 1,
            "source": BULK_SOURCE,
            "external_id": f"{BULK_SOURCE}-{i}",
        }
        for i in range(10_000)
    ]
    metric_ids = dict((key, pk) for pk, key in metrics)
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_authenticate(manager)

    def ours():
        response = api.post("/api/v1/activities/bulk/", {"entries": entries}, format="json")
        assert response.status_code == 200, response.content[:500]
        assert response.json()["created"] == 10_000, response.json()

    def reference():
        now = timezone.now().isoformat()
        buffer = io.StringIO()
        for e in entries:
            buffer.write(
                f"{e['rep']}\t{e['day']}\t{metric_ids[e['metric']]}\t{e['quantity']}\t\t"
                f"{e['source']}\t{e['external_id']}\t{now}\t{now}\t{manager.pk}\t1\n"
            )
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                "COPY activities_activity (rep_id, day, metric_id, quantity, note, source,"
                " external_id, created_at, updated_at, created_by_id, version) FROM STDIN",
                buffer,
            )

    def clear():
        Activity.objects.filter(source=BULK_SOURCE).delete()

    return "bulk_ingest_10k", ours, reference, 0.25, clear


def reviews_operation(ctx: Context) -> tuple:
    """The monthly review job for every rep against one INSERT..SELECT of the month's totals."""
    month = ctx.review_month
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_review_totals"
            " (rep_id bigint, metric_id bigint, total numeric)"
        )

    def ours():
        run = generate_monthly_reviews(month=month)
        assert run.built > 0, run

    def reference():
        refs.run([refs.REVIEW_TOTALS], ctx.params())

    def clear():
        MonthlyReview.objects.filter(month=month).delete()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_review_totals")

    return "monthly_reviews_all", ours, reference, 3.0, clear


def query_counts(ctx: Context) -> list[dict]:
    """Queries per page for the manager of a 5-rep and of a 50-rep team (must be equal)."""
    rows = []
    small, large = client_for(ctx.small), client_for(ctx.large)
    for url in ["/dashboard/team/", "/goals/", "/pipeline/", "/plans/team/", "/kpis/", "/deals/"]:
        counts = []
        for client in (small, large):
            client.get(url, secure=True)
            counter = Counter()
            with connection.execute_wrapper(counter):
                assert client.get(url, secure=True).status_code == 200, url
            counts.append(counter.n)
        rows.append({"page": url, "team_of_5": counts[0], "team_of_50": counts[1]})
    return rows


# --- Main ---------------------------------------------------------------------------------------


def seed_when_empty():
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username__startswith=PREFIX).exists():
        reps = int(os.environ.get("BENCH_REPS", "2000"))
        print(f"Empty database: loading seed_scale --reps {reps} --months 12 (a few minutes)")
        call_command("seed_scale", reps=reps, months=12)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per side (default 7).")
    parser.add_argument("--only", nargs="*", help="Operation names to run (default: all).")
    args = parser.parse_args(argv)
    seed_when_empty()
    call_command("collectstatic", interactive=False, verbosity=0)
    ctx = Context()
    reps, activities = len(ctx.all_reps), Activity.objects.count()
    print(f"database {connection.settings_dict['NAME']}: {reps:,} reps, {activities:,} activities")
    wanted = set(args.only or [])

    def chosen(name):
        return not wanted or name in wanted

    operations: list[Operation] = []

    def record(name, ours_ms, ref_ms, queries, goal, reference, throughput=False):
        ratio = ref_ms / ours_ms if throughput else ours_ms / ref_ms
        met = ratio >= goal if throughput else ratio <= goal
        op = Operation(
            name=name,
            ours_ms=round(ours_ms, 1),
            reference_ms=round(ref_ms, 1),
            ratio=round(ratio, 2),
            queries=queries,
            goal=f">= {goal}" if throughput else f"<= {goal}",
            met=met,
            reference=reference,
        )
        operations.append(op)
        print(
            f"{name:26} {op.ours_ms:10.1f} {op.reference_ms:10.1f} {op.ratio:7.2f}"
            f" {op.goal:>7} {'yes' if met else 'NO':>4} {queries:8d}",
            flush=True,
        )

    print(
        f"\n{'operation':26} {'ours ms':>10} {'ref ms':>10} {'ratio':>7} {'goal':>7} {'met':>4}"
        f" {'queries':>8}"
    )
    with override_settings(ROOT_URLCONF=__name__):
        for name, ours, reference, goal in page_operations(ctx):
            if chosen(name):
                mine, theirs, queries = interleaved(ours, reference, args.runs)
                record(name, mine, theirs, queries, goal, "plain SQL")
        for name, ours, reference, goal in api_operations(ctx):
            if chosen(name):
                mine, theirs, queries = interleaved(ours, reference, args.runs)
                record(name, mine, theirs, queries, goal, "values() view", throughput=True)
        for name, ours, reference, goal, clear in (bulk_operation(ctx), reviews_operation(ctx)):
            if chosen(name):
                mine, theirs, queries = interleaved(ours, reference, args.runs, before=clear)
                clear()
                throughput = name == "bulk_ingest_10k"
                kind = "COPY" if throughput else "INSERT..SELECT"
                record(name, mine, theirs, queries, goal, kind, throughput=throughput)
        counts = query_counts(ctx) if chosen("query_counts") else []
    for row in counts:
        equal = "equal" if row["team_of_5"] == row["team_of_50"] else "DIFFERENT"
        print(
            f"queries {row['page']:20} team of 5: {row['team_of_5']:3d}"
            f"  team of 50: {row['team_of_50']:3d}  {equal}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "reps": reps,
                "activities": activities,
                "runs": args.runs,
                "operations": [asdict(op) for op in operations],
                "query_counts": counts,
            },
            indent=2,
        )
    )
    print(f"\nwritten {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
