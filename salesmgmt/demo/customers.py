"""Customers and their contacts: every rep's accounts, named, placed in the rep's cities
and sized by segment; why those who did not buy (or left) did so; and accounts with no
deal in the demo's window (when they came and what they became). ``Accounts`` keeps them
for the deals step (``salesmgmt.demo.deals``), which makes most of them, and writes them.
"""

from datetime import datetime, timedelta

from activities.models import Contact, Customer, CustomerStatus, LostReason, Segment
from salesmgmt.demo import locales
from salesmgmt.demo.base import AE, CSM, SDR, DemoCompany, G, Rep, pick
from salesmgmt.demo.catalogue import CHANNEL_MIX, SALE_CHANNELS

SMALL, MID, ENTERPRISE, PUBLIC = Segment.SMALL, Segment.MID, Segment.ENTERPRISE, Segment.PUBLIC

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
SOURCE_CHANNELS = {
    G: SALE_CHANNELS[G],
    SDR: CHANNEL_MIX["leads"],
    AE: SALE_CHANNELS[AE],
    CSM: SALE_CHANNELS[AE],
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

# Why an account did not buy, or left: reasons (weights) for a deal lost at an early or a
# late stage, an account lost with no deal, a customer who did not renew; and the notes.
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


class Accounts:
    """The customers and contacts made so far, and when each customer was created and
    last updated."""

    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = demo.crm_rng
        self.reasons = LostReason.objects.in_bulk(field_name="key")
        self.names = self._company_names()
        self.local_names = {language: self._local_names(language) for language in locales.STEMS}
        self.customers: list[Customer] = []
        self.contacts: list[Contact] = []
        demo.first_contact = {}  # id(customer) -> contact name
        self.times: dict[int, tuple[datetime, datetime]] = {}  # id(customer) -> created, updated

    def _company_names(self):
        """Endless unique company names per segment, shuffled by the seed."""
        rng = self.rng
        pools = {}
        for segment, kinds in BUSINESSES.items():
            names = [f"{stem} {kind}" for stem in NAME_STEMS for kind in kinds]
            rng.shuffle(names)
            pools[segment] = iter(names)
        return pools

    def _local_names(self, language: str):
        """The same, for a team working in ``language`` (salesmgmt.demo.locales)."""
        pools = {}
        for segment, patterns in locales.BUSINESSES[language].items():
            names = [p.format(stem) for stem in locales.STEMS[language] for p in patterns]
            self.rng.shuffle(names)
            pools[segment] = iter(names)
        return pools

    def new(
        self, rep: Rep, status: str, segments: tuple[str, ...] | None = None, channel=None
    ) -> Customer:
        """A new account of ``rep``'s (in one of ``segments`` if given) with its contacts."""
        rng = self.rng
        mix = SEGMENT_MIX[rep.function]
        if segments:
            mix = {s: w for s, w in mix.items() if s in segments} or {segments[0]: 1}
        segment = pick(rng, mix)
        language = rep.team.language
        name = next((self.local_names[language] if language else self.names)[segment])
        city, area = rng.choice(rep.cities)
        domain = locales.ascii_name(name) + ".example"
        channel = channel or pick(rng, SOURCE_CHANNELS[rep.function])
        customer = Customer(
            name=name,
            owner=rep.user,
            status=status,
            segment=segment,
            source_channel=self.demo.channels[channel],
            city=city,
            phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
            email=f"info@{domain}",
        )
        firsts = locales.CONTACT_FIRST[language] if language else CONTACT_FIRST
        lasts = locales.CONTACT_LAST[language] if language else CONTACT_LAST
        roles = locales.CONTACT_ROLES[language] if language else CONTACT_ROLES
        for _ in range(1 if rng.random() < 0.55 else 2):
            first, last = rng.choice(firsts), rng.choice(lasts)
            self.contacts.append(
                Contact(
                    customer=customer,
                    name=f"{first} {last}",
                    role=rng.choice(roles[segment]),
                    phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
                    email=f"{locales.ascii_name(first)}.{locales.ascii_name(last)}@{domain}",
                )
            )
            self.demo.first_contact.setdefault(id(customer), f"{first} {last}")
        self.customers.append(customer)
        rep.customers.append(customer)
        return customer

    def set_reason(self, customer: Customer, mix: dict[str, int], notes=LOSS_NOTES) -> None:
        key = pick(self.rng, mix)
        customer.lost_reason = self.reasons[key]
        customer.lost_note = self.rng.choice(notes[key])

    def dormant(self, rep: Rep, customer: Customer) -> None:
        """An account with no deal in the demo's window: when it came and what it became."""
        rng = self.rng
        status = customer.status
        latest = self.demo.now - timedelta(minutes=10)

        def days_ago(low: int, high: int) -> datetime:
            day = self.demo.today - timedelta(days=rng.randint(low, high))
            return self.demo.working_moment_before(day, latest)

        if status == CustomerStatus.ACTIVE:  # a customer from before the demo's twelve weeks
            created = updated = days_ago(85, 110)
        elif status == CustomerStatus.PROSPECT:
            created = updated = days_ago(1, 80)
        else:
            created, updated = days_ago(40, 100), days_ago(3, 35)
            if status == CustomerStatus.LOST:
                self.set_reason(customer, CHURN, CHURN_NOTES)
            else:
                self.set_reason(customer, NO_DEAL_LOSS)
        self.times[id(customer)] = (created, max(created, updated))

    def write(self) -> None:
        Customer.objects.bulk_create(self.customers, batch_size=500)
        Contact.objects.bulk_create(self.contacts, batch_size=500)

    def write_times(self) -> None:
        # bulk_create stamps auto_now(_add) fields with the present; write the real story.
        for customer in self.customers:
            customer.created_at, customer.updated_at = self.times[id(customer)]
        Customer.objects.bulk_update(self.customers, ["created_at", "updated_at"], batch_size=500)
