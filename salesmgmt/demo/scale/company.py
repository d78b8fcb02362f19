"""A company at the scale the product is built for (``manage.py seed_scale``).

``ScaleCompany(reps=2000, months=12, seed=7).load()`` writes a deterministic company:
divisions of about 200 reps, teams of 6 to 24 with one team of 5 and one of 50, a
manager per team, a director per division, an admin; and for each rep, over the last
``months`` whole months and this one: an activity row per metric per working day
(sales on some days), a weekly plan per week with its targets, monthly goals (rep,
team, division, company, and a company year goal), customers, deals walked through
their pipeline's stages (won deals write their sale rows, as the deal services do) and
tasks, and the monthly review of every past month.

Volume is what the benchmark needs, not realism: quantities follow each rep's skill
and the day's noise. Rows go in through PostgreSQL COPY (text format, in chunks) or,
elsewhere, batched ``bulk_create``; ids of the tables others point at are assigned
here, and the sequences are reset afterwards.
"""

import random
import time
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection

from activities.models import (
    Activity,
    Channel,
    Customer,
    Deal,
    LostReason,
    Metric,
    Pipeline,
    Product,
    StageTransition,
    Task,
)
from plans.models import Goal, GoalPeriod, GoalScope, PlanStatus, PlanTarget, WeeklyPlan
from reporting.reviews.services import build_monthly_reviews, reps_to_review
from salesmgmt.demo.catalogue import PRODUCTS
from salesmgmt.demo.scale.crm import load_crm, load_tasks
from salesmgmt.demo.scale.writer import TableWriter, next_id
from salesmgmt.models import CompanySettings, Division, Role, Team, User

PASSWORD = "scale-pass-2026"
PREFIX = "scale."  # every scale user's username starts with it
DIVISION_SIZE = 200  # reps per division, about
# metric key -> (channel key or None, mean per working day at full skill)
DAILY = {
    "calls": ("outbound-phone", 38.0),
    "contacts": ("outbound-phone", 14.0),
    "leads": ("inbound-phone", 4.0),
    "appointments-set": (None, 3.0),
    "appointments-held": ("field-visit", 2.4),
    "meetings": (None, 1.6),
}
SALES_DAY_SHARE = 0.2  # hand-logged sales (walk-ins, counter sales) on about one day in five
FIRST = (
    "Ana",
    "Budi",
    "Chris",
    "Dewi",
    "Eleni",
    "Felix",
    "Gita",
    "Hana",
    "Ivan",
    "Joko",
    "Kostas",
    "Lina",
    "Maria",
    "Nico",
    "Olga",
    "Putu",
    "Rizal",
    "Sofia",
    "Tomas",
    "Yanni",
)
LAST = (
    "Santos",
    "Wijaya",
    "Papadopoulos",
    "Reyes",
    "Kusuma",
    "Georgiou",
    "Cruz",
    "Hartono",
    "Nikolaou",
    "Garcia",
    "Lestari",
    "Dimitriou",
    "Mendoza",
    "Saputra",
    "Ioannou",
    "Bautista",
)


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, rows: int, seconds: float) -> None:
        self.rows[name] = self.rows.get(name, 0) + rows
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def team_sizes(reps: int, rng: random.Random) -> list[int]:
    """Team sizes adding up to ``reps``: one team of 5 and one of 50 (when there are reps
    enough), the rest 6 to 24; a remainder under 5 joins the last regular team."""
    sizes = [5, 50] if reps >= 55 else [reps]
    while sum(sizes) < reps:
        sizes.append(min(rng.randint(6, 24), reps - sum(sizes)))
    if len(sizes) > 3 and sizes[-1] < 5:
        remainder = sizes.pop()
        sizes[-1] += remainder
    return sizes


