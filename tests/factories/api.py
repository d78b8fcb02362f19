"""Customers, deals, tasks and notifications for the API tests, and the API answers
they read (``invalid``, ``ids``).

Deals are made through ``activities' feature services`` so they carry their first
stage transition, as real ones do.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from activities.deals import services
from activities.models import Contact, Customer, Deal, Pipeline, Stage, Task
from salesmgmt.models import CompanySettings, Notification, NotificationKind


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    role = "Buyer"


def stage(key: str, pipeline: str = "new-business") -> Stage:
    return Stage.objects.get(pipeline__key=pipeline, key=key)


def make_deal(
    owner,
    *,
    customer: Customer | None = None,
    stage_key: str = "lead",
    pipeline: str = "new-business",
    amount: str = "1000.00",
    by=None,
    **fields,
) -> Deal:
    """A deal created the way the app creates one (with its first transition)."""
    company = CompanySettings.load()
    defaults = {
        "title": f"Deal for {owner.username}",
        "expected_close": company.today() + timedelta(days=30),
        "next_step": "Call the buyer",
        "next_step_date": company.today() + timedelta(days=3),
    }
    return services.create_deal(
        by=by or owner,
        customer=customer or CustomerFactory(owner=owner),
        owner=owner,
        pipeline=Pipeline.objects.get(key=pipeline),
        stage=stage(stage_key, pipeline),
        amount=Decimal(amount),
        **(defaults | fields),
    )


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = NotificationKind.TASK_ASSIGNED
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Notification {n}")
    email = False


def invalid(errors):
    """The 400 body every validation failure answers with."""
    return {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input; see errors.",
        "errors": errors,
    }


def ids(response):
    """The ids of a 200 list page, in order."""
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]
