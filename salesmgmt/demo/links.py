"""Which customer and deal the hand-logged activity was for: a deal's stage moves were
calls, appointments and proposals the rep logged that day, and the accounts without a
move lately still had a call or a visit. Existing rows are attached, none are added, so
every total stays what the activity step made; the rows a won deal wrote name their deal
already (activities.deals.services).

Draws from a random stream of its own, so the steps after it make the same data as
before this step existed.
"""

import random
from collections import defaultdict
from datetime import timedelta

from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Activity,
    ActivitySource,
    Customer,
    StageKind,
    StageTransition,
)
from salesmgmt.demo.base import SEED, DemoCompany

# The metrics a move into a stage was logged under, the likeliest first.
MOVE_METRICS = {
    "lead": ("leads", "contacts", "calls"),
    "contacted": ("contacts", "calls"),
    "appointment-set": ("appointments-set", "contacts"),
    "appointment-held": ("appointments-held", "meetings"),
    "proposal": ("proposals", "appointments-held", "meetings"),
    "negotiation": ("meetings", "appointments-held", "calls"),
    "due": ("calls", "meetings"),
    "in-talks": ("meetings", "calls"),
    "quoted": ("proposals", "meetings"),
}
# A touch on an account without a move: the rep's usual kind of contact.
TOUCH_METRICS = ("meetings", "appointments-held", "contacts", "calls")
TOUCH_DAYS = 28
# A row is one account's only when it is small: a day's 30 calls were not all to one.
MOST = 3


def link_activity(demo: DemoCompany) -> None:
    _Links(demo).build()


class _Links:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = random.Random(SEED + 3)
        self.users = [r.user for r in demo.reps]

    def build(self) -> None:
        metrics = {m for keys in MOVE_METRICS.values() for m in keys} | set(TOUCH_METRICS)
        self.rows = defaultdict(list)  # (rep id, day, metric key) -> unlinked rows
        for row in (
            Activity.objects.filter(
                rep__in=self.users,
                source=ActivitySource.MANUAL,
                customer__isnull=True,
                metric__key__in=metrics,
                quantity__lte=MOST,
            )
            .select_related("metric")
            .order_by("pk")
        ):
            self.rows[(row.rep_id, row.day, row.metric.key)].append(row)
        self.linked: list[Activity] = []
        touched = self._moves()
        self._touches(touched)
        Activity.objects.bulk_update(self.linked, ["customer", "deal"], batch_size=1000)

    def _take(self, rep_id, day, keys):
        for key in keys:
            rows = self.rows.get((rep_id, day, key))
            if rows:
                return rows.pop(0)
        return None

    def _moves(self) -> set[int]:
        """Every move of a deal by its owner into an open stage, on a day the owner logged
        the matching metric, names the deal on that row. Returns the customers touched."""
        touched = set()
        moves = (
            StageTransition.objects.filter(
                deal__owner__in=self.users, to_stage__kind=StageKind.OPEN
            )
            .select_related("deal", "to_stage")
            .order_by("at", "pk")
        )
        for move in moves:
            if move.by_id != move.deal.owner_id:
                continue  # an SDR's booking for an AE: the SDR may not log on the AE's account
            day = self.demo.local_day(move.at)
            row = self._take(move.by_id, day, MOVE_METRICS.get(move.to_stage.key, ()))
            if row is not None:
                row.customer_id, row.deal_id = move.deal.customer_id, move.deal_id
                self.linked.append(row)
                touched.add(move.deal.customer_id)
        return touched

    def _touches(self, touched: set[int]) -> None:
        """Accounts still in play without a linked row get one recent call or visit."""
        since = self.demo.today - timedelta(days=TOUCH_DAYS)
        by_rep = defaultdict(list)
        for key, rows in self.rows.items():
            rep_id, day, metric = key
            if rows and day >= since and metric in TOUCH_METRICS:
                by_rep[rep_id].append(key)
        customers = (
            Customer.objects.filter(owner__in=self.users)
            .exclude(status__in=CLOSED_CUSTOMER_STATUSES)
            .exclude(pk__in=touched)
            .order_by("pk")
        )
        for customer in customers:
            keys = [k for k in by_rep[customer.owner_id] if self.rows[k]]
            if not keys:
                continue
            keys.sort(key=lambda k: TOUCH_METRICS.index(k[2]))
            best = [k for k in keys if k[2] == keys[0][2]]
            row = self.rows[self.rng.choice(best)].pop(0)
            row.customer_id = customer.pk
            self.linked.append(row)
