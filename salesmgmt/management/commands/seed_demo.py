"""Load a believable demo company: people, teams, twelve weeks of plans and activity.

Running it again changes nothing: once the demo's ``admin`` user exists the
command says so and stops. It never deletes anything.

Numbers come from a fixed random seed, so two fresh databases get the same
company; dates are relative to today (the company's today), so the demo always
shows the current week in progress.
"""

import random
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, ActivityChange, Channel, Metric, Product
from plans.models import PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from salesmgmt.models import (
    CompanySettings,
    Division,
    RepFunction,
    Role,
    SalesModel,
    Team,
    User,
    Weekday,
)

PASSWORD = "demo-pass-2026"
SEED = 42
WEEKS = 12  # eleven past weeks and the current one
MARKER_USERNAME = "admin"

# --- The company -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        local = f"{self.first_name}.{self.last_name}".lower()
        return "".join(c for c in local if c.isalnum() or c == ".") + "@example.com"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    division: str
    sales_model: str
    manager: Person
    focus: tuple[str, ...]
    reps: tuple[tuple[str, str, str], ...]  # first name, last name, rep function


G, SDR, AE, CSM = (
    RepFunction.GENERALIST,
    RepFunction.SDR,
    RepFunction.ACCOUNT_EXECUTIVE,
    RepFunction.CUSTOMER_SUCCESS,
)

ADMIN = Person("admin", "Alex", "Morgan")
DIRECTORS = {
    "North": Person("director", "Helen", "Carter"),
    "South": Person("director.south", "Marcus", "Bell"),
}
# The first rep of the first team signs in as plain "rep"; its manager as "manager".
TEAMS = (
    TeamSpec(
        "Harbour",
        "North",
        SalesModel.ISLAND,
        Person("manager", "Megan", "Foster"),
        (
            "calls",
            "contacts",
            "appointments-set",
            "appointments-held",
            "sales-closed",
            "sales-value",
        ),
        (
            ("Rita", "Alvarez", G),
            ("Tom", "Becker", G),
            ("Priya", "Nair", G),
            ("Jamal", "Wright", G),
            ("Chloe", "Martin", G),
            ("Diego", "Santos", G),
            ("Hannah", "Kim", G),
            ("Owen", "Fletcher", G),
        ),
    ),
    TeamSpec(
        "Ridge",
        "North",
        SalesModel.ASSEMBLY_LINE,
        Person("manager.ridge", "Daniel", "Okafor"),
        ("calls", "appointments-set", "proposals", "sales-closed", "sales-value", "upsells"),
        (
            ("Sofia", "Rossi", SDR),
            ("Liam", "O'Connor", SDR),
            ("Aisha", "Bello", SDR),
            ("Ethan", "Clarke", AE),
            ("Mei", "Chen", AE),
            ("Lucas", "Weber", AE),
            ("Grace", "Mbeki", CSM),
        ),
    ),
    TeamSpec(
        "Delta",
        "South",
        SalesModel.ISLAND,
        Person("manager.delta", "Laura", "Jensen"),
        ("calls", "contacts", "appointments-held", "proposals", "sales-closed"),
        (
            ("Carlos", "Mendoza", G),
            ("Emma", "Johansson", G),
            ("Kwame", "Asante", G),
            ("Olivia", "Brooks", G),
            ("Ravi", "Shah", G),
            ("Zoe", "Turner", G),
            ("Mateo", "Garcia", G),
            ("Lily", "Nguyen", G),
        ),
    ),
    TeamSpec(
        "Mesa",
        "South",
        SalesModel.ASSEMBLY_LINE,
        Person("manager.mesa", "Victor", "Reyes"),
        ("leads", "appointments-set", "sales-closed", "sales-value", "upsells"),
        (
            ("Ben", "Howard", SDR),
            ("Fatima", "Haddad", SDR),
            ("Jack", "Murphy", SDR),
            ("Nadia", "Petrova", AE),
            ("Samuel", "Adeyemi", AE),
            ("Isla", "Campbell", AE),
            ("Yuki", "Tanaka", CSM),
        ),
    ),
)

# How each rep behaves against their own plan; spread so every team has a mix.
STYLES = ("steady", "volatile", "improving", "steady", "lagging", "steady", "volatile", "improving")
# This week's plan status per rep position in a team ("none": not written yet).
CURRENT_STATUSES = (
    PlanStatus.RETURNED,
    PlanStatus.APPROVED,
    PlanStatus.SUBMITTED,
    PlanStatus.APPROVED,
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    "none",
    PlanStatus.APPROVED,
)

