"""The demo's people: the company's settings (name, currency, week start, and the twelve
weeks the demo covers), its two divisions with their directors, four teams with their
managers and 30 reps (each with a working style and a weekly pace), and the admin.

Every user's password is ``PASSWORD``; the demo counts as loaded once the user
``MARKER_USERNAME`` exists.
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password

from salesmgmt.demo.base import AE, CSM, SDR, WEEKS, DemoCompany, G, Person, Rep, TeamSpec
from salesmgmt.models import Division, Role, SalesModel, Team, User, Weekday

PASSWORD = "demo-pass-2026"
MARKER_USERNAME = "admin"

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
    # Three teams work in their own language: Athens in Greek, Manila in Filipino and
    # Jakarta in Indonesian (their people's User.language); Harbour and the directors
    # use the browser's (English by default).
    TeamSpec(
        "Athens",
        "North",
        SalesModel.ASSEMBLY_LINE,
        Person("manager.athens", "Ιωάννης", "Παπαδάκης"),
        ("calls", "appointments-set", "proposals", "sales-closed", "sales-value", "upsells"),
        (
            ("Ελένη", "Παπαδοπούλου", SDR, "eleni"),
            ("Γιώργος", "Νικολάου", SDR, "giorgos"),
            ("Μαρία", "Κωνσταντίνου", SDR, "maria"),
            ("Δημήτρης", "Οικονόμου", AE, "dimitris"),
            ("Κατερίνα", "Γεωργίου", AE, "katerina"),
            ("Νίκος", "Αλεξίου", AE, "nikos"),
            ("Σοφία", "Βασιλείου", CSM, "sofia"),
        ),
        language="el",
    ),
    TeamSpec(
        "Manila",
        "South",
        SalesModel.ISLAND,
        Person("manager.manila", "Carmela", "Aquino"),
        ("calls", "contacts", "appointments-held", "proposals", "sales-closed"),
        (
            ("Jose", "Reyes", G),
            ("Angelica", "Cruz", G),
            ("Mark", "Bautista", G),
            ("Kristine", "Villanueva", G),
            ("Paolo", "Mendoza", G),
            ("Joanna", "Garcia", G),
            ("Rafael", "Dela Cruz", G),
            ("Liza", "Ramos", G),
        ),
        language="fil",
    ),
    TeamSpec(
        "Jakarta",
        "South",
        SalesModel.ASSEMBLY_LINE,
        Person("manager.jakarta", "Hendra", "Gunawan"),
        ("leads", "appointments-set", "sales-closed", "sales-value", "upsells"),
        (
            ("Budi", "Santoso", SDR),
            ("Siti", "Rahayu", SDR),
            ("Agus", "Wijaya", SDR),
            ("Dewi", "Lestari", AE),
            ("Rizky", "Pratama", AE),
            ("Putri", "Anggraini", AE),
            ("Andi", "Saputra", CSM),
        ),
        language="id",
    ),
)

# How each rep behaves against their own plan; spread so every team has a mix.
STYLES = ("steady", "volatile", "improving", "steady", "lagging", "steady", "volatile", "improving")


def load_settings(demo: DemoCompany) -> None:
    """Name the company and fix the weeks and working days the demo covers."""
    company = demo.company
    company.name = "Northwind Sales"
    company.currency = "USD"
    company.week_start = Weekday.MONDAY
    company.save()
    current = company.week_of(demo.today)
    demo.weeks = [current - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    demo.working_days = [
        day
        for week in demo.weeks
        for day in (week + timedelta(days=n) for n in range(7))
        if day.weekday() < 5 and day <= demo.today
    ]


def load_people(demo: DemoCompany) -> None:
    """Divisions, teams and users; ``demo.managers`` and ``demo.reps`` with their paces."""
    password = make_password(PASSWORD)  # hashed once: hashing 37 times takes seconds
    joined = demo.joined = demo.now - timedelta(weeks=WEEKS + 4)

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
            *(user(spec.manager, Role.MANAGER, language=spec.language or None) for spec in TEAMS),
        ]
    )
    by_username = User.objects.in_bulk([s.manager.username for s in TEAMS], field_name="username")
    teams = {}
    for spec in TEAMS:
        manager = demo.managers[spec.name] = by_username[spec.manager.username]
        teams[spec.name] = team = Team.objects.create(
            name=spec.name,
            division=divisions[spec.division],
            manager=manager,
            sales_model=spec.sales_model,
        )
        team.focus_metrics.set([demo.metrics[key] for key in spec.focus])

    members = []  # (user, team spec, position in the team)
    for t, spec in enumerate(TEAMS):
        for position, (first, last, function, *login) in enumerate(spec.reps):
            person = Person(rep_username(t, position, login[0] if login else first), first, last)
            member = user(
                person,
                Role.REP,
                team=teams[spec.name],
                rep_function=function,
                language=spec.language or None,
            )
            members.append((member, spec, position))
    User.objects.bulk_create([member for member, _, _ in members])
    saved = User.objects.in_bulk([m.username for m, _, _ in members], field_name="username")
    for member, spec, position in members:
        style = STYLES[(position + 3 * TEAMS.index(spec)) % len(STYLES)]
        rep = Rep(saved[member.username], spec, position, style, demo.rng.uniform(0.85, 1.15))
        rep.pace = [_week_pace(demo.rng, style, w) for w in range(WEEKS)]
        demo.reps.append(rep)


def _week_pace(rng: random.Random, style: str, week: int) -> float:
    """How much of a full-pace week the rep does, before daily noise."""
    if style == "steady":
        pace = rng.gauss(0.98, 0.05)
    elif style == "volatile":
        pace = rng.uniform(0.55, 1.5)
    elif style == "improving":
        pace = 0.62 + 0.45 * week / (WEEKS - 1) + rng.gauss(0, 0.05)
    else:  # lagging
        pace = rng.gauss(0.72, 0.07)
    return min(max(pace, 0.35), 1.6)


def logins() -> list[tuple[str, str, str]]:
    """The logins worth knowing: username, role, what they see."""
    first = TEAMS[0]
    return [
        (ADMIN.username, "Administrator", "everything; configuration in /admin/"),
        (DIRECTORS["North"].username, "Director", "North division (Harbour, Athens)"),
        (DIRECTORS["South"].username, "Director", "South division (Manila, Jakarta)"),
        (first.manager.username, "Manager", f"{first.name} team"),
        ("rep", "Sales rep", f"{first.reps[0][0]} {first.reps[0][1]}, {first.name} team"),
        *(
            (
                spec.manager.username,
                "Manager",
                f"{spec.name} team, in {LANGUAGE_NAMES[spec.language]}",
            )
            for spec in TEAMS
            if spec.language
        ),
        *(
            (
                rep_username(t, 0, spec.reps[0][3] if len(spec.reps[0]) > 3 else spec.reps[0][0]),
                "Sales rep",
                f"{spec.name} team, in {LANGUAGE_NAMES[spec.language]}",
            )
            for t, spec in enumerate(TEAMS)
            if spec.language
        ),
    ]


LANGUAGE_NAMES = {"el": "Greek", "fil": "Filipino", "id": "Indonesian"}


def rep_username(team: int, position: int, first_name: str) -> str:
    return "rep" if (team, position) == (0, 0) else f"rep.{first_name.lower().replace(' ', '')}"


def clashes() -> list[str]:
    """Demo usernames, divisions and teams the database already holds, sorted."""
    usernames = [ADMIN.username, *(p.username for p in DIRECTORS.values())]
    usernames += [spec.manager.username for spec in TEAMS]
    usernames += [
        rep_username(t, position, login[0] if login else first)
        for t, spec in enumerate(TEAMS)
        for position, (first, _, _, *login) in enumerate(spec.reps)
    ]
    found = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    found += Division.objects.filter(name__in=DIRECTORS).values_list("name", flat=True)
    found += Team.objects.filter(name__in=[t.name for t in TEAMS]).values_list("name", flat=True)
    return sorted(found)
