"""Filters for customers, deals and tasks (the API's lists; pages may share them).

Choices that name people, teams, customers or deals are scoped to the person
asking: a value outside their scope is "not a valid choice", exactly like one
that does not exist, so a filter never reveals what is hidden.
"""

from datetime import datetime, time, timedelta

import django_filters
from django.utils import timezone

from activities.customers.filters import visible_customers
from activities.deals.filters import visible_deals
from activities.models import (
    Task,
    TaskPriority,
    TaskStatus,
)
from salesmgmt.filtering import visible_reps, visible_teams
from salesmgmt.models import CompanySettings
from salesmgmt.web import EARLIEST, LATEST


def _start_of(day):
    """The first instant of a business date, in the company timezone."""
    return datetime.combine(day, time.min, tzinfo=CompanySettings.load().tzinfo)


class TaskFilter(django_filters.FilterSet):
    assignee = django_filters.ModelChoiceFilter(queryset=visible_reps, empty_label="any")
    team = django_filters.ModelChoiceFilter(
        field_name="assignee__team", queryset=visible_teams, empty_label="any"
    )
    status = django_filters.ChoiceFilter(
        choices=TaskStatus.choices, method="filter_status", empty_label="any"
    )
    priority = django_filters.ChoiceFilter(choices=TaskPriority.choices, empty_label="any")
    due_from = django_filters.DateFilter(
        method="filter_due_from", label="Due from", help_text="A date, in the company timezone."
    )
    due_to = django_filters.DateFilter(
        method="filter_due_to", label="Due to", help_text="A date, in the company timezone."
    )
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, empty_label="any")
    deal = django_filters.ModelChoiceFilter(queryset=visible_deals, empty_label="any")

    class Meta:
        model = Task
        fields = [
            "assignee",
            "team",
            "status",
            "priority",
            "due_from",
            "due_to",
            "customer",
            "deal",
        ]

    def filter_status(self, queryset, name, value):
        if value == TaskStatus.OVERDUE:
            return queryset.overdue(timezone.now())
        if value == TaskStatus.DONE:
            return queryset.done()
        return queryset.open()

    def filter_due_from(self, queryset, name, value):
        if not EARLIEST <= value <= LATEST:
            return queryset.none()
        return queryset.filter(due_at__gte=_start_of(value))

    def filter_due_to(self, queryset, name, value):
        if not EARLIEST <= value <= LATEST:
            return queryset.none()
        return queryset.filter(due_at__lt=_start_of(value + timedelta(days=1)))