# sku, name, lowest and highest price of one sale (dollars)
PRODUCTS = (
    ("starter-plan", "Starter subscription (annual)", 500, 1_500),
    ("pro-plan", "Professional subscription (annual)", 2_000, 5_000),
    ("enterprise-plan", "Enterprise subscription (annual)", 5_000, 8_000),
    ("pos-kit", "Point-of-sale hardware kit", 1_200, 3_500),
    ("onboarding", "Onboarding package", 800, 2_000),
    ("support-plus", "Support Plus add-on", 500, 1_800),
    ("training-day", "On-site training day", 900, 1_500),
)
SALE_MIX = {
    G: {
        "starter-plan": 30,
        "pro-plan": 30,
        "pos-kit": 15,
        "onboarding": 10,
        "training-day": 10,
        "enterprise-plan": 5,
    },
    AE: {
        "pro-plan": 35,
        "enterprise-plan": 25,
        "onboarding": 15,
        "pos-kit": 15,
        "starter-plan": 10,
    },
}
UPSELL_MIX = {"support-plus": 40, "training-day": 25, "onboarding": 15, "pro-plan": 20}

# --- How reps work -----------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """A function's day: a volume metric, then each step converts from an earlier one."""

    volume: tuple[str, float]  # metric, per day at full pace
    steps: tuple[tuple[str, str, float], ...]  # metric, converted from, rate
    sale_mix: dict[str, int] = field(default_factory=dict)

    @property
    def metrics(self) -> set[str]:
        logged = {self.volume[0], *(m for m, _, _ in self.steps)}
        return logged | ({"sales-value"} if logged & {"sales-closed", "upsells"} else set())


FUNNELS = {
    G: Funnel(
        ("calls", 32),
        (
            ("contacts", "calls", 0.36),
            ("appointments-set", "contacts", 0.27),
            ("appointments-held", "appointments-set", 0.82),
            ("proposals", "appointments-held", 0.55),
            ("sales-closed", "proposals", 0.5),
            ("upsells", "appointments-held", 0.06),
        ),
        SALE_MIX[G],
    ),
    SDR: Funnel(
        ("calls", 55),
        (
            ("contacts", "calls", 0.33),
            ("leads", "contacts", 0.45),
            ("appointments-set", "leads", 0.5),
        ),
    ),
    AE: Funnel(
        ("appointments-held", 3.2),
        (("proposals", "appointments-held", 0.6), ("sales-closed", "proposals", 0.5)),
        SALE_MIX[AE],
    ),
    CSM: Funnel(("meetings", 4), (("upsells", "meetings", 0.15),)),
}

# Channel mixes (weights) for the metrics a rep breaks down by channel.
CHANNEL_MIX = {
    "calls": {"outbound-phone": 80, "inbound-phone": 20},
    "contacts": {"outbound-phone": 60, "inbound-phone": 15, "email": 15, "walk-in": 10},
    "leads": {"online": 40, "referral": 20, "outbound-phone": 40},
    "appointments-held": {"field-visit": 60, "online": 40},
}
SALE_CHANNELS = {
    G: {
        "outbound-phone": 35,
        "inbound-phone": 15,
        "walk-in": 15,
        "field-visit": 15,
        "referral": 10,
        "online": 10,
    },
    AE: {"field-visit": 40, "online": 30, "referral": 15, "inbound-phone": 15},
}
UPSELL_CHANNELS = {"email": 25, "field-visit": 25, "online": 30, "inbound-phone": 20}

# Mondays and Fridays are lighter; the weights average 1.
WEEKDAY_PACE = {0: 0.9, 1: 1.08, 2: 1.1, 3: 1.05, 4: 0.87}
# Share of a normal day already logged when the demo loads.
TODAY_SO_FAR = 0.6

# Past weeks' plan outcome by style: approved, returned then approved, left in draft, none.
PAST_OUTCOMES = {
    "steady": (85, 12, 2, 1),
    "volatile": (70, 20, 5, 5),
    "improving": (72, 20, 4, 4),
    "lagging": (58, 22, 10, 10),
}

# --- What people write -------------------------------------------------------------------

