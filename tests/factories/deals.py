"""Customers, deals and hand-written stage histories for deal and funnel tests.

``DealFactory`` writes rows directly (no service), so a test can give every
transition the exact ``at`` it needs; ``walk`` records such a history and
leaves the deal where the history ends.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory

from activities.models import Customer, Deal, Pipeline, Stage, StageKind, StageTransition
from salesmgmt.models import CompanySettings


def pipeline(key: str = "new-business") -> Pipeline:
    return Pipeline.objects.get(key=key)


def stage(key: str, pipeline_key: str = "new-business") -> Stage:
    return Stage.objects.get(pipeline__key=pipeline_key, key=key)


def at(day: date, hour: int = 12) -> datetime:
    """``day`` at ``hour`` o'clock in the company's timezone."""
    return datetime.combine(day, time(hour), tzinfo=CompanySettings.load().tzinfo)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    owner = None


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Deal {n}")
    owner = None
    customer = factory.LazyAttribute(lambda d: CustomerFactory(owner=d.owner))
    pipeline = factory.LazyFunction(pipeline)
    stage = factory.LazyAttribute(lambda d: d.pipeline.stages.order_by("position").first())
    amount = Decimal("1000.00")
    expected_close = factory.LazyFunction(lambda: CompanySettings.load().today())
    next_step = "Call back"
    next_step_date = factory.LazyFunction(lambda: CompanySettings.load().today())
    stage_entered_at = factory.LazyFunction(lambda: at(CompanySettings.load().today(), 9))


def walk(deal: Deal, steps: list[tuple[str, datetime]], *, by, lost_reason=None) -> Deal:
    """Record ``steps`` [(stage key, at), ...] as the deal's history, oldest first.

    The first step is the creation (no from-stage); the deal ends in the last
    step's stage, closed on its date when that stage is won or lost, and its
    ``created_at`` becomes the first step's moment.
    """
    previous = None
    for key, moment in steps:
        to = Stage.objects.get(pipeline=deal.pipeline, key=key)
        StageTransition.objects.create(
            deal=deal, from_stage=previous, to_stage=to, at=moment, by=by
        )
        previous = to
    last_at = steps[-1][1]
    closed_on = None
    if previous.kind != StageKind.OPEN:
        closed_on = last_at.astimezone(CompanySettings.load().tzinfo).date()
    Deal.objects.filter(pk=deal.pk).update(
        stage=previous,
        stage_entered_at=last_at,
        closed_on=closed_on,
        created_at=steps[0][1],
        lost_reason=lost_reason if previous.kind == StageKind.LOST else None,
    )
    deal.refresh_from_db()
    return deal


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)
