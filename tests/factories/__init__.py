from datetime import timedelta
from decimal import Decimal

import factory

from activities.models import Activity, Metric
from plans.models import PlanTarget, WeeklyPlan
from salesmgmt.models import CompanySettings, Division, Role, Team, User


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    name = factory.Sequence(lambda n: f"Division {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    division = factory.SubFactory(DivisionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.REP
    password = factory.django.Password("correct-horse-battery")


def this_week() -> "date":  # noqa: F821
    company = CompanySettings.load()
    return company.week_of(company.today())


class WeeklyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyPlan

    rep = factory.SubFactory(UserFactory)
    week_start = factory.LazyFunction(this_week)
    objectives = "Open three new accounts in the harbour district."


class PlanTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTarget

    plan = factory.SubFactory(WeeklyPlanFactory)
    metric = factory.LazyFunction(lambda: Metric.objects.get(key="calls"))
    planned = Decimal("50")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    rep = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(lambda: CompanySettings.load().today())
    metric = factory.LazyFunction(lambda: Metric.objects.get(key="calls"))
    quantity = Decimal("10")
    created_by = factory.SelfAttribute("rep")


def days_ago(n: int):
    return CompanySettings.load().today() - timedelta(days=n)