OBJECTIVES = {
    G: (
        "Reach {contacts} decision makers from the spring trade-show list.",
        "Book {appointments-set} appointments with restaurants on the waterfront.",
        "Close {sales-closed} deals, starting with the proposals still open from last week.",
        "Follow up every proposal older than ten days.",
        "Re-activate three customers who did not renew last quarter.",
        "Get two referrals from customers who went live this month.",
    ),
    SDR: (
        "Make {calls} calls into the new healthcare territory.",
        "Set {appointments-set} qualified appointments for the account executives.",
        "Work the inbound web leads within two hours of arrival.",
        "Test the new opening line on the first 40 calls and report back.",
        "Qualify the webinar attendee list before Wednesday.",
    ),
    AE: (
        "Send {proposals} proposals, each with a clear next step agreed on the call.",
        "Close {sales-closed} deals from the stage-3 pipeline.",
        "Run discovery with every appointment the SDRs set this week.",
        "Get a signed order from Meridian Logistics before Friday.",
        "Bring a pricing question to the team meeting instead of discounting alone.",
    ),
    CSM: (
        "Hold {meetings} account reviews with customers in month two.",
        "Offer Support Plus to every customer with more than five tickets last month.",
        "Land {upsells} upgrades from the accounts up for renewal.",
        "Book training days for the three newest enterprise customers.",
    ),
}
PRIORITIES = (
    "Morning call blocks 9-11, no e-mail before 11.",
    "Proposals out the same day as the meeting.",
    "Update the deal stages every evening.",
    "Prepare for the Thursday pipeline review.",
    "Shadow a senior colleague on two calls.",
    "Clean up the prospect list before adding new names.",
    "Ask every happy customer for one referral.",
)
RISKS = (
    "Out Thursday afternoon for product training.",
    "Two big decisions wait on customers' budget approval.",
    "Delivery delays on hardware kits may push closings.",
    "The price increase announced last week is making prospects hesitate.",
    "A competitor is discounting hard in the south of the territory.",
    "",
    "",
)
ACCOUNTS = (
    "Bluewater Bistro",
    "Carver & Sons Hardware",
    "Lakeside Dental",
    "Pinecrest Hotels",
    "Meridian Logistics",
    "Oakline Fitness",
    "Riverside Pharmacy",
    "Summit Outdoor Co.",
    "Granite Peak Builders",
    "Harborview Marina",
    "Copperleaf Cafe",
    "Northstar Clinics",
    "Redwood Realty",
    "Silverline Auto",
    "Brightside Bakery",
    "Atlas Freight",
    "Juniper Schools",
    "Ironwood Manufacturing",
)
GOOD_WEEK = (
    "Strong week: the call blocks worked and most appointments turned into real conversations.",
    "Hit the numbers I planned. Two proposals out, one already signed.",
    "Best week this quarter. The referral asks are starting to pay off.",
    "On plan. Pipeline for next week looks healthy.",
)
TOUGH_WEEK = (
    "Behind plan. Too much time on admin and two no-shows on Wednesday.",
    "Calls were fine but few people picked up; contact rate well down.",
    "Slow week: lost a day to a customer escalation.",
    "Below target. I planned more than I could do with the trade show on Thursday.",
)
PROBLEMS = (
    "Prospect list has many outdated numbers.",
    "Customers keep asking about delivery dates we cannot confirm.",
    "Price objections on the Professional plan.",
    "Waited two days for a quote from the back office.",
    "The CRM was slow on Tuesday.",
    "",
    "",
)
RETURN_COMMENTS = (
    "Your appointment target looks light for a full week. Can you push it up by two and "
    "say which accounts they come from?",
    "The objectives read as a list of activities. Tell me which deals you want to move "
    "forward this week.",
    "Good numbers, but no risks listed: what could stop you? Add them and resubmit.",
    "Please name the key accounts behind the proposals you plan.",
    "The sales value target is well above your last four weeks. Make it a stretch you "
    "believe in and tell me what it takes.",
    "You are at training on Thursday; adjust the call numbers for the half day.",
)
APPROVE_COMMENTS = (
    "Solid plan.",
    "Good. Keep the follow-ups tight on the open proposals.",
    "Approved. Let's look at the pipeline together in our one-to-one.",
    "Nice focus on referrals this week.",
    "",
    "",
    "",
)


@dataclass
class Rep:
    user: User
    team: TeamSpec
    position: int  # in the team's list
    style: str
    skill: float
    pace: list[float] = field(default_factory=list)  # share of a full-pace week, per week
    carry: dict[str, float] = field(default_factory=dict)  # steady reps' unfinished fractions

    @property
    def function(self) -> str:
        return self.user.rep_function


