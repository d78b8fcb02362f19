"""What the company sells and how its reps work: the products and their prices, each rep
function's daily funnel, the channel mixes; and the catalogue step, which checks that the
metrics the demo logs exist and creates the products.
"""

from dataclasses import dataclass, field

from django.core.management.base import CommandError

from activities.models import Channel, Metric, Product
from salesmgmt.demo.base import AE, CSM, SDR, DemoCompany, G
from salesmgmt.demo.people import TEAMS

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


def expected_per_day(function: str, prices: dict[str, tuple[int, int]]) -> dict[str, float]:
    """A full-pace day of a rep of ``function``: each metric's expected count."""
    funnel = FUNNELS[function]
    expected = {funnel.volume[0]: funnel.volume[1]}
    for metric, source, rate in funnel.steps:
        expected[metric] = expected[source] * rate
    if "sales-value" in funnel.metrics:
        expected["sales-value"] = expected.get("sales-closed", 0) * mean_price(
            funnel.sale_mix, prices
        ) + expected.get("upsells", 0) * mean_price(UPSELL_MIX, prices)
    return expected


def mean_price(mix: dict[str, int], prices: dict[str, tuple[int, int]]) -> float:
    if not mix:
        return 0
    total = sum(mix.values())
    return sum(w * sum(prices[sku]) / 2 for sku, w in mix.items()) / total


def load_catalogue(demo: DemoCompany) -> None:
    demo.metrics = Metric.objects.in_bulk(field_name="key")
    needed = {m for spec in TEAMS for m in spec.focus}
    needed |= {m for funnel in FUNNELS.values() for m in funnel.metrics}
    missing = needed - set(demo.metrics)
    if missing:
        raise CommandError(f"Metrics missing from the catalogue: {', '.join(sorted(missing))}.")
    demo.channels = Channel.objects.in_bulk(field_name="key")
    demo.products = {}
    demo.prices = {}
    for sku, name, low, high in PRODUCTS:
        demo.products[sku], _ = Product.objects.get_or_create(sku=sku, defaults={"name": name})
        demo.prices[sku] = (low, high)
