"""Tasks, customers and deals for the reminder job tests; rows written directly
(no service), so a test can set the exact due times and stage dates it needs.
``set_company`` sets the company's clock and thresholds; ``told`` reads who was
notified of what."""

from datetime import datetime
from decimal import Decimal

import factory

from activities.models import Customer, Deal, Pipeline, Stage, Task
from salesmgmt.models import CompanySettings, Notification


def set_company(**fields) -> CompanySettings:
    company = CompanySettings.load()
    for name, value in fields.items():
        setattr(company, name, value)
    company.save()
    return CompanySettings.load()


def told(kind=None) -> list[tuple[str, str]]:
    rows = Notification.objects.select_related("user").order_by("user__username", "pk")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.user.username, n.title) for n in rows]


def stage(key: str, pipeline_key: str = "new-business") -> Stage:
    return Stage.objects.get(pipeline__key=pipeline_key, key=key)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    owner = None


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    assignee = None
    created_by = factory.SelfAttribute("assignee")
    due_at = None


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Deal {n}")
    owner = None
    customer = factory.LazyAttribute(lambda d: CustomerFactory(owner=d.owner))
    pipeline = factory.LazyFunction(lambda: Pipeline.objects.get(key="new-business"))
    stage = factory.LazyFunction(lambda: stage("proposal"))
    amount = Decimal("12500.00")
    expected_close = factory.LazyAttribute(lambda d: d.stage_entered_at.date())
    next_step = "Send the revised quote"
    next_step_date = None
    stage_entered_at: datetime = None