# --- The command -------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Load a demo company (Northwind Sales) with teams, reps, 12 weeks of plans and "
        "activity. Does nothing if the demo is already loaded."
    )

    def handle(self, *args, **options):
        started = clock.monotonic()
        with transaction.atomic():
            if User.objects.filter(username=MARKER_USERNAME).exists():
                self.stdout.write(
                    "Demo data is already loaded (user “admin” exists); nothing changed."
                )
                return
            clashes = _clashes()
            if clashes:
                self.stderr.write(
                    "This database already holds data the demo would clash with "
                    f"({', '.join(clashes)}); seed_demo fills a fresh database only. "
                    "Nothing changed."
                )
                return
            demo = DemoCompany(random.Random(SEED))
            demo.build()
        self._report(demo, clock.monotonic() - started)

    def _report(self, demo: "DemoCompany", seconds: float) -> None:
        out = self.stdout.write
        reps = len(demo.reps)
        out(self.style.SUCCESS(f"Demo company “{demo.company.name}” loaded in {seconds:.1f} s."))
        out(
            f"  {Division.objects.count()} divisions, {Team.objects.count()} teams, "
            f"{User.objects.count()} users ({reps} reps), {Product.objects.count()} products"
        )
        out(
            f"  {WeeklyPlan.objects.count():,} weekly plans, {PlanTarget.objects.count():,} "
            f"planned numbers, {PlanEvent.objects.count():,} plan events"
        )
        out(
            f"  {Activity.objects.count():,} activities over {len(demo.working_days)} working "
            f"days ({demo.working_days[0]:%a %d %b} to {demo.working_days[-1]:%a %d %b %Y})"
        )
        out("")
        out(f"Demo logins (every user's password is {PASSWORD}):")
        for username, role, sees in demo.logins():
            out(f"  {username:<16} {role:<16} {sees}")
        out("  Other reps sign in as rep.<first name>, e.g. rep.tom; managers as manager.<team>.")


def _rep_username(team: int, position: int, first_name: str) -> str:
    return "rep" if (team, position) == (0, 0) else f"rep.{first_name.lower()}"


def _clashes() -> list[str]:
    usernames = [ADMIN.username, *(p.username for p in DIRECTORS.values())]
    usernames += [spec.manager.username for spec in TEAMS]
    usernames += [
        _rep_username(t, position, first)
        for t, spec in enumerate(TEAMS)
        for position, (first, _, _) in enumerate(spec.reps)
    ]
    found = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    found += Division.objects.filter(name__in=DIRECTORS).values_list("name", flat=True)
    found += Team.objects.filter(name__in=[t.name for t in TEAMS]).values_list("name", flat=True)
    return sorted(found)


