"""Load a believable demo company: people, teams, twelve weeks of plans and activity,
customers (some who did not buy, and why), deals with their stage history, tasks and
notifications.

Running it again changes nothing: once the demo's ``admin`` user exists the
command says so and stops. It never deletes anything.

Numbers come from a fixed random seed, so two fresh databases get the same
company; dates are relative to today (the company's today), so the demo always
shows the current week in progress.

Won deals and hand-logged sales never count the same sale twice: the funnel makes
the sales; in the last eight weeks a share of them went through the pipeline and
is recorded as won deals (with the activity rows the deal services write), the
rest is logged by hand. Sales totals are the same as if all were logged by hand.
"""

import logging
import random
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityChange,
    ActivitySource,
    Channel,
    Contact,
    Customer,
    CustomerStatus,
    Deal,
    LostReason,
    Metric,
    Product,
    Segment,
    Stage,
    StageKind,
    StageTransition,
    Task,
    TaskPriority,
)
from plans.models import Goal, PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from plans.weekly.services import plan_event_recipients, plan_url
from reporting.models import CommissionStatement, DeviationEpisode, MonthlyReview
from salesmgmt.models import (
    CompanySettings,
    Division,
    Notification,
    NotificationKind,
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


# --- Customers, deals and tasks --------------------------------------------------------------

PIPELINE_DAYS = 56  # sales of the last eight weeks may have gone through the pipeline...
PIPELINE_SHARE = 0.1  # ...and this share of them did: won deals instead of hand-logged rows
SMALL, MID, ENTERPRISE, PUBLIC = Segment.SMALL, Segment.MID, Segment.ENTERPRISE, Segment.PUBLIC


@dataclass(frozen=True)
class Sale:
    """A sale the funnel made that was closed as a won deal."""

    day: date
    channel: str
    sku: str
    price: Decimal


# Each rep works two or three cities of their division: (city, area code).
CITIES = {
    "North": (
        ("Seattle", 206),
        ("Tacoma", 253),
        ("Bellevue", 425),
        ("Spokane", 509),
        ("Portland", 503),
        ("Salem", 971),
        ("Eugene", 541),
        ("Boise", 208),
    ),
    "South": (
        ("Austin", 512),
        ("San Antonio", 210),
        ("Houston", 713),
        ("Dallas", 214),
        ("Phoenix", 602),
        ("Tucson", 520),
        ("Albuquerque", 505),
        ("El Paso", 915),
    ),
}
NAME_STEMS = (
    "Bluewater", "Carver", "Lakeside", "Pinecrest", "Meridian", "Oakline", "Riverside",
    "Summit", "Granite Peak", "Harborview", "Copperleaf", "Northstar", "Redwood", "Silverline",
    "Brightside", "Atlas", "Juniper", "Ironwood", "Cedar Ridge", "Maple Street", "Elm Grove",
    "Foxglove", "Highland", "Kingfisher", "Lighthouse", "Magnolia", "Newport", "Orchard Hill",
    "Pioneer", "Quarry Lane", "Rosewood", "Sagebrush", "Tidewater", "Union Square",
    "Valley View", "Westgate", "Willow Creek", "Amberfield", "Beacon", "Canyon", "Driftwood",
    "Evergreen", "Fairview", "Greenfield", "Hillcrest", "Ivy Lane", "Larkspur", "Oak Hollow",
    "Parkside", "Riverbend", "Stonebridge", "Sunset", "Timberline", "Bayside", "Crescent",
    "Dockside", "Frontier", "Goldfinch", "Heron Bay", "Lone Pine", "Mill Creek", "Old Town",
    "Prairie", "Red Rock", "Saddleback", "Three Rivers", "Twin Oaks", "Wildflower",
)  # fmt: skip
BUSINESSES = {
    SMALL: (
        "Bistro", "Cafe", "Bakery", "Dental", "Pharmacy", "Fitness", "Salon", "Florist",
        "Hardware", "Auto Repair", "Pet Clinic", "Books", "Deli", "Wine Bar", "Yoga Studio",
        "Print Shop", "Bike Shop", "Pizzeria", "Tavern", "Optometry",
    ),
    MID: (
        "Hotels", "Logistics", "Builders", "Realty", "Clinics", "Freight", "Marina",
        "Outdoor Co.", "Foods", "Distributors", "Medical Group", "Brewing Co.",
        "Property Management", "Insurance Agency", "Law Group", "Motors", "Supply Co.",
    ),
    ENTERPRISE: (
        "Manufacturing", "Health System", "Holdings", "Retail Group", "Industries",
        "Hospitality Group", "Logistics Group", "Grocers",
    ),
    PUBLIC: (
        "School District", "City Library", "County Clinic", "Community College",
        "Parks Department", "Water Authority",
    ),
}  # fmt: skip
SEGMENT_MIX = {
    G: {SMALL: 72, MID: 22, PUBLIC: 6},
    SDR: {SMALL: 40, MID: 40, ENTERPRISE: 14, PUBLIC: 6},
    AE: {SMALL: 15, MID: 50, ENTERPRISE: 25, PUBLIC: 10},
    CSM: {SMALL: 30, MID: 45, ENTERPRISE: 25},
}
# Who buys what a won sale sold: a bistro does not buy the enterprise plan.
SKU_SEGMENTS = {
    "enterprise-plan": (MID, ENTERPRISE, PUBLIC),
    "pro-plan": (SMALL, MID, PUBLIC),
    "starter-plan": (SMALL, MID),
    "pos-kit": (SMALL, MID),
}
SOURCE_CHANNELS = {
    G: SALE_CHANNELS[G],
    SDR: CHANNEL_MIX["leads"],
    AE: SALE_CHANNELS[AE],
    CSM: SALE_CHANNELS[AE],
}
SEGMENT_PRODUCTS = {
    SMALL: {"starter-plan": 45, "pro-plan": 35, "pos-kit": 20},
    MID: {"pro-plan": 45, "enterprise-plan": 25, "pos-kit": 30},
    ENTERPRISE: {"enterprise-plan": 100},
    PUBLIC: {"enterprise-plan": 60, "pro-plan": 40},
}
RENEWAL_PRODUCTS = {SMALL: "starter-plan", MID: "pro-plan", ENTERPRISE: "enterprise-plan"}
SITES = {SMALL: (1, 1), MID: (1, 3), ENTERPRISE: (2, 5), PUBLIC: (1, 4)}
ADD_ONS = {"onboarding": 60, "training-day": 40}
MAX_DEAL = 40_000
PRODUCT_LABELS = {
    "starter-plan": "Starter subscription",
    "pro-plan": "Professional subscription",
    "enterprise-plan": "Enterprise rollout",
    "pos-kit": "Point-of-sale kits",
    "onboarding": "Onboarding",
    "support-plus": "Support Plus",
    "training-day": "Training days",
}
CONTACT_FIRST = (
    "Anna", "Brian", "Carmen", "David", "Elena", "Frank", "Gloria", "Henry", "Irene", "James",
    "Karen", "Leo", "Monica", "Nathan", "Paula", "Quinn", "Rosa", "Steve", "Tanya", "Victor",
    "Wendy", "Xavier", "Yvonne", "Adam", "Bianca", "Colin", "Dana", "Eric", "Fiona", "Gavin",
)  # fmt: skip
CONTACT_LAST = (
    "Abbott", "Baker", "Castillo", "Dunn", "Ellis", "Fischer", "Gomez", "Hayes", "Ingram",
    "Jacobs", "Keller", "Lopez", "Moreno", "Novak", "Ortiz", "Park", "Quinlan", "Ramirez",
    "Stone", "Tran", "Underwood", "Vasquez", "Walsh", "Young", "Zimmerman", "Holt", "Pierce",
)  # fmt: skip
CONTACT_ROLES = {
    SMALL: ("Owner", "Co-owner", "Store manager", "Office manager"),
    MID: ("Operations director", "General manager", "Finance manager", "IT manager"),
    ENTERPRISE: ("VP Operations", "Head of procurement", "CFO", "IT director"),
    PUBLIC: ("Procurement officer", "Facilities manager", "Department head"),
}

# Open stages of new business, by who works the deal (weights).
OPEN_STAGES = {
    G: {
        "lead": 10,
        "contacted": 15,
        "appointment-set": 20,
        "appointment-held": 20,
        "proposal": 20,
        "negotiation": 15,
    },
    SDR: {"lead": 35, "contacted": 35, "appointment-set": 30},
    AE: {"appointment-set": 15, "appointment-held": 25, "proposal": 35, "negotiation": 25},
}
# The last stage a lost deal reached: most fall out early, so the funnel narrows.
LOST_AFTER = {
    G: {
        "lead": 25,
        "contacted": 25,
        "appointment-set": 15,
        "appointment-held": 13,
        "proposal": 12,
        "negotiation": 10,
    },
    SDR: {"lead": 45, "contacted": 40, "appointment-set": 15},
    AE: {"appointment-set": 25, "appointment-held": 30, "proposal": 25, "negotiation": 20},
}
# Whether losing a deal at an early or a late stage closes the account as "did not buy";
# otherwise it stays a prospect to try again later.
GIVE_UP = {"early": 0.25, "late": 0.8}
# How many deals of each kind a rep carries: open new business, lost, open renewals,
# and the chance of (or number of) won and churned renewals.
DEAL_BOOK = {
    G: {"open": (2, 5), "lost": (3, 6), "renewals": (0, 2), "renewed": 0.25, "churned": 0.15},
    SDR: {"open": (4, 7), "lost": (2, 4)},
    AE: {"open": (3, 6), "lost": (3, 6)},
    CSM: {"renewals": (4, 6), "renewed": (1, 2), "churned": 1.0},
}
# Days a deal typically spends in each stage before moving on.
STAGE_DAYS = {G: (2, 7), SDR: (2, 6), AE: (3, 11), CSM: (3, 12)}
EARLY_LOSS = {"no-response": 40, "timing": 25, "no-budget": 20, "other": 15}
LATE_LOSS = {"price": 35, "competitor": 30, "product-fit": 15, "timing": 10, "no-budget": 10}
NO_DEAL_LOSS = {"no-response": 35, "timing": 20, "no-budget": 20, "price": 15, "other": 10}
CHURN = {"price": 35, "competitor": 30, "product-fit": 20, "no-budget": 10, "other": 5}
LOSS_NOTES = {
    "price": (
        "Our quote came in about 20% above the one they took.",
        "Liked the product but could not justify the price for a single site.",
        "Asked for a discount we could not give.",
    ),
    "product-fit": (
        "Needs table-side ordering, which we do not offer yet.",
        "Their accounting package has no integration with ours.",
        "Wanted on-premise hosting only.",
    ),
    "timing": (
        "Not before the next fiscal year; call back in the spring.",
        "Busy season: revisit after the holidays.",
        "Moving premises first; decision postponed.",
    ),
    "competitor": (
        "Signed with a competitor that bundled the hardware for free.",
        "Their current vendor matched our offer.",
        "Chose the vendor their head office uses.",
    ),
    "no-budget": (
        "Budget frozen after a weak quarter.",
        "The owner says no new spending this year.",
    ),
    "no-response": (
        "No answer after five calls and three e-mails.",
        "Went silent after the first meeting.",
    ),
    "other": (
        "The business is being sold; the new owner will decide.",
        "Closed the location we were talking about.",
    ),
}
CHURN_NOTES = {
    "price": ("Did not renew: moved to a cheaper provider.", "Renewal price was too high."),
    "competitor": ("Switched to a competitor at renewal.", "Head office picked another vendor."),
    "product-fit": ("Outgrew the product; moved to an enterprise suite.",),
    "no-budget": ("Cut all software spending this year.",),
    "other": ("Closed the business.",),
}
NEXT_STEPS = {
    "lead": ("Call to qualify", "Find the decision maker", "Send an intro e-mail"),
    "contacted": ("Book a first meeting", "Follow-up call", "Send a case study"),
    "appointment-set": ("Prepare discovery questions", "Confirm the meeting the day before"),
    "appointment-held": ("Send the proposal", "Demo for the operations team", "Site visit"),
    "proposal": ("Walk through the proposal", "Answer the pricing questions", "Chase a reply"),
    "negotiation": ("Agree final terms", "Send the contract for signature", "Call the CFO"),
    "due": ("Send the renewal reminder", "Check usage before the renewal call"),
    "in-talks": ("Renewal call", "Present the upgrade options"),
    "quoted": ("Chase the signature on the renewal quote", "Answer questions on the quote"),
}
# When a task falls (weights): done on time, done late, overdue, today, coming, done early.
TASK_TIMING = {"done": 40, "late": 12, "overdue": 5, "today": 8, "coming": 30, "early": 5}
DEAL_TASKS = (
    "Call {contact} at {customer} about the next step",
    "Send {customer} the revised quote",
    "Prepare the demo for {customer}",
    "Follow up with {contact} on the decision date",
    "Update the deal notes after meeting {customer}",
    "Send {contact} the reference customer list",
    "Confirm who signs at {customer}",
)
CUSTOMER_TASKS = (
    "Book the onboarding call with {customer}",
    "Ask {contact} at {customer} for a referral",
    "Check in with {customer} after go-live",
    "Send {customer} the new price list",
    "Visit {customer} while in {city}",
)
OWN_TASKS = (
    "Clean up the prospect list for {city}",
    "Prepare for the Thursday pipeline review",
    "Log last week's field visits",
    "Update next steps on every open deal",
)
MANAGER_TASKS = (
    "Review the {customer} proposal with me before it goes out",
    "Get a decision date from {customer}",
    "Call {contact} back: they asked for you",
    "Give me a close plan for {customer}",
    "Bring {customer} to our one-to-one",
)
TASK_NOTES = (
    "",
    "",
    "They prefer calls before 10.",
    "Bring the case study from the Pinecrest rollout.",
    "Check the open support ticket first.",
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
    won_sales: list["Sale"] = field(default_factory=list)  # sales closed through the pipeline
    cities: tuple[tuple[str, int], ...] = ()  # the rep's territory: (city, area code)
    deals: list[Deal] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)

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
        # The jobs' in-process tasks would log a line per notification.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
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
        status = Counter(Customer.objects.values_list("status", flat=True))
        out(
            f"  {sum(status.values()):,} customers ({status[CustomerStatus.PROSPECT]} prospects, "
            f"{status[CustomerStatus.ACTIVE]} active, {status[CustomerStatus.DID_NOT_BUY]} did "
            f"not buy, {status[CustomerStatus.LOST]} lost) with {Contact.objects.count():,} "
            "contacts"
        )
        kinds = Counter(Deal.objects.values_list("stage__kind", flat=True))
        now, today = timezone.now(), demo.company.today()
        out(
            f"  {sum(kinds.values())} deals ({kinds[StageKind.OPEN]} open, of which "
            f"{Deal.objects.needing_attention(today).count()} need a next step; "
            f"{kinds[StageKind.WON]} won, {kinds[StageKind.LOST]} lost) with "
            f"{StageTransition.objects.count():,} stage changes"
        )
        out(
            f"  {Task.objects.count()} tasks ({Task.objects.open().count()} open, "
            f"{Task.objects.overdue(now).count()} overdue), "
            f"{Notification.objects.count()} notifications "
            f"({Notification.objects.unread().count()} unread)"
        )
        reviews = Counter(MonthlyReview.objects.values_list("status", flat=True))
        out(
            f"  {Goal.objects.count()} goals, {CommissionStatement.objects.count()} commission "
            f"statements, {sum(reviews.values())} monthly reviews ({reviews['acknowledged']} "
            f"acknowledged, {reviews['shared']} shared, {reviews['draft']} to annotate), "
            f"{DeviationEpisode.objects.open().count()} open deviation alerts"
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
        # Customers, deals and tasks draw from their own stream, so adding them left
        # the plans and the activity log exactly as they were.
        self.crm_rng = random.Random(SEED + 1)
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
        self._customers_and_deals()
        self._tasks()
        self._notifications()
        self._control()

    def _control(self) -> None:
        """Goals, a year of monthly results, commissions, reviews, alerts, a report pack."""
        from salesmgmt.demo.control import ControlDemo

        control = ControlDemo(self)
        control.build()
        control.after_commit_jobs()
        # What the jobs told people counts as e-mailed already, like the rest of the demo.
        Notification.objects.filter(email=True, emailed_at__isnull=True).update(emailed_at=self.now)

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
        joined = self.joined = self.now - timedelta(weeks=WEEKS + 4)

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
        """``day`` at ``hour`` (9.5 = 09:30) on the company's clock, as a UTC datetime:
        adding a timedelta to it then adds real time, even across a DST change."""
        minutes = int(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.company.tzinfo)
        return local.astimezone(UTC)

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
                price = round(rng.uniform(*self.prices[sku]), -1)
                if metric == "sales-closed" and self._through_pipeline(day):
                    rep.won_sales.append(Sale(day, key[1], sku, Decimal(price)))
                    continue  # the won deal counts it, not the hand log
                sold[key] += 1
                value[key[1:]] += price
        for (metric, channel, sku), n in sold.items():
            add(metric, n, channel, sku)
        for (channel, sku), amount in value.items():
            add("sales-value", amount, channel, sku)
        return rows

    def _through_pipeline(self, day: date) -> bool:
        recent = day > self.today - timedelta(days=PIPELINE_DAYS)
        return recent and self.crm_rng.random() < PIPELINE_SHARE

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

    # --- customers and deals --------------------------------------------------------------

    def _customers_and_deals(self) -> None:
        """Every rep's book: accounts with contacts, and deals that walked their stages."""
        rng = self.crm_rng
        self.reasons = LostReason.objects.in_bulk(field_name="key")
        self.stages = {(s.pipeline.key, s.key): s for s in Stage.objects.select_related("pipeline")}
        self.names = self._company_names()
        self.customers: list[Customer] = []
        self.contacts: list[Contact] = []
        self.first_contact: dict[int, str] = {}  # id(customer) -> contact name
        self.customer_times: dict[int, tuple[datetime, datetime]] = {}  # created, updated
        self.deal_products: dict[int, list[Product]] = {}  # id(deal) -> products
        self.deal_stories: list[tuple[Deal, list[StageTransition], list[Product]]] = []
        self.sdrs = {
            spec.name: [r.user for r in self.reps if r.team is spec and r.function == SDR]
            for spec in TEAMS
        }
        for rep in self.reps:
            rep.cities = tuple(rng.sample(CITIES[rep.team.division], rng.choice((2, 3))))
            self._book(rep)
        self._write_book()

    def _book(self, rep: Rep) -> None:
        rng = self.crm_rng
        book = DEAL_BOOK[rep.function]
        wanted = rng.randint(15, 25)
        for sale in rep.won_sales:
            customer = self._customer(
                rep, CustomerStatus.ACTIVE, SKU_SEGMENTS.get(sale.sku), channel=sale.channel
            )
            self._won_deal(rep, customer, sale)
        for n in range(_how_many(rng, book.get("open"))):
            customer = self._customer(rep, CustomerStatus.PROSPECT)
            # The demo rep always has a stale deal and one whose next step is behind.
            first_rep = rep.user.username == "rep"
            self._open_deal(rep, customer, stale=first_rep and n == 0, late=first_rep and n == 1)
        for _ in range(_how_many(rng, book.get("lost"))):
            self._lost_deal(rep, self._customer(rep, CustomerStatus.PROSPECT))
        for _ in range(_how_many(rng, book.get("renewals"))):
            self._renewal(rep, self._customer(rep, CustomerStatus.ACTIVE, (SMALL, MID, ENTERPRISE)))
        for _ in range(_how_many(rng, book.get("renewed"))):
            customer = self._customer(rep, CustomerStatus.ACTIVE, (SMALL, MID, ENTERPRISE))
            self._renewal(rep, customer, outcome=StageKind.WON)
        for _ in range(_how_many(rng, book.get("churned"))):
            customer = self._customer(rep, CustomerStatus.LOST, (SMALL, MID, ENTERPRISE))
            self._renewal(rep, customer, outcome=StageKind.LOST)

        # Accounts without a deal right now, so each status shows its usual share.
        have = Counter(c.status for c in rep.customers)
        closer = rep.function != SDR  # SDRs never had a paying customer to lose
        dnb = max(0, round(wanted * rng.uniform(0.09, 0.15)) - have[CustomerStatus.DID_NOT_BUY])
        lost = (1 + (rng.random() < 0.15)) if closer else 0
        active = {G: (3, 6), AE: (1, 3), CSM: (3, 6), SDR: (0, 0)}[rep.function]
        fillers = [CustomerStatus.DID_NOT_BUY] * dnb + [CustomerStatus.LOST] * max(
            0, lost - have[CustomerStatus.LOST]
        )
        fillers += [CustomerStatus.ACTIVE] * rng.randint(*active)
        fillers += [CustomerStatus.PROSPECT] * max(2, wanted - len(rep.customers) - len(fillers))
        for status in fillers:
            self._dormant(rep, self._customer(rep, status))

    def _company_names(self):
        """Endless unique company names per segment, shuffled by the seed."""
        rng = self.crm_rng
        pools = {}
        for segment, kinds in BUSINESSES.items():
            names = [f"{stem} {kind}" for stem in NAME_STEMS for kind in kinds]
            rng.shuffle(names)
            pools[segment] = iter(names)
        return pools

    def _customer(
        self, rep: Rep, status: str, segments: tuple[str, ...] | None = None, channel=None
    ) -> Customer:
        rng = self.crm_rng
        mix = SEGMENT_MIX[rep.function]
        if segments:
            mix = {s: w for s, w in mix.items() if s in segments} or {segments[0]: 1}
        segment = _pick(rng, mix)
        name = next(self.names[segment])
        city, area = rng.choice(rep.cities)
        domain = "".join(c for c in name.lower() if c.isalnum()) + ".example"
        channel = channel or _pick(rng, SOURCE_CHANNELS[rep.function])
        customer = Customer(
            name=name,
            owner=rep.user,
            status=status,
            segment=segment,
            source_channel=self.channels[channel],
            city=city,
            phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
            email=f"info@{domain}",
        )
        for _ in range(1 if rng.random() < 0.55 else 2):
            first, last = rng.choice(CONTACT_FIRST), rng.choice(CONTACT_LAST)
            self.contacts.append(
                Contact(
                    customer=customer,
                    name=f"{first} {last}",
                    role=rng.choice(CONTACT_ROLES[segment]),
                    phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
                    email=f"{first}.{last}@{domain}".lower(),
                )
            )
            self.first_contact.setdefault(id(customer), f"{first} {last}")
        self.customers.append(customer)
        rep.customers.append(customer)
        return customer

    def _set_reason(self, customer: Customer, mix: dict[str, int], notes=LOSS_NOTES) -> None:
        key = _pick(self.crm_rng, mix)
        customer.lost_reason = self.reasons[key]
        customer.lost_note = self.crm_rng.choice(notes[key])

    def _dormant(self, rep: Rep, customer: Customer) -> None:
        """An account with no deal in the demo's window: when it came and what it became."""
        rng = self.crm_rng
        status = customer.status
        latest = self.now - timedelta(minutes=10)

        def days_ago(low: int, high: int) -> datetime:
            day = self.today - timedelta(days=rng.randint(low, high))
            return self._working_moment_before(day, latest)

        if status == CustomerStatus.ACTIVE:  # a customer from before the demo's twelve weeks
            created = updated = days_ago(85, 110)
        elif status == CustomerStatus.PROSPECT:
            created = updated = days_ago(1, 80)
        else:
            created, updated = days_ago(40, 100), days_ago(3, 35)
            if status == CustomerStatus.LOST:
                self._set_reason(customer, CHURN, CHURN_NOTES)
            else:
                self._set_reason(customer, NO_DEAL_LOSS)
        self.customer_times[id(customer)] = (created, max(created, updated))

    # A deal's story: stages walked one by one, at working hours, ending in the past.

    def _walk(
        self, rep: Rep, deal: Deal, path: list[str], end: date, per_stage: tuple[int, int]
    ) -> list[datetime]:
        """Record ``deal`` walking ``path`` (stage keys) up to ``end``; returns the moments."""
        rng = self.crm_rng
        start = end - timedelta(days=round(sum(rng.uniform(*per_stage) for _ in path[1:])))
        moments = self._moments(start, end, len(path))
        stages = [self.stages[(deal.pipeline.key, key)] for key in path]
        new_business = deal.pipeline.key == "new-business"
        sdrs = self.sdrs[rep.team.name] if rep.function == AE and new_business else []
        sdr = rng.choice(sdrs) if sdrs else None
        moves = []
        for n, (stage, at) in enumerate(zip(stages, moments, strict=True)):
            # In an assembly line the SDR books the appointment the AE then works.
            by = sdr if sdr and stage.position <= 2 and stage.is_open else rep.user
            moves.append(
                StageTransition(
                    deal=deal,
                    from_stage=stages[n - 1] if n else None,
                    to_stage=stage,
                    at=at,
                    by=by,
                    note=deal.lost_note if stage.kind == StageKind.LOST else "",
                )
            )
        deal.stage, deal.stage_entered_at = stages[-1], moments[-1]
        if not deal.stage.is_open:
            deal.closed_on = self._local_day(moments[-1])
        self.deal_stories.append((deal, moves, self.deal_products.pop(id(deal))))
        rep.deals.append(deal)
        # The account was entered a little before its first deal.
        first_day = self._local_day(moments[0]) - timedelta(days=rng.randint(0, 3))
        created = self._at(_workday(first_day), rng.uniform(8.5, 17.5))
        created = max(min(created, moments[0] - timedelta(minutes=5)), self.joined)
        earlier = self.customer_times.get(id(deal.customer), (created, created))
        self.customer_times[id(deal.customer)] = (
            min(earlier[0], created),
            max(earlier[1], moments[-1]),
        )
        return moments

    def _local_day(self, moment: datetime) -> date:
        return timezone.localtime(moment, self.company.tzinfo).date()

    def _working_moment_before(self, day: date, latest: datetime) -> datetime:
        """A moment in working hours on ``day``, or on the latest weekday before it that
        is not after ``latest``."""
        hour = self.crm_rng.uniform(8.5, 17.5)
        day = _workday(min(day, self._local_day(latest)))
        while (moment := self._at(day, hour)) > latest:
            day = _workday(day - timedelta(days=1))
        return moment

    def _next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` if it falls in working hours (08:00-18:00 on a weekday), else the
        next working morning."""
        local = timezone.localtime(moment, self.company.tzinfo)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=local.hour >= 18)
        return self._at(_next_workday(day), self.crm_rng.uniform(8, 9.5))

    def _moments(self, start: date, end: date, n: int) -> list[datetime]:
        """``n`` moments in working hours from ``start`` to ``end``, in order, all past."""
        rng = self.crm_rng
        span = max((end - start).days, 0)
        middle = [start + timedelta(days=rng.randint(0, span)) for _ in range(n - 2)]
        days = sorted([start, *middle, end]) if n > 1 else [end]
        moments = sorted(self._at(_workday(d), rng.uniform(8.5, 17.5)) for d in days)
        for i in range(1, n):
            moments[i] = max(moments[i], moments[i - 1] + timedelta(minutes=1))
        latest = self.now - timedelta(minutes=5)
        if moments[-1] > latest:  # today's steps have not all happened yet: squeeze them
            first = moments[0]
            if first >= latest - timedelta(hours=1):
                moments = [latest - timedelta(minutes=7 * (n - 1 - i)) for i in range(n)]
            else:
                span = (latest - first) / (moments[-1] - first)
                moments = [first + (m - first) * span for m in moments]
        return moments

    def _new_business(self, rep: Rep, customer: Customer, skus: list[str], amount) -> Deal:
        label = PRODUCT_LABELS[skus[0]]
        deal = Deal(
            title=f"{customer.name}: {label}",
            customer=customer,
            owner=rep.user,
            pipeline=self.stages[("new-business", "lead")].pipeline,
            amount=Decimal(amount),
        )
        self.deal_products[id(deal)] = [self.products[sku] for sku in skus]
        return deal

    def _quote(self, segment: str) -> tuple[list[str], int, int]:
        """What a customer of ``segment`` is offered: products, sites, amount."""
        rng = self.crm_rng
        sku = _pick(rng, SEGMENT_PRODUCTS[segment])
        sites = rng.randint(*SITES[segment])
        amount = round(rng.uniform(*self.prices[sku]), -1) * sites
        skus = [sku]
        if rng.random() < 0.4:
            add_on = _pick(rng, ADD_ONS)
            skus.append(add_on)
            amount += round(rng.uniform(*self.prices[add_on]), -1)
        return skus, sites, min(amount, MAX_DEAL)

    def _won_deal(self, rep: Rep, customer: Customer, sale: Sale) -> None:
        rng = self.crm_rng
        deal = self._new_business(rep, customer, [sale.sku], sale.price)
        path = [*self._open_path("new-business"), "won"]
        self._walk(rep, deal, path, sale.day, STAGE_DAYS[rep.function])
        deal.expected_close = deal.closed_on + timedelta(days=rng.randint(-10, 12))

    def _open_path(self, pipeline: str, upto: str | None = None) -> list[str]:
        keys = [
            s.key
            for (p, _), s in sorted(self.stages.items(), key=lambda i: i[1].position)
            if p == pipeline and s.is_open
        ]
        return keys[: keys.index(upto) + 1] if upto else keys

    def _open_deal(self, rep: Rep, customer: Customer, *, stale=False, late=False) -> None:
        rng = self.crm_rng
        skus, sites, amount = self._quote(customer.segment)
        deal = self._new_business(rep, customer, skus, amount)
        if sites > 1:
            deal.title += f" ({sites} sites)"
        stage = _pick(rng, OPEN_STAGES[rep.function])
        idle = rng.randint(15, 35) if stale or rng.random() < 0.2 else rng.randint(0, 10)
        end = self.today - timedelta(days=idle)
        self._walk(rep, deal, self._open_path("new-business", stage), end, STAGE_DAYS[rep.function])
        position = deal.stage.position
        ahead = (30, 90) if position <= 1 else (14, 60) if position <= 3 else (3, 30)
        self._plan_ahead(deal, ahead, late=late)

    def _plan_ahead(self, deal: Deal, ahead: tuple[int, int], *, late=False) -> None:
        """Expected close, maybe a probability of the rep's own, and the next step."""
        rng = self.crm_rng
        if rng.random() < 0.12:  # should have closed by now
            deal.expected_close = self.today - timedelta(days=rng.randint(1, 21))
        else:
            deal.expected_close = self.today + timedelta(days=rng.randint(*ahead))
        if rng.random() < 0.12:
            shift = rng.choice((-15, -10, 10, 15, 20))
            own = deal.stage.probability + shift
            deal.probability = own if 5 <= own <= 95 else deal.stage.probability - shift
        step = rng.choice(NEXT_STEPS[deal.stage.key])
        roll = rng.random()
        if late or roll < 0.12:  # the step's date has passed: flagged on the pipeline
            deal.next_step = step
            deal.next_step_date = _workday(self.today - timedelta(days=rng.randint(1, 12)))
        elif roll < 0.18:
            pass  # no next step at all: flagged
        elif roll < 0.24:
            deal.next_step = step  # a step without a date: flagged too
        else:
            deal.next_step = step
            deal.next_step_date = _next_workday(self.today + timedelta(days=rng.randint(0, 10)))

    def _lost_deal(self, rep: Rep, customer: Customer) -> None:
        rng = self.crm_rng
        skus, sites, amount = self._quote(customer.segment)
        deal = self._new_business(rep, customer, skus, amount)
        reached = _pick(rng, LOST_AFTER[rep.function])
        early = self.stages[("new-business", reached)].position <= 2
        self._set_reason(customer, EARLY_LOSS if early else LATE_LOSS)
        deal.lost_reason, deal.lost_note = customer.lost_reason, customer.lost_note
        if rng.random() < GIVE_UP["early" if early else "late"]:
            customer.status = CustomerStatus.DID_NOT_BUY
        else:  # worth another try later: the account stays a prospect
            customer.lost_reason, customer.lost_note = None, ""
        end = _workday(self.today - timedelta(days=rng.randint(2, PIPELINE_DAYS)))
        path = [*self._open_path("new-business", reached), "lost"]
        self._walk(rep, deal, path, end, STAGE_DAYS[rep.function])
        deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 30))

    def _renewal(self, rep: Rep, customer: Customer, outcome: str = StageKind.OPEN) -> None:
        rng = self.crm_rng
        sku = RENEWAL_PRODUCTS[customer.segment]
        sites = rng.randint(*SITES[customer.segment])
        skus = [sku] + (["support-plus"] if rng.random() < 0.35 else [])
        amount = sum(round(rng.uniform(*self.prices[s]), -1) for s in skus) * sites
        deal = Deal(
            title=f"{customer.name}: {PRODUCT_LABELS[sku]} renewal",
            customer=customer,
            owner=rep.user,
            pipeline=self.stages[("renewals", "due")].pipeline,
            amount=Decimal(min(amount, MAX_DEAL)),
        )
        self.deal_products[id(deal)] = [self.products[s] for s in skus]
        # A customer since before the demo's twelve weeks: it is up for renewal.
        since = self._working_moment_before(
            self.today - timedelta(days=rng.randint(85, 110)), self.now
        )
        self.customer_times[id(customer)] = (since, since)
        per_stage = STAGE_DAYS[CSM]
        if outcome == StageKind.WON:
            end = _workday(self.today - timedelta(days=rng.randint(0, 20)))
            self._walk(rep, deal, [*self._open_path("renewals"), "won"], end, per_stage)
            deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 20))
        elif outcome == StageKind.LOST:
            self._set_reason(customer, CHURN, CHURN_NOTES)
            deal.lost_reason, deal.lost_note = customer.lost_reason, customer.lost_note
            end = _workday(self.today - timedelta(days=rng.randint(5, 60)))
            path = [*self._open_path("renewals", rng.choice(("due", "in-talks"))), "lost"]
            self._walk(rep, deal, path, end, per_stage)
            deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 14))
        else:
            stage = _pick(rng, {"due": 40, "in-talks": 35, "quoted": 25})
            end = self.today - timedelta(days=rng.randint(0, 18))
            self._walk(rep, deal, self._open_path("renewals", stage), end, per_stage)
            self._plan_ahead(deal, (5, 90))

    def _write_book(self) -> None:
        """Customers, contacts, deals, their products and transitions, then the won
        deals' activity rows exactly as the deal services write them."""
        Customer.objects.bulk_create(self.customers, batch_size=500)
        Contact.objects.bulk_create(self.contacts, batch_size=500)
        deals = [deal for deal, _, _ in self.deal_stories]
        Deal.objects.bulk_create(deals, batch_size=500)
        Deal.products.through.objects.bulk_create(
            [
                Deal.products.through(deal_id=deal.pk, product_id=product.pk)
                for deal, _, products in self.deal_stories
                for product in products
            ],
            batch_size=1000,
        )
        StageTransition.objects.bulk_create(
            [move for _, moves, _ in self.deal_stories for move in moves], batch_size=1000
        )
        # bulk_create stamps auto_now(_add) fields with the present; write the real story.
        for customer in self.customers:
            customer.created_at, customer.updated_at = self.customer_times[id(customer)]
        Customer.objects.bulk_update(self.customers, ["created_at", "updated_at"], batch_size=500)
        for deal, moves, _ in self.deal_stories:
            deal.created_at, deal.updated_at = moves[0].at, moves[-1].at
        Deal.objects.bulk_update(deals, ["created_at", "updated_at"], batch_size=500)
        self._deal_outcomes(
            [(d, m, p) for d, m, p in self.deal_stories if d.stage.kind == StageKind.WON]
        )

    def _deal_outcomes(self, won) -> None:
        """activities.deals.services._deal_outcome_rows and the change log rows, in bulk."""
        rows, changes, times = [], [], []
        for deal, moves, products in won:
            product = min(products, key=lambda p: (p.name, p.pk))  # deal.products.first()
            for key, quantity in (("sales-closed", Decimal("1")), ("sales-value", deal.amount)):
                rows.append(
                    Activity(
                        rep_id=deal.owner_id,
                        day=deal.closed_on,
                        metric=self.metrics[key],
                        quantity=quantity,
                        product=product,
                        customer_id=deal.customer_id,
                        deal=deal,
                        source=ActivitySource.DEAL,
                        external_id=f"deal-{deal.pk}-{key}",
                        created_by_id=deal.owner_id,
                        note=deal.title[:200],
                    )
                )
                times.append((moves[-1].at, moves[-1].by))
        Activity.objects.bulk_create(rows, batch_size=500)
        for row, (at, by) in zip(rows, times, strict=True):
            row.created_at = row.updated_at = at
            changes.append(
                ActivityChange(
                    activity=row,
                    rep_id=row.rep_id,
                    day=row.day,
                    action=ActivityChange.Action.CREATED,
                    by=by,
                    new=row.snapshot(),
                )
            )
        Activity.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
        ActivityChange.objects.bulk_create(changes, batch_size=500)
        for change, (at, _) in zip(changes, times, strict=True):
            change.at = at
        ActivityChange.objects.bulk_update(changes, ["at"], batch_size=500)

    # --- tasks ----------------------------------------------------------------------------

    def _tasks(self) -> None:
        tasks, times = [], []
        for rep in self.reps:
            for task, created in self._rep_tasks(rep):
                tasks.append(task)
                times.append(created)
        Task.objects.bulk_create(tasks, batch_size=500)
        for task, created in zip(tasks, times, strict=True):
            task.created_at = created
        Task.objects.bulk_update(tasks, ["created_at"], batch_size=500)
        self.tasks = tasks

    def _rep_tasks(self, rep: Rep) -> list[tuple[Task, datetime]]:
        rng = self.crm_rng
        manager = self.managers[rep.team.name]
        open_deals = [d for d in rep.deals if d.stage.is_open]
        timings = ["overdue"]  # everyone is behind on something
        if rep.user.username == "rep":
            timings += ["today", "coming"]
        timings += rng.choices(list(TASK_TIMING), list(TASK_TIMING.values()), k=rng.randint(4, 12))
        made = []
        for timing in timings:
            by_manager = rng.random() < 0.2
            deal = customer = None
            roll = rng.random()
            if open_deals and roll < 0.6:
                deal = rng.choice(open_deals)
                customer = deal.customer
            elif roll < 0.85:
                customer = rng.choice(rep.customers)
            city = customer.city if customer else rng.choice(rep.cities)[0]
            if customer is None:
                template = rng.choice(OWN_TASKS)
            elif by_manager:
                template = rng.choice(MANAGER_TASKS)
            else:
                template = rng.choice(DEAL_TASKS if deal else CUSTOMER_TASKS)
            title = template.format(
                customer=customer.name if customer else "",
                contact=self.first_contact.get(id(customer), "the buyer"),
                city=city,
            )
            due, done = self._task_times(timing)
            # Written a day to a week ahead, in working hours, and before it was done.
            before = min(due, done or due, self.now) - timedelta(minutes=30)
            created = self._working_moment_before(
                self._local_day(due) - timedelta(days=rng.randint(1, 7)), before
            )
            priority = _pick(
                rng,
                {"high": 60, "normal": 30, "low": 10}
                if by_manager
                else {"high": 20, "normal": 55, "low": 25},
            )
            task = Task(
                title=title[:200],
                notes=rng.choice(TASK_NOTES),
                assignee=rep.user,
                created_by=manager if by_manager else rep.user,
                customer=customer,
                deal=deal,
                due_at=due,
                priority=TaskPriority(priority),
                done_at=done,
            )
            made.append((task, created))
        # The demo rep's manager just gave them something to do: the bell shows it.
        if rep.user.username == "rep":
            task, _ = next((t, c) for t, c in made if t.done_at is None and t.due_at > self.now)
            task.created_by, task.priority = manager, TaskPriority.HIGH
            given = self._working_moment_before(self.today, self.now - timedelta(hours=1))
            made = [(t, given if t is task else c) for t, c in made]
        return made

    def _task_times(self, timing: str) -> tuple[datetime, datetime | None]:
        """When a task was due and when (if ever) it was done, in working hours."""
        rng = self.crm_rng
        latest = self.now - timedelta(minutes=10)
        if timing == "today":
            due = self._at(self.today, rng.uniform(9, 17.5))
            done = None
            if due < latest and rng.random() < 0.5:
                done = due - timedelta(minutes=rng.randint(10, 60))
            return due, done
        if timing in ("coming", "early"):
            day = _next_workday(self.today + timedelta(days=rng.randint(1, 14)))
            due = self._at(day, rng.uniform(9, 17.5))
            done = None
            if timing == "early":
                ago = self.today - timedelta(days=rng.randint(0, 2))
                done = self._working_moment_before(ago, latest)
            return due, done
        days_ago = rng.randint(1, 10) if timing == "overdue" else rng.randint(1, 14)
        due = self._at(_workday(self.today - timedelta(days=days_ago)), rng.uniform(9, 17.5))
        if timing == "overdue":
            return due, None
        if timing == "late":  # finished later that day, or within the next three
            done = self._next_working_moment(due + timedelta(hours=rng.uniform(0.5, 4)))
            if rng.random() < 0.3:
                day = _next_workday(self._local_day(due) + timedelta(days=rng.randint(1, 3)))
                done = self._at(day, rng.uniform(8.5, 17.5))
            return due, max(min(done, latest), due + timedelta(minutes=1))
        done = due - timedelta(minutes=rng.randint(10, 240))
        return due, max(done, self._at(self._local_day(due), 8))

    # --- notifications --------------------------------------------------------------------

    def _notifications(self) -> None:
        """What the bell would hold had the app been running: recent plan reviews, tasks
        from managers, stale deals and this morning's overdue digests. All count as
        e-mailed already, so no job sends them again."""
        self.notes: list[tuple[Notification, datetime, bool]] = []  # (row, at, read)
        self._plan_notifications()
        self._task_notifications()
        self._deal_notifications()
        self._digests()
        rows = [n for n, _, _ in self.notes]
        Notification.objects.bulk_create(rows, batch_size=500)
        rng = self.crm_rng
        for row, at, read in self.notes:
            row.created_at, row.emailed_at = at, at + timedelta(minutes=1)
            seen = self._next_working_moment(at + timedelta(hours=rng.uniform(0.1, 3)))
            if read and seen < self.now:  # read in working hours, if that has come yet
                row.read_at = seen
        Notification.objects.bulk_update(
            rows, ["created_at", "emailed_at", "read_at"], batch_size=500
        )

    def _tell(
        self,
        user: User,
        kind: str,
        key: str,
        title: str,
        at: datetime,
        *,
        read: bool,
        body: str = "",
        url: str = "",
    ) -> None:
        row = Notification(user=user, kind=kind, key=key, title=title[:200], body=body, url=url)
        self.notes.append((row, at, read))

    def _plan_notifications(self) -> None:
        """Last week's and this week's plan events, told as plans.services tells them."""
        kinds = (PlanEvent.Kind.SUBMITTED, PlanEvent.Kind.APPROVED, PlanEvent.Kind.RETURNED)
        events = list(
            PlanEvent.objects.filter(
                plan__rep__in=[r.user for r in self.reps],
                plan__week_start__gte=self.weeks[-2],
                kind__in=kinds,
            )
            .select_related("plan__rep__team__manager", "by")
            .order_by("at", "pk")
        )
        last = {}
        for event in events:
            last[event.plan_id] = event.pk
        waiting = (PlanStatus.SUBMITTED, PlanStatus.RETURNED)
        for event in events:
            plan = event.plan
            context = {"event": event, "plan": plan}
            # A plan still waiting on someone: they have not opened the news yet.
            unread = last[plan.pk] == event.pk and plan.status in waiting
            for user in plan_event_recipients(event):
                self._tell(
                    user,
                    NotificationKind.PLAN_SUBMITTED
                    if event.kind == PlanEvent.Kind.SUBMITTED
                    else NotificationKind.PLAN_REVIEWED,
                    f"plan-event:{event.pk}",
                    render_to_string("plans/weekly/email/plan_event_subject.txt", context).strip(),
                    event.at + timedelta(minutes=1),
                    read=not unread,
                    body=render_to_string("plans/weekly/email/plan_event.txt", context).strip(),
                    url=plan_url(plan),
                )

    def _task_notifications(self) -> None:
        """Tasks a manager gave: as activities.services.create_task tells the assignee."""
        # Given since the start of the last working day: not looked at yet.
        fresh_since = self._at(_workday(self.today - timedelta(days=1)), 0)
        for task in self.tasks:
            if task.created_by_id == task.assignee_id:
                continue
            fresh = task.created_at > fresh_since
            self._tell(
                task.assignee,
                NotificationKind.TASK_ASSIGNED,
                f"task-assigned:{task.pk}:{task.assignee.pk}",
                f"{task.created_by} gave you a task: {task.title}",
                task.created_at,
                read=task.done_at is not None or not fresh,
                url=f"/tasks/#task-{task.pk}",
            )

    def _last_morning(self) -> datetime:
        """The last 07:00 gone by: when the morning jobs last ran."""
        morning = self._at(self.today, 7)
        return morning if morning < self.now else morning - timedelta(days=1)

    def _deal_notifications(self) -> None:
        """This morning's stale deal alerts: no stage change for a while, or a next step
        whose date has passed."""
        at = self._last_morning()
        stale_since = at - timedelta(days=self.company.stale_deal_days)
        day = self._local_day(at)
        for rep in self.reps:
            for deal in rep.deals:
                if not deal.stage.is_open or deal.created_at > at:
                    continue
                # The same keys as activities.reminders, so its first run repeats nothing.
                if deal.stage_entered_at < stale_since:
                    since = timezone.localtime(deal.stage_entered_at, self.company.tzinfo)
                    body = f"No stage change since {since:%d %b}; it is still at {deal.stage}."
                    key = f"stale-deal:{deal.pk}:{since.date().isoformat()}"
                elif deal.next_step_date and deal.next_step_date < day:
                    body = f"The next step ({deal.next_step}) was due {deal.next_step_date:%d %b}."
                    key = f"stale-deal:{deal.pk}:next-step:{deal.next_step_date.isoformat()}"
                else:
                    continue
                self._tell(
                    rep.user,
                    NotificationKind.STALE_DEAL,
                    key,
                    f"Stale deal: {deal.title}",
                    at,
                    read=False,
                    body=body,
                    url=reverse("deals:detail", args=[deal.pk]),
                )

    def _digests(self) -> None:
        """Yesterday's (read) and this morning's (unread) overdue digests, per rep and team."""
        for days_back, read in ((1, True), (0, False)):
            at = self._last_morning() - timedelta(days=days_back)
            day = self._local_day(at)
            late: Counter = Counter()
            for task in self.tasks:
                started = task.created_at < at
                if started and task.due_at < at and (task.done_at is None or task.done_at > at):
                    late[task.assignee_id] += 1
            for rep in self.reps:
                if late[rep.user.pk]:
                    n = late[rep.user.pk]
                    self._tell(
                        rep.user,
                        NotificationKind.OVERDUE_DIGEST,
                        f"overdue-digest:{rep.user.pk}:{day.isoformat()}",
                        f"You have {n} overdue task{'s' if n > 1 else ''}",
                        at,
                        read=read,
                        url=reverse("tasks:my_day"),
                    )
            for spec in TEAMS:
                n = sum(late[r.user.pk] for r in self.reps if r.team is spec)
                if n:
                    self._tell(
                        self.managers[spec.name],
                        NotificationKind.TEAM_OVERDUE_DIGEST,
                        f"team-overdue:{self.managers[spec.name].pk}:{day.isoformat()}",
                        f"{n} overdue tasks in the {spec.name} team",
                        at,
                        read=read,
                        url=reverse("tasks:team"),
                    )


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


def _how_many(rng: random.Random, spec) -> int:
    """A count from a DEAL_BOOK entry: a (low, high) range, or the chance of one."""
    if spec is None:
        return 0
    if isinstance(spec, tuple):
        return rng.randint(*spec)
    return int(rng.random() < spec)


def _workday(day: date) -> date:
    """``day``, or the Friday before when it falls on a weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _next_workday(day: date) -> date:
    """``day``, or the Monday after when it falls on a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)
