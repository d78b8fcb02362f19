"""Tasks, the customers and deals they link to, and notifications, for task and
notification page tests. Rows are written directly (no service), so a test can
give each task the exact ``due_at`` and ``done_at`` it needs."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory

from activities.models import Customer, Deal, Pipeline, Task
from salesmgmt.models import CompanySettings, Notification, NotificationKind


def company_time(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` in the company's timezone."""
    return datetime.combine(day, time(hour, minute), tzinfo=CompanySettings.load().tzinfo)


def company_day(offset: int = 0) -> date:
    """The company date ``offset`` days from today."""
    return CompanySettings.load().today() + timedelta(days=offset)


class TaskCustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Harbour Supplies {n}")
    owner = None


class TaskDealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Forklift fleet {n}")
    owner = None
    customer = factory.LazyAttribute(lambda d: TaskCustomerFactory(owner=d.owner))
    pipeline = factory.LazyFunction(lambda: Pipeline.objects.get(key="new-business"))
    stage = factory.LazyAttribute(lambda d: d.pipeline.stages.order_by("position").first())
    amount = Decimal("1000.00")
    expected_close = factory.LazyFunction(company_day)
    stage_entered_at = factory.LazyFunction(lambda: company_time(company_day(), 9))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Call back about the quote {n}")
    assignee = None
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(lambda: company_time(company_day(1), 10))


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = None
    kind = NotificationKind.TASK_ASSIGNED
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Maria gave you a task: call supplier {n}")
    url = "/tasks/"