class DemoCompany:
    """Builds the demo in memory and writes it with a handful of bulk inserts."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.company = CompanySettings.load()
        self.now = timezone.now()
        self.today = self.company.today()
        self.reps: list[Rep] = []
        self.managers: dict[str, User] = {}  # team name -> manager

    # Order matters: later steps read what earlier ones made.
    def build(self) -> None:
        self._settings()
        self._catalogue()
        self._people()
        self._plans()
        self._activities()

    def _settings(self) -> None:
        company = self.company
        company.name = "Northwind Sales"
        company.currency = "USD"
        company.week_start = Weekday.MONDAY
        company.save()
        current = company.week_of(self.today)
        self.weeks = [current - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
        self.working_days = [
            day
            for week in self.weeks
            for day in (week + timedelta(days=n) for n in range(7))
            if day.weekday() < 5 and day <= self.today
        ]

    def _catalogue(self) -> None:
        self.metrics = Metric.objects.in_bulk(field_name="key")
        needed = {m for spec in TEAMS for m in spec.focus}
        needed |= {m for funnel in FUNNELS.values() for m in funnel.metrics}
        missing = needed - set(self.metrics)
        if missing:
            raise CommandError(f"Metrics missing from the catalogue: {', '.join(sorted(missing))}.")
        self.channels = Channel.objects.in_bulk(field_name="key")
        self.products = {}
        self.prices = {}
        for sku, name, low, high in PRODUCTS:
            self.products[sku], _ = Product.objects.get_or_create(sku=sku, defaults={"name": name})
            self.prices[sku] = (low, high)

    # --- people ---------------------------------------------------------------------------

    def _people(self) -> None:
        password = make_password(PASSWORD)  # hashed once: hashing 37 times takes seconds
        joined = self.now - timedelta(weeks=WEEKS + 4)

        def user(person: Person, role: str, **extra) -> User:
            return User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                role=role,
                password=password,
                date_joined=joined,
                **extra,
            )

        divisions = {name: Division.objects.create(name=name) for name in DIRECTORS}
        User.objects.bulk_create(
            [
                user(ADMIN, Role.ADMIN, is_staff=True, is_superuser=True),
                *(user(p, Role.DIRECTOR, division=divisions[d]) for d, p in DIRECTORS.items()),
                *(user(spec.manager, Role.MANAGER) for spec in TEAMS),
            ]
        )
        by_username = User.objects.in_bulk(
            [s.manager.username for s in TEAMS], field_name="username"
        )
        teams = {}
        for spec in TEAMS:
            manager = self.managers[spec.name] = by_username[spec.manager.username]
            teams[spec.name] = team = Team.objects.create(
                name=spec.name,
                division=divisions[spec.division],
                manager=manager,
                sales_model=spec.sales_model,
            )
            team.focus_metrics.set([self.metrics[key] for key in spec.focus])

        members = []  # (user, team spec, position in the team)
        for t, spec in enumerate(TEAMS):
            for position, (first, last, function) in enumerate(spec.reps):
                person = Person(_rep_username(t, position, first), first, last)
                member = user(person, Role.REP, team=teams[spec.name], rep_function=function)
                members.append((member, spec, position))
        User.objects.bulk_create([member for member, _, _ in members])
        saved = User.objects.in_bulk([m.username for m, _, _ in members], field_name="username")
        for member, spec, position in members:
            style = STYLES[(position + 3 * TEAMS.index(spec)) % len(STYLES)]
            rep = Rep(saved[member.username], spec, position, style, self.rng.uniform(0.85, 1.15))
            rep.pace = [self._week_pace(style, w) for w in range(WEEKS)]
            self.reps.append(rep)

    def _week_pace(self, style: str, week: int) -> float:
        """How much of a full-pace week the rep does, before daily noise."""
        rng = self.rng
        if style == "steady":
            pace = rng.gauss(0.98, 0.05)
        elif style == "volatile":
            pace = rng.uniform(0.55, 1.5)
        elif style == "improving":
            pace = 0.62 + 0.45 * week / (WEEKS - 1) + rng.gauss(0, 0.05)
        else:  # lagging
            pace = rng.gauss(0.72, 0.07)
        return min(max(pace, 0.35), 1.6)

    def logins(self) -> list[tuple[str, str, str]]:
        first = TEAMS[0]
        return [
            (ADMIN.username, "Administrator", "everything; configuration in /admin/"),
            (DIRECTORS["North"].username, "Director", "North division (Harbour, Ridge)"),
            (DIRECTORS["South"].username, "Director", "South division (Delta, Mesa)"),
            (first.manager.username, "Manager", f"{first.name} team"),
            ("rep", "Sales rep", f"{first.reps[0][0]} {first.reps[0][1]}, {first.name} team"),
        ]

    # --- plans ----------------------------------------------------------------------------

    def _expected_per_day(self, function: str) -> dict[str, float]:
        funnel = FUNNELS[function]
        expected = {funnel.volume[0]: funnel.volume[1]}
        for metric, source, rate in funnel.steps:
            expected[metric] = expected[source] * rate
        if "sales-value" in funnel.metrics:
            expected["sales-value"] = expected.get("sales-closed", 0) * self._mean_price(
                funnel.sale_mix
            ) + expected.get("upsells", 0) * self._mean_price(UPSELL_MIX)
        return expected

    def _mean_price(self, mix: dict[str, int]) -> float:
        if not mix:
            return 0
        total = sum(mix.values())
        return sum(w * sum(self.prices[sku]) / 2 for sku, w in mix.items()) / total

    def _plan_targets(self, rep: Rep, week: int) -> dict[str, Decimal]:
        """The rep's own numbers: a full-pace week for their skill, a touch ambitious."""
        expected = self._expected_per_day(rep.function)
        ambition = self.rng.gauss(1.04, 0.04)
        if rep.style == "improving":
            ambition *= 0.85 + 0.2 * week / (WEEKS - 1)
        targets = {}
        for key in rep.team.focus:
            if key not in expected:
                continue
            planned = expected[key] * 5 * rep.skill * ambition
            if self.metrics[key].is_money:
                targets[key] = Decimal(max(500, round(planned / 500) * 500))
            else:
                targets[key] = Decimal(max(1, round(planned)))
        return targets

    def _status(self, rep: Rep, week: int) -> str:
        if week == WEEKS - 1:
            # Rotated per team so each team's week looks different; "rep" is returned.
            offset = 2 * TEAMS.index(rep.team)
            return CURRENT_STATUSES[(rep.position + offset) % len(CURRENT_STATUSES)]
        approved, returned, draft, none = PAST_OUTCOMES[rep.style]
        return self.rng.choices(
            ["approved", "returned-approved", PlanStatus.DRAFT, "none"],
            [approved, returned, draft, none],
        )[0]

    def _plans(self) -> None:
        plans, stamps, pending = [], [], []  # pending: (plan, targets, events)
        for rep in self.reps:
            for w, week in enumerate(self.weeks):
                status = self._status(rep, w)
                if status == "none":
                    continue
                targets = self._plan_targets(rep, w)
                plan = WeeklyPlan(rep=rep.user, week_start=week, **self._content(rep, targets))
                events = self._review(plan, rep, status)
                updated = events[-1].at
                past = w < WEEKS - 1
                if past and plan.status != PlanStatus.DRAFT and self.rng.random() < 0.85:
                    updated = max(updated, self._week_note(plan, rep.pace[w]))
                    plan.version += 1
                plans.append(plan)
                stamps.append((events[0].at, updated))
                pending.append((plan, targets, events))
        WeeklyPlan.objects.bulk_create(plans, batch_size=500)
        reps = [r.user for r in self.reps]
        ids = {
            (p.rep_id, p.week_start): p.pk
            for p in WeeklyPlan.objects.filter(rep__in=reps).only("rep", "week_start")
        }
        targets, events = [], []
        for plan, planned, plan_events in pending:
            plan.pk = ids[(plan.rep_id, plan.week_start)]
            targets += [
                PlanTarget(plan_id=plan.pk, metric=self.metrics[key], planned=value)
                for key, value in planned.items()
            ]
            for event in plan_events:
                event.plan_id = plan.pk
            events += plan_events
        times = [(e.at, e.notified_at) for e in events]
        PlanTarget.objects.bulk_create(targets, batch_size=1000)
        PlanEvent.objects.bulk_create(events, batch_size=1000)

        # bulk_create stamps auto_now(_add) fields with the present; write the real story.
        for plan, (created, updated) in zip(plans, stamps, strict=True):
            plan.created_at, plan.updated_at = created, updated
        WeeklyPlan.objects.bulk_update(plans, ["created_at", "updated_at"], batch_size=300)
        saved = list(PlanEvent.objects.filter(plan__rep__in=reps).order_by("pk"))
        for event, (at, notified) in zip(saved, times, strict=True):
            event.at, event.notified_at = at, notified
        PlanEvent.objects.bulk_update(saved, ["at", "notified_at"], batch_size=300)

    def _content(self, rep: Rep, targets: dict[str, Decimal]) -> dict[str, str]:
        rng = self.rng
        # Objectives quote the plan's numbers, or a usual week's for metrics not planned.
        usual = self._expected_per_day(rep.function)
        numbers = {key: f"{round(v * 5 * rep.skill):,}" for key, v in usual.items()}
        numbers |= {key: f"{value:,.0f}" for key, value in targets.items()}
        objectives = rng.sample(OBJECTIVES[rep.function], 3)
        return {
            "objectives": "\n".join(line.format_map(numbers) for line in objectives),
            "priorities": "\n".join(rng.sample(PRIORITIES, 2)),
            "risks": rng.choice(RISKS),
            "key_accounts": ", ".join(rng.sample(ACCOUNTS, rng.randint(2, 4))),
        }

    def _at(self, day: date, hour: float) -> datetime:
        """``day`` at ``hour`` (9.5 = 09:30) on the company's clock."""
        minutes = int(hour * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.company.tzinfo)

    def _review(self, plan: WeeklyPlan, rep: Rep, status: str) -> list[PlanEvent]:
        """The plan's timeline, with its fields set to match the last step."""
        rng, week = self.rng, plan.week_start
        kind = PlanEvent.Kind
        steps = [kind.CREATED]
        if status != PlanStatus.DRAFT:
            steps.append(kind.SUBMITTED)
        if status in ("returned-approved", PlanStatus.RETURNED) or (
            status == PlanStatus.SUBMITTED and rng.random() < 0.3
        ):
            steps.append(kind.RETURNED)
            if status != PlanStatus.RETURNED:
                steps.append(kind.SUBMITTED)
        if status in ("returned-approved", PlanStatus.APPROVED):
            steps.append(kind.APPROVED)

        # Most reps write next week's plan on Friday afternoon; some on Sunday or Monday.
        friday_before = self._at(week - timedelta(days=3), rng.uniform(14, 17.5))
        sunday_evening = self._at(week - timedelta(days=1), rng.uniform(18, 21))
        monday_early = self._at(week, rng.uniform(7.5, 8.5))
        start = rng.choices([friday_before, sunday_evening, monday_early], [60, 15, 25])[0]
        latest = self.now - timedelta(minutes=5)
        if start > latest:  # this week's Monday morning has not come yet
            start = self._at(week - timedelta(days=3), 15)
        times = [start]
        for step in steps[1:]:
            last = times[-1]
            if step == kind.SUBMITTED:
                at = last + timedelta(minutes=rng.randint(20, 180))
            elif len(times) == 2:  # the first review: Monday morning at the earliest
                at = max(last + timedelta(minutes=30), self._at(week, rng.uniform(9, 11.5)))
            else:
                at = last + timedelta(minutes=rng.randint(30, 150))
            times.append(at)
        # This week's reviews may not have happened yet: squeeze the story into the past.
        if times[-1] > latest:
            span = (latest - start) / (times[-1] - start)
            times = [start + (t - start) * span for t in times]

        manager = self.managers[rep.team.name]
        events = []
        for step, at in zip(steps, times, strict=True):
            reviewer = step in (kind.RETURNED, kind.APPROVED)
            comment = ""
            if step == kind.RETURNED:
                comment = rng.choice(RETURN_COMMENTS)
            elif step == kind.APPROVED:
                comment = rng.choice(APPROVE_COMMENTS)
            events.append(
                PlanEvent(
                    kind=step,
                    by=manager if reviewer else rep.user,
                    at=at,
                    comment=comment,
                    # Historical events count as e-mailed, so no job sends them now.
                    notified_at=at + timedelta(minutes=1),
                )
            )
            if step == kind.SUBMITTED:
                plan.submitted_at = at
            elif reviewer:
                plan.reviewed_at, plan.reviewed_by = at, manager
        plan.status = PlanStatus.APPROVED if status == "returned-approved" else status
        # Every write raises the version; a returned plan was edited before resubmitting.
        edited_after_return = kind.RETURNED in steps and steps[-1] != kind.RETURNED
        plan.version = len(steps) + edited_after_return
        return events

    def _week_note(self, plan: WeeklyPlan, pace: float) -> datetime:
        """The rep's end-of-week account, written on Friday afternoon; returns when."""
        rng = self.rng
        good = pace >= 0.95
        plan.progress_note = rng.choice(GOOD_WEEK if good else TOUGH_WEEK)
        plan.problems_note = rng.choice(PROBLEMS if good else PROBLEMS[:5])
        return self._at(plan.week_start + timedelta(days=4), rng.uniform(16, 18))

    # --- activity -------------------------------------------------------------------------

    def _activities(self) -> None:
        rows = []
        week_index = {week: w for w, week in enumerate(self.weeks)}
        for rep in self.reps:
            day_off = 0.05 if rep.style == "lagging" else 0.03
            for day in self.working_days:
                if self.rng.random() < day_off:
                    continue  # leave, sickness, a day at a trade show
                pace = rep.pace[week_index[self.company.week_of(day)]]
                rows += self._day(rep, day, pace)
        Activity.objects.bulk_create(rows, batch_size=1000)
        for day in self.working_days:
            logged = min(self._at(day, 17.5), self.now)
            Activity.objects.filter(rep__in=[r.user for r in self.reps], day=day).update(
                created_at=logged, updated_at=logged
            )
        self._corrections()

    def _day(self, rep: Rep, day: date, pace: float) -> list[Activity]:
        rng = self.rng
        funnel = FUNNELS[rep.function]
        share = WEEKDAY_PACE[day.weekday()] * (TODAY_SO_FAR if day == self.today else 1)
        volume_metric, per_day = funnel.volume
        steady = rep.style == "steady"
        noise = max(rng.gauss(1, 0.08 if steady else 0.15), 0.3)
        counts = {
            volume_metric: self._count(
                rep, volume_metric, per_day * rep.skill * pace * share * noise
            )
        }
        # Slower weeks convert a little worse too, not only fewer calls.
        conversion = min(max(0.85 + 0.15 * pace, 0.7), 1.15)
        for metric, source, rate in funnel.steps:
            rate = min(rate * conversion, 0.95)
            if steady:
                counts[metric] = self._count(rep, metric, counts[source] * rate)
            else:
                counts[metric] = _binomial(rng, counts[source], rate)

        rows = []

        def add(metric, quantity, channel=None, product=None):
            if quantity:
                rows.append(
                    Activity(
                        rep=rep.user,
                        day=day,
                        metric=self.metrics[metric],
                        quantity=Decimal(quantity).quantize(Decimal("0.01")),
                        channel=self.channels.get(channel),
                        product=self.products.get(product),
                        created_by=rep.user,
                    )
                )

        for metric, count in counts.items():
            if metric in ("sales-closed", "upsells"):
                continue
            if metric in CHANNEL_MIX:
                for channel, n in _spread(rng, count, CHANNEL_MIX[metric]).items():
                    add(metric, n, channel)
            else:
                add(metric, count)

        sold: Counter = Counter()
        value: Counter = Counter()
        for metric, mix, channels in (
            ("sales-closed", funnel.sale_mix, SALE_CHANNELS.get(rep.function)),
            ("upsells", UPSELL_MIX, UPSELL_CHANNELS),
        ):
            for _ in range(counts.get(metric, 0)):
                sku = _pick(rng, mix)
                key = (metric, _pick(rng, channels), sku)
                sold[key] += 1
                value[key[1:]] += round(rng.uniform(*self.prices[sku]), -1)
        for (metric, channel, sku), n in sold.items():
            add(metric, n, channel, sku)
        for (channel, sku), amount in value.items():
            add("sales-value", amount, channel, sku)
        return rows

    def _count(self, rep: Rep, metric: str, expected: float) -> int:
        """A whole number near ``expected``. Steady reps deliver like clockwork: the
        fraction a day falls short, a later day makes up."""
        if rep.style != "steady":
            return _round(self.rng, expected)
        total = expected + rep.carry.get(metric, 0.0)
        rep.carry[metric] = total - int(total)
        return int(total)

    def _corrections(self) -> None:
        """A few numbers fixed the next morning, so the change log has a story to tell."""
        rng = self.rng
        days = [d for d in self.working_days if d <= self.today - timedelta(days=2)][-10:]
        candidates = list(
            Activity.objects.filter(
                rep__in=[r.user for r in self.reps],
                day__in=days,
                metric__key__in=["calls", "contacts", "appointments-set", "meetings"],
            )
            .select_related("metric", "channel", "product")
            .order_by("pk")
        )
        if not candidates:
            return
        fixed = rng.sample(candidates, min(24, len(candidates)))
        reps = {r.user.pk: r for r in self.reps}
        changes, timings = [], []
        for activity in fixed:
            rep = reps[activity.rep_id]
            activity.rep = rep.user
            # Mostly the rep fixing their own typo; sometimes their manager does.
            by = rep.user if rng.random() < 0.75 else self.managers[rep.team.name]
            old = activity.snapshot()
            typo = rng.randint(1, 3)
            first = (
                activity.quantity - typo if activity.quantity > typo else activity.quantity + typo
            )
            old["quantity"] = str(first)
            logged = self._at(activity.day, 17.5)
            edited = self._at(activity.day + timedelta(days=1), rng.uniform(8.5, 10))
            changes += [
                ActivityChange(
                    activity=activity,
                    rep_id=activity.rep_id,
                    day=activity.day,
                    action=ActivityChange.Action.CREATED,
                    by=rep.user,
                    new=old,
                ),
                ActivityChange(
                    activity=activity,
                    rep_id=activity.rep_id,
                    day=activity.day,
                    action=ActivityChange.Action.UPDATED,
                    by=by,
                    old=old,
                    new=activity.snapshot(),
                ),
            ]
            timings += [logged, edited]
            Activity.objects.filter(pk=activity.pk).update(updated_at=edited)
        ActivityChange.objects.bulk_create(changes)
        saved = list(ActivityChange.objects.filter(activity__in=fixed).order_by("pk"))
        for change, at in zip(saved, timings, strict=True):
            change.at = at
        ActivityChange.objects.bulk_update(saved, ["at"])


def _round(rng: random.Random, expected: float) -> int:
    """Round up with probability equal to the fraction, so small rates still add up."""
    whole = int(expected)
    return whole + (rng.random() < expected - whole)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _pick(rng: random.Random, mix: dict[str, int]) -> str:
    return rng.choices(list(mix), list(mix.values()))[0]


def _spread(rng: random.Random, n: int, mix: dict[str, int]) -> Counter:
    return Counter(rng.choices(list(mix), list(mix.values()), k=n))
