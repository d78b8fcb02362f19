"""What every step of the demo shares: ``DemoCompany``, the state the steps read and add
to (the company, the two random streams, the weeks, the catalogue, the reps); the shapes
of a person, a team and a rep; the company's clock in working hours; and small helpers.

Numbers come from a fixed random seed, so two fresh databases get the same company;
dates are relative to today (the company's today), so the demo always shows the current
week in progress.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from activities.models import Channel, Customer, Deal, Metric, Product, Task
from salesmgmt.models import CompanySettings, RepFunction, User

SEED = 42
WEEKS = 12  # eleven past weeks and the current one

G, SDR, AE, CSM = (
    RepFunction.GENERALIST,
    RepFunction.SDR,
    RepFunction.ACCOUNT_EXECUTIVE,
    RepFunction.CUSTOMER_SUCCESS,
)


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        local = f"{self.first_name}.{self.last_name}".lower()
        local = "".join(c for c in local if c.isalnum() or c == ".")
        # Names in Greek letters: the login name, so every address is plain ASCII.
        return f"{local if local.isascii() else self.username}@example.com"


@dataclass(frozen=True)
class TeamSpec:
    name: str
    division: str
    sales_model: str
    manager: Person
    focus: tuple[str, ...]
    # first name, last name, rep function, and the login name when the first name is not
    # one (written in Greek letters, or two words)
    reps: tuple[tuple[str, ...], ...]
    # The language the team's people read (User.language); "" for the browser's.
    language: str = ""


@dataclass(frozen=True)
class Sale:
    """A sale the funnel made that was closed as a won deal."""

    day: date
    channel: str
    sku: str
    price: Decimal


@dataclass
class Rep:
    user: User
    team: TeamSpec
    position: int  # in the team's list
    style: str
    skill: float
    pace: list[float] = field(default_factory=list)  # share of a full-pace week, per week
    carry: dict[str, float] = field(default_factory=dict)  # steady reps' unfinished fractions
    won_sales: list[Sale] = field(default_factory=list)  # sales closed through the pipeline
    cities: tuple[tuple[str, int], ...] = ()  # the rep's territory: (city, area code)
    deals: list[Deal] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)

    @property
    def function(self) -> str:
        return self.user.rep_function


class DemoCompany:
    """The demo being built: each step (see ``salesmgmt.demo.loader``) reads what earlier
    steps left here and adds its own."""

    # Set by the steps, in this order.
    weeks: list[date]  # settings: the twelve weeks' first days, oldest first
    working_days: list[date]  # settings: weekdays of those weeks up to today
    metrics: dict[str, Metric]  # catalogue, by key
    channels: dict[str, Channel]  # catalogue, by key
    products: dict[str, Product]  # catalogue, by sku
    prices: dict[str, tuple[int, int]]  # catalogue: sku -> lowest, highest price of a sale
    joined: datetime  # people: when everyone's account was made
    first_contact: dict[int, str]  # customers: id(customer) -> first contact's name
    tasks: list[Task]  # tasks

    def __init__(self, rng: random.Random):
        self.rng = rng
        # Customers, deals and tasks draw from their own stream, so adding them left
        # the plans and the activity log exactly as they were.
        self.crm_rng = random.Random(SEED + 1)
        self.company = CompanySettings.load()
        self.now = timezone.now()
        self.today = self.company.today()
        self.reps: list[Rep] = []
        self.managers: dict[str, User] = {}  # team name -> manager

    # --- the company's clock ------------------------------------------------------------------

    def at(self, day: date, hour: float) -> datetime:
        """``day`` at ``hour`` (9.5 = 09:30) on the company's clock, as a UTC datetime:
        adding a timedelta to it then adds real time, even across a DST change."""
        minutes = int(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.company.tzinfo)
        return local.astimezone(UTC)

    def local_day(self, moment: datetime) -> date:
        return timezone.localtime(moment, self.company.tzinfo).date()

    def working_moment_before(self, day: date, latest: datetime) -> datetime:
        """A moment in working hours on ``day``, or on the latest weekday before it that
        is not after ``latest``."""
        hour = self.crm_rng.uniform(8.5, 17.5)
        day = workday(min(day, self.local_day(latest)))
        while (moment := self.at(day, hour)) > latest:
            day = workday(day - timedelta(days=1))
        return moment

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` if it falls in working hours (08:00-18:00 on a weekday), else the
        next working morning."""
        local = timezone.localtime(moment, self.company.tzinfo)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=local.hour >= 18)
        return self.at(next_workday(day), self.crm_rng.uniform(8, 9.5))


def pick(rng: random.Random, mix: dict[str, int]) -> str:
    return rng.choices(list(mix), list(mix.values()))[0]


def workday(day: date) -> date:
    """``day``, or the Friday before when it falls on a weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def next_workday(day: date) -> date:
    """``day``, or the Monday after when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)
