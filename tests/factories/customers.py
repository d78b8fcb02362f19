"""Customers, contacts, deals, transitions and tasks, written directly (no services)
so a test can build exactly the history it needs."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from activities.models import (
    Contact,
    Customer,
    CustomerStatus,
    Deal,
    LostReason,
    Pipeline,
    Stage,
    StageTransition,
    Task,
)
from salesmgmt.models import CompanySettings
from tests.factories import UserFactory


def reason(key: str) -> LostReason:
    return LostReason.objects.get(key=key)


def stage(key: str, pipeline: str = "new-business") -> Stage:
    return Stage.objects.get(pipeline__key=pipeline, key=key)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:03d}")
    owner = factory.SubFactory(UserFactory)
    status = CustomerStatus.PROSPECT

    class Params:
        did_not_buy = factory.Trait(
            status=CustomerStatus.DID_NOT_BUY,
            lost_reason=factory.LazyFunction(lambda: reason("price")),
        )
        lost = factory.Trait(
            status=CustomerStatus.LOST,
            lost_reason=factory.LazyFunction(lambda: reason("competitor")),
        )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Deal {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SelfAttribute("customer.owner")
    pipeline = factory.LazyFunction(lambda: Pipeline.objects.get(key="new-business"))
    stage = factory.LazyAttribute(lambda d: d.pipeline.stages.get(key="proposal"))
    amount = Decimal("1000.00")
    expected_close = factory.LazyFunction(
        lambda: CompanySettings.load().today() + timedelta(days=30)
    )
    stage_entered_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageTransition

    deal = factory.SubFactory(DealFactory)
    from_stage = None
    to_stage = factory.SelfAttribute("deal.stage")
    at = factory.LazyFunction(timezone.now)
    by = factory.SelfAttribute("deal.owner")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    assignee = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
