"""The task list filter, shared by the team task board and the API."""

import django_filters
from django import forms
from django.utils import timezone

from activities.customers.filters import visible_customers
from activities.deals.filters import visible_deals
from activities.models import Task, TaskPriority, TaskStatus
from salesmgmt.filtering import visible_reps, visible_teams

DATE = forms.DateInput(attrs={"type": "date"})


class TaskFilter(django_filters.FilterSet):
    rep = django_filters.ModelChoiceFilter(
        field_name="assignee", queryset=visible_reps, empty_label="any", label="Rep"
    )
    team = django_filters.ModelChoiceFilter(
        field_name="assignee__team", queryset=visible_teams, empty_label="any", label="Team"
    )
    status = django_filters.ChoiceFilter(
        choices=TaskStatus.choices, method="filter_status", empty_label="any", label="Status"
    )
    priority = django_filters.ChoiceFilter(choices=TaskPriority.choices, empty_label="any")
    # Dates of due_at in the viewer's timezone (the one the middleware activates).
    due_from = django_filters.DateFilter(
        field_name="due_at", lookup_expr="date__gte", label="Due from", widget=DATE
    )
    due_to = django_filters.DateFilter(
        field_name="due_at", lookup_expr="date__lte", label="Due to", widget=DATE
    )
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, empty_label="any")
    deal = django_filters.ModelChoiceFilter(queryset=visible_deals, empty_label="any")

    class Meta:
        model = Task
        fields = ["rep", "team", "status", "priority", "due_from", "due_to", "customer", "deal"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == TaskStatus.OPEN:
            return queryset.open()
        if value == TaskStatus.OVERDUE:
            return queryset.overdue(now)
        if value == TaskStatus.DONE:
            return queryset.done()
        return queryset
