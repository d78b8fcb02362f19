"""The task filter, one for the API (whose parameter names and meanings it keeps) and,
under the board's names, the team task board.

Choices that name people, teams, customers or deals are scoped to the person asking;
due dates are days in the company timezone.
"""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.customers.filters import CustomerChoiceFilter
from activities.deals.filters import DealChoiceFilter
from activities.models import Task, TaskPriority, TaskStatus
from salesmgmt.filtering import PersonFilter, day_bounds, visible_teams

DATE = forms.DateInput(attrs={"type": "date"})


class TaskFilter(django_filters.FilterSet):
    assignee = PersonFilter(label=_("Rep"), help_text=_("The rep's user id."))
    team = django_filters.ModelChoiceFilter(
        field_name="assignee__team",
        queryset=visible_teams,
        empty_label=_("any"),
        label=_("Team"),
    )
    status = django_filters.ChoiceFilter(
        choices=TaskStatus.choices,
        method="filter_status",
        empty_label=_("any"),
        label=_("Status"),
    )
    priority = django_filters.ChoiceFilter(
        choices=TaskPriority.choices, empty_label=_("any"), label=_("Priority")
    )
    due_from = django_filters.DateFilter(
        method="filter_due",
        label=_("Due from"),
        help_text=_("A date, in the company timezone."),
        widget=DATE,
    )
    due_to = django_filters.DateFilter(
        method="filter_due",
        label=_("Due to"),
        help_text=_("A date, in the company timezone."),
        widget=DATE,
    )
    customer = CustomerChoiceFilter()
    deal = DealChoiceFilter()

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

    def filter_due(self, queryset, name, value):
        bound = {"start": value} if name == "due_from" else {"end": value}
        return day_bounds(queryset, "due_at", **bound)


class TaskBoardFilter(TaskFilter):
    """TaskFilter under the team board's names, and nothing else: the board's links and
    bookmarks (like every page's) say ``rep`` where the API says ``assignee``."""

    RENAMED = {"assignee": "rep"}

    @classmethod
    def get_filters(cls):
        return {cls.RENAMED.get(name, name): f for name, f in super().get_filters().items()}
