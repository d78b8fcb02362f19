"""Deals and their stage history: every rep's book of won deals (the sales that went
through the pipeline), open new business, lost deals, and renewals (open, renewed or
churned), each walking its stages at working hours and ending in the past; then the won
deals' activity rows and change-log rows, as the deal services write them.

Customers come from ``salesmgmt.demo.customers``; this step decides which accounts each
rep has and writes them along with the deals.
"""

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from activities.models import (
    Activity,
    ActivityChange,
    ActivitySource,
    Customer,
    CustomerStatus,
    Deal,
    Product,
    Stage,
    StageKind,
    StageTransition,
)
from salesmgmt.demo import locales
from salesmgmt.demo.activity import PIPELINE_DAYS
from salesmgmt.demo.base import AE, CSM, SDR, DemoCompany, G, Rep, Sale, next_workday, pick, workday
from salesmgmt.demo.customers import (
    CHURN,
    CHURN_NOTES,
    CITIES,
    EARLY_LOSS,
    ENTERPRISE,
    LATE_LOSS,
    MID,
    PUBLIC,
    SMALL,
    Accounts,
)
from salesmgmt.demo.people import TEAMS

# Who buys what a won sale sold: a bistro does not buy the enterprise plan.
SKU_SEGMENTS = {
    "enterprise-plan": (MID, ENTERPRISE, PUBLIC),
    "pro-plan": (SMALL, MID, PUBLIC),
    "starter-plan": (SMALL, MID),
    "pos-kit": (SMALL, MID),
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


def load_customers_and_deals(demo: DemoCompany) -> None:
    """Every rep's book: accounts with contacts, and deals that walked their stages."""
    _Deals(demo).build()


class _Deals:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = demo.crm_rng
        self.today = demo.today
        self.now = demo.now
        self.reps = demo.reps
        self.products = demo.products
        self.prices = demo.prices

    def build(self) -> None:
        rng = self.rng
        self.accounts = Accounts(self.demo)
        self.stages = {(s.pipeline.key, s.key): s for s in Stage.objects.select_related("pipeline")}
        self.deal_products: dict[int, list[Product]] = {}  # id(deal) -> products
        self.deal_stories: list[tuple[Deal, list[StageTransition], list[Product]]] = []
        self.sdrs = {
            spec.name: [r.user for r in self.reps if r.team is spec and r.function == SDR]
            for spec in TEAMS
        }
        for rep in self.reps:
            territory = locales.CITIES.get(rep.team.language) or CITIES[rep.team.division]
            rep.cities = tuple(rng.sample(territory, rng.choice((2, 3))))
            self._book(rep)
        self._write_book()

    def _book(self, rep: Rep) -> None:
        rng = self.rng
        book = DEAL_BOOK[rep.function]
        wanted = rng.randint(15, 25)
        for sale in rep.won_sales:
            customer = self.accounts.new(
                rep, CustomerStatus.ACTIVE, SKU_SEGMENTS.get(sale.sku), channel=sale.channel
            )
            self._won_deal(rep, customer, sale)
        for n in range(_how_many(rng, book.get("open"))):
            customer = self.accounts.new(rep, CustomerStatus.PROSPECT)
            # The demo rep always has a stale deal and one whose next step is behind.
            first_rep = rep.user.username == "rep"
            self._open_deal(rep, customer, stale=first_rep and n == 0, late=first_rep and n == 1)
        for _ in range(_how_many(rng, book.get("lost"))):
            self._lost_deal(rep, self.accounts.new(rep, CustomerStatus.PROSPECT))
        for _ in range(_how_many(rng, book.get("renewals"))):
            self._renewal(
                rep, self.accounts.new(rep, CustomerStatus.ACTIVE, (SMALL, MID, ENTERPRISE))
            )
        for _ in range(_how_many(rng, book.get("renewed"))):
            customer = self.accounts.new(rep, CustomerStatus.ACTIVE, (SMALL, MID, ENTERPRISE))
            self._renewal(rep, customer, outcome=StageKind.WON)
        for _ in range(_how_many(rng, book.get("churned"))):
            customer = self.accounts.new(rep, CustomerStatus.LOST, (SMALL, MID, ENTERPRISE))
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
            self.accounts.dormant(rep, self.accounts.new(rep, status))

    # A deal's story: stages walked one by one, at working hours, ending in the past.

    def _walk(
        self, rep: Rep, deal: Deal, path: list[str], end: date, per_stage: tuple[int, int]
    ) -> list[datetime]:
        """Record ``deal`` walking ``path`` (stage keys) up to ``end``; returns the moments."""
        rng = self.rng
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
            deal.closed_on = self.demo.local_day(moments[-1])
        self.deal_stories.append((deal, moves, self.deal_products.pop(id(deal))))
        rep.deals.append(deal)
        # The account was entered a little before its first deal.
        first_day = self.demo.local_day(moments[0]) - timedelta(days=rng.randint(0, 3))
        created = self.demo.at(workday(first_day), rng.uniform(8.5, 17.5))
        created = max(min(created, moments[0] - timedelta(minutes=5)), self.demo.joined)
        earlier = self.accounts.times.get(id(deal.customer), (created, created))
        self.accounts.times[id(deal.customer)] = (
            min(earlier[0], created),
            max(earlier[1], moments[-1]),
        )
        return moments

    def _moments(self, start: date, end: date, n: int) -> list[datetime]:
        """``n`` moments in working hours from ``start`` to ``end``, in order, all past."""
        rng = self.rng
        span = max((end - start).days, 0)
        middle = [start + timedelta(days=rng.randint(0, span)) for _ in range(n - 2)]
        days = sorted([start, *middle, end]) if n > 1 else [end]
        moments = sorted(self.demo.at(workday(d), rng.uniform(8.5, 17.5)) for d in days)
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
        rng = self.rng
        sku = pick(rng, SEGMENT_PRODUCTS[segment])
        sites = rng.randint(*SITES[segment])
        amount = round(rng.uniform(*self.prices[sku]), -1) * sites
        skus = [sku]
        if rng.random() < 0.4:
            add_on = pick(rng, ADD_ONS)
            skus.append(add_on)
            amount += round(rng.uniform(*self.prices[add_on]), -1)
        return skus, sites, min(amount, MAX_DEAL)

    def _won_deal(self, rep: Rep, customer: Customer, sale: Sale) -> None:
        rng = self.rng
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
        rng = self.rng
        skus, sites, amount = self._quote(customer.segment)
        deal = self._new_business(rep, customer, skus, amount)
        if sites > 1:
            deal.title += f" ({sites} sites)"
        stage = pick(rng, OPEN_STAGES[rep.function])
        idle = rng.randint(15, 35) if stale or rng.random() < 0.2 else rng.randint(0, 10)
        end = self.today - timedelta(days=idle)
        self._walk(rep, deal, self._open_path("new-business", stage), end, STAGE_DAYS[rep.function])
        position = deal.stage.position
        ahead = (30, 90) if position <= 1 else (14, 60) if position <= 3 else (3, 30)
        self._plan_ahead(deal, ahead, late=late)

    def _plan_ahead(self, deal: Deal, ahead: tuple[int, int], *, late=False) -> None:
        """Expected close, maybe a probability of the rep's own, and the next step."""
        rng = self.rng
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
            deal.next_step_date = workday(self.today - timedelta(days=rng.randint(1, 12)))
        elif roll < 0.18:
            pass  # no next step at all: flagged
        elif roll < 0.24:
            deal.next_step = step  # a step without a date: flagged too
        else:
            deal.next_step = step
            deal.next_step_date = next_workday(self.today + timedelta(days=rng.randint(0, 10)))

    def _lost_deal(self, rep: Rep, customer: Customer) -> None:
        rng = self.rng
        skus, sites, amount = self._quote(customer.segment)
        deal = self._new_business(rep, customer, skus, amount)
        reached = pick(rng, LOST_AFTER[rep.function])
        early = self.stages[("new-business", reached)].position <= 2
        self.accounts.set_reason(customer, EARLY_LOSS if early else LATE_LOSS)
        deal.lost_reason, deal.lost_note = customer.lost_reason, customer.lost_note
        if rng.random() < GIVE_UP["early" if early else "late"]:
            customer.status = CustomerStatus.DID_NOT_BUY
        else:  # worth another try later: the account stays a prospect
            customer.lost_reason, customer.lost_note = None, ""
        end = workday(self.today - timedelta(days=rng.randint(2, PIPELINE_DAYS)))
        path = [*self._open_path("new-business", reached), "lost"]
        self._walk(rep, deal, path, end, STAGE_DAYS[rep.function])
        deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 30))

    def _renewal(self, rep: Rep, customer: Customer, outcome: str = StageKind.OPEN) -> None:
        rng = self.rng
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
        since = self.demo.working_moment_before(
            self.today - timedelta(days=rng.randint(85, 110)), self.now
        )
        self.accounts.times[id(customer)] = (since, since)
        per_stage = STAGE_DAYS[CSM]
        if outcome == StageKind.WON:
            end = workday(self.today - timedelta(days=rng.randint(0, 20)))
            self._walk(rep, deal, [*self._open_path("renewals"), "won"], end, per_stage)
            deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 20))
        elif outcome == StageKind.LOST:
            self.accounts.set_reason(customer, CHURN, CHURN_NOTES)
            deal.lost_reason, deal.lost_note = customer.lost_reason, customer.lost_note
            end = workday(self.today - timedelta(days=rng.randint(5, 60)))
            path = [*self._open_path("renewals", rng.choice(("due", "in-talks"))), "lost"]
            self._walk(rep, deal, path, end, per_stage)
            deal.expected_close = deal.closed_on + timedelta(days=rng.randint(0, 14))
        else:
            stage = pick(rng, {"due": 40, "in-talks": 35, "quoted": 25})
            end = self.today - timedelta(days=rng.randint(0, 18))
            self._walk(rep, deal, self._open_path("renewals", stage), end, per_stage)
            self._plan_ahead(deal, (5, 90))

    def _write_book(self) -> None:
        """Customers, contacts, deals, their products and transitions, then the won
        deals' activity rows exactly as the deal services write them."""
        self.accounts.write()
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
        self.accounts.write_times()  # bulk_create stamped them with the present
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
                        metric=self.demo.metrics[key],
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


def _how_many(rng: random.Random, spec) -> int:
    """A count from a DEAL_BOOK entry: a (low, high) range, or the chance of one."""
    if spec is None:
        return 0
    if isinstance(spec, tuple):
        return rng.randint(*spec)
    return int(rng.random() < spec)