class ScaleCompany:
    def __init__(self, *, reps: int, months: int, seed: int, out=None):
        self.reps, self.months, self.seed = reps, months, seed
        self.rng = random.Random(seed)
        self.out = out
        self.counts = Counts()
        self.company = CompanySettings.load()
        self.today = self.company.today()
        first = self.today.replace(day=1)
        for _ in range(months):
            first = (first - timedelta(days=1)).replace(day=1)
        self.start = first
        self.days = [
            self.start + timedelta(days=n)
            for n in range((self.today - self.start).days + 1)
            if (self.start + timedelta(days=n)).weekday() < 5
        ]
        self.now = datetime.now(UTC)
        self.writer = TableWriter(self.now)
        self.zone = self.company.tzinfo

    # --- helpers ---------------------------------------------------------------------------

    def _timed(self, name: str, model, fields: list[str], rows: Iterable[tuple]) -> int:
        began = time.perf_counter()
        written = self.writer.write(model, fields, rows)
        self.counts.add(name, written, time.perf_counter() - began)
        if self.out:
            self.out(f"  {name:<18} {written:>10,} rows  {time.perf_counter() - began:6.1f} s")
        return written

    def _at(self, day: date, hour: float) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(hours=hour)

    # --- the company ---------------------------------------------------------------------------

    def load(self) -> Counts:
        self._catalogue()
        self._people()
        self._activity()
        self._plans()
        self._goals()
        load_crm(self)
        load_tasks(self)
        self.writer.reset_sequences(
            User,
            Team,
            Division,
            Customer,
            Deal,
            WeeklyPlan,
            Activity,
            PlanTarget,
            Goal,
            StageTransition,
            Task,
        )
        if self.writer.copy:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._reviews()
        return self.counts

    def _reviews(self) -> None:
        """The monthly review of every past month, as the monthly job builds them (set-wise,
        without telling the managers: they are history)."""
        began, built = time.perf_counter(), 0
        for first, _last in self._months()[:-1]:
            reps = list(reps_to_review(first).order_by("pk"))
            after = self._at((first + timedelta(days=32)).replace(day=1), 6)
            built += len(build_monthly_reviews(reps=reps, month=first, now=after))
        self.counts.add("monthly reviews", built, time.perf_counter() - began)
        if self.out:
            self.out(
                f"  {'monthly reviews':<18} {built:>10,} rows  {time.perf_counter() - began:6.1f} s"
            )

    def _catalogue(self) -> None:
        self.metrics = {m.key: m.pk for m in Metric.objects.all()}
        missing = (set(DAILY) | {"sales-closed", "sales-value"}) - set(self.metrics)
        if missing:
            raise LookupError(f"Metrics missing from the catalogue: {', '.join(sorted(missing))}")
        self.channels = {c.key: c.pk for c in Channel.objects.all()}
        for sku, name, _, _ in PRODUCTS:
            Product.objects.get_or_create(sku=sku, defaults={"name": name})
        self.products = [
            (p.pk, low, high)
            for (sku, _, low, high) in PRODUCTS
            for p in Product.objects.filter(sku=sku)
        ]
        self.pipelines = {}
        for pipeline in Pipeline.objects.prefetch_related("stages"):
            stages = sorted(pipeline.stages.all(), key=lambda s: s.position)
            self.pipelines[pipeline.pk] = stages
        self.new_business = Pipeline.objects.get(key="new-business").pk
        self.lost_reasons = list(LostReason.objects.values_list("pk", flat=True))

    def _people(self) -> None:
        rng = self.rng
        password = make_password(PASSWORD)
        joined = self._at(self.start, 9) - timedelta(days=30)
        sizes = team_sizes(self.reps, rng)
        divisions = max(1, round(self.reps / DIVISION_SIZE))
        division_ids = list(range(next_id(Division), next_id(Division) + divisions))
        Division.objects.bulk_create(
            [Division(pk=pk, name=f"Division {n + 1:02}") for n, pk in enumerate(division_ids)]
        )
        user_id = next_id(User)

        def user(pk, username, role, **extra):
            first, last = FIRST[pk % len(FIRST)], LAST[(pk // len(FIRST)) % len(LAST)]
            return User(
                pk=pk,
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
                role=role,
                password=password,
                date_joined=joined,
                **extra,
            )

        people = [user(user_id, f"{PREFIX}admin", Role.ADMIN, is_staff=True, is_superuser=True)]
        self.admin = user_id
        user_id += 1
        for n, division in enumerate(division_ids):
            people.append(
                user(user_id, f"{PREFIX}director.{n + 1:02}", Role.DIRECTOR, division_id=division)
            )
            user_id += 1
        team_id = next_id(Team)
        teams, self.team_reps, self.team_division = [], {}, {}
        managers = {}
        for n in range(len(sizes)):
            managers[team_id + n] = user_id
            people.append(user(user_id, f"{PREFIX}manager.{n + 1:03}", Role.MANAGER))
            user_id += 1
        User.objects.bulk_create(people)
        for n in range(len(sizes)):
            pk = team_id + n
            division = division_ids[n * divisions // len(sizes)]
            teams.append(
                Team(
                    pk=pk,
                    name=f"Scale team {n + 1:03}",
                    division_id=division,
                    manager_id=managers[pk],
                )
            )
            self.team_division[pk] = division
        Team.objects.bulk_create(teams)
        focus = [
            self.metrics[k] for k in ("calls", "appointments-set", "sales-closed", "sales-value")
        ]
        Team.focus_metrics.through.objects.bulk_create(
            [Team.focus_metrics.through(team_id=t.pk, metric_id=m) for t in teams for m in focus]
        )
        self.managers = managers
        reps, self.rep_team, self.skill = [], {}, {}
        for n, size in enumerate(sizes):
            for _ in range(size):
                reps.append(
                    user(user_id, f"{PREFIX}rep.{len(reps) + 1:05}", Role.REP, team_id=team_id + n)
                )
                self.team_reps.setdefault(team_id + n, []).append(user_id)
                self.rep_team[user_id] = team_id + n
                self.skill[user_id] = rng.uniform(0.6, 1.3)
                user_id += 1
        User.objects.bulk_create(reps, batch_size=1000)
        self.rep_ids = [r.pk for r in reps]
        self.counts.add("users", len(people) + len(reps), 0.0)
        self.counts.add("teams", len(teams), 0.0)
        self.counts.add("divisions", divisions, 0.0)

    def _activity(self) -> None:
        """An activity row per metric per working day for each rep; sales on some days."""
        rng, metrics, channels = self.rng, self.metrics, self.channels
        daily = [
            (metrics[key], channels.get(channel) if channel else None, mean)
            for key, (channel, mean) in DAILY.items()
        ]
        closed, value = metrics["sales-closed"], metrics["sales-value"]
        walk_in = channels.get("walk-in")
        products = self.products

        def rows():
            for rep in self.rep_ids:
                skill = self.skill[rep]
                for day in self.days:
                    noise = rng.uniform(0.7, 1.3) * skill
                    for metric, channel, mean in daily:
                        yield (
                            rep,
                            day,
                            metric,
                            Decimal(int(mean * noise + 0.5)),
                            channel,
                            None,
                            rep,
                        )
                    if rng.random() < SALES_DAY_SHARE:
                        product, low, high = products[rng.randrange(len(products))]
                        yield (rep, day, closed, Decimal(1), walk_in, product, rep)
                        yield (
                            rep,
                            day,
                            value,
                            Decimal(rng.randint(low, high)),
                            walk_in,
                            product,
                            rep,
                        )

        fields = [
            "rep_id",
            "day",
            "metric_id",
            "quantity",
            "channel_id",
            "product_id",
            "created_by_id",
        ]
        self._timed("activities", Activity, fields, rows())

    def _plans(self) -> None:
        """A weekly plan per rep per company week, approved (the current one submitted)."""
        weeks = sorted({self.company.week_of(d) for d in self.days})
        current = self.company.week_of(self.today)
        plan_id = next_id(WeeklyPlan)
        targets_of = [(self.metrics[k], mean * 5) for k, (_, mean) in DAILY.items()]

        plan_rows, target_rows = [], []
        for rep in self.rep_ids:
            manager, skill = self.managers[self.rep_team[rep]], self.skill[rep]
            for week in weeks:
                submitted = self._at(week, 8)
                is_current = week == current
                plan_rows.append(
                    (
                        plan_id,
                        rep,
                        week,
                        PlanStatus.SUBMITTED if is_current else PlanStatus.APPROVED,
                        submitted,
                        None if is_current else submitted + timedelta(hours=5),
                        None if is_current else manager,
                    )
                )
                for metric, weekly in targets_of:
                    target_rows.append((plan_id, metric, Decimal(int(weekly * skill + 0.5))))
                plan_id += 1
        self._timed(
            "weekly plans",
            WeeklyPlan,
            [
                "id",
                "rep_id",
                "week_start",
                "status",
                "submitted_at",
                "reviewed_at",
                "reviewed_by_id",
            ],
            plan_rows,
        )
        self._timed("plan targets", PlanTarget, ["plan_id", "metric_id", "planned"], target_rows)

    def _months(self) -> list[tuple[date, date]]:
        months, first = [], self.start
        while first <= self.today:
            last = first.replace(day=monthrange(first.year, first.month)[1])
            months.append((first, last))
            first = last + timedelta(days=1)
        return months

    def _goals(self) -> None:
        """Monthly goals for every rep, team and division and the company; a year goal."""
        closed, value = self.metrics["sales-closed"], self.metrics["sales-value"]
        per_rep = 22 * SALES_DAY_SHARE * 2_500 * 1.6  # a rep's month of hand-logged sales, and more
        division_size: dict[int, int] = {}
        for team, members in self.team_reps.items():
            division = self.team_division[team]
            division_size[division] = division_size.get(division, 0) + len(members)
        rows = []

        def goal(scope, owner, metric, period, start, end, target):
            # (scope, rep, team, division): the owner goes in its scope's column
            owners = {GoalScope.REP: 0, GoalScope.TEAM: 1, GoalScope.DIVISION: 2}
            columns = [None, None, None]
            if scope in owners:
                columns[owners[scope]] = owner
            rows.append(
                (scope, *columns, metric, period, start, end, Decimal(int(target)), self.admin)
            )

        for start, end in self._months():
            for rep in self.rep_ids:
                goal(GoalScope.REP, rep, value, GoalPeriod.MONTH, start, end, per_rep)
                goal(GoalScope.REP, rep, closed, GoalPeriod.MONTH, start, end, 8)
            for team, members in self.team_reps.items():
                goal(
                    GoalScope.TEAM,
                    team,
                    value,
                    GoalPeriod.MONTH,
                    start,
                    end,
                    per_rep * len(members),
                )
            for division, size in division_size.items():
                goal(
                    GoalScope.DIVISION,
                    division,
                    value,
                    GoalPeriod.MONTH,
                    start,
                    end,
                    per_rep * size,
                )
            goal(GoalScope.COMPANY, None, value, GoalPeriod.MONTH, start, end, per_rep * self.reps)
        year = self.today.replace(month=1, day=1)
        goal(
            GoalScope.COMPANY,
            None,
            value,
            GoalPeriod.YEAR,
            year,
            year.replace(month=12, day=31),
            per_rep * 12 * self.reps,
        )
        fields = ["scope", "rep_id", "team_id", "division_id", "metric_id", "period", "start", "end",
                  "target", "created_by_id"]  # fmt: skip
        self._timed("goals", Goal, fields, rows)
