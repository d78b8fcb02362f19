"""Twelve weeks of activity: each rep's working days, made by their function's funnel
(calls become contacts, appointments, proposals, sales), paced by their style and the
week, broken down by channel and product; and a few numbers corrected the next morning,
so the change log has a story.

Sales of the last eight weeks sometimes went through the pipeline instead: those are kept
on the rep (``Rep.won_sales``) for the deals step to close as won deals, and not logged
here, so no sale counts twice.
"""

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from activities.models import Activity, ActivityChange
from salesmgmt.demo.base import DemoCompany, Rep, Sale, pick
from salesmgmt.demo.catalogue import (
    CHANNEL_MIX,
    FUNNELS,
    SALE_CHANNELS,
    UPSELL_CHANNELS,
    UPSELL_MIX,
)

# Mondays and Fridays are lighter; the weights average 1.
WEEKDAY_PACE = {0: 0.9, 1: 1.08, 2: 1.1, 3: 1.05, 4: 0.87}
# Share of a normal day already logged when the demo loads.
TODAY_SO_FAR = 0.6
PIPELINE_DAYS = 56  # sales of the last eight weeks may have gone through the pipeline...
PIPELINE_SHARE = 0.1  # ...and this share of them did: won deals instead of hand-logged rows


def load_activity(demo: DemoCompany) -> None:
    """The activity log, and the corrections in its change log."""
    _Activity(demo).build()


class _Activity:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = demo.rng
        self.company = demo.company
        self.today = demo.today
        self.now = demo.now
        self.reps = demo.reps
        self.managers = demo.managers
        self.weeks = demo.weeks
        self.working_days = demo.working_days

    def build(self) -> None:
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
            logged = min(self.demo.at(day, 17.5), self.now)
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
                        metric=self.demo.metrics[metric],
                        quantity=Decimal(quantity).quantize(Decimal("0.01")),
                        channel=self.demo.channels.get(channel),
                        product=self.demo.products.get(product),
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
                sku = pick(rng, mix)
                key = (metric, pick(rng, channels), sku)
                price = round(rng.uniform(*self.demo.prices[sku]), -1)
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
        return recent and self.demo.crm_rng.random() < PIPELINE_SHARE

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
            logged = self.demo.at(activity.day, 17.5)
            edited = self.demo.at(activity.day + timedelta(days=1), rng.uniform(8.5, 10))
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


def _spread(rng: random.Random, n: int, mix: dict[str, int]) -> Counter:
    return Counter(rng.choices(list(mix), list(mix.values()), k=n))
