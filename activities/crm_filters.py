"""Filters for customers, deals and tasks (the API's lists; pages may share them).

Choices that name people, teams, customers or deals are scoped to the person
asking: a value outside their scope is "not a valid choice", exactly like one
that does not exist, so a filter never reveals what is hidden.
"""

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone

from activities.models import (
    Channel,
    Contact,
    Customer,
    CustomerStatus,
    Deal,
    LostReason,
    Pipeline,
    Segment,
    Stage,
    StageKind,
    Task,
    TaskPriority,
    TaskStatus,
)
from salesmgmt.filtering import visible_customers, visible_deals, visible_reps, visible_teams
from salesmgmt.models import CompanySettings
from salesmgmt.web import EARLIEST, LATEST


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, empty_label="any")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="any")
    owner = django_filters.ModelChoiceFilter(queryset=visible_reps, empty_label="any")
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team", queryset=visible_teams, empty_label="any"
    )
    source_channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.all(), to_field_name="key", empty_label="any"
    )
    lost_reason = django_filters.ModelChoiceFilter(
        queryset=LostReason.objects.all(), to_field_name="key", empty_label="any"
    )
    external_id = django_filters.CharFilter()

    class Meta:
        model = Customer
        fields = [
            "q",
            "status",
            "segment",
            "owner",
            "team",
            "source_channel",
            "lost_reason",
            "external_id",
        ]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


class DealFilter(django_filters.FilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=visible_reps, empty_label="any")
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team", queryset=visible_teams, empty_label="any"
    )
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, empty_label="any")
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), to_field_name="key", empty_label="any"
    )
    stage = django_filters.CharFilter(
        field_name="stage__key",
        label="Stage key",
        help_text="A stage key; with `pipeline`, one stage, without it that key in every pipeline.",
    )
    status = django_filters.ChoiceFilter(
        field_name="stage__kind", choices=StageKind.choices, empty_label="any"
    )
    expected_close_from = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="gte", label="Expected close from"
    )
    expected_close_to = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="lte", label="Expected close to"
    )
    needs_attention = django_filters.BooleanFilter(
        method="filter_needs_attention",
        label="Needs attention",
        help_text="Open deals without a next step, or with a next step date in the past.",
    )
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()

    class Meta:
        model = Deal
        fields = [
            "owner",
            "team",
            "customer",
            "pipeline",
            "stage",
            "status",
            "expected_close_from",
            "expected_close_to",
            "needs_attention",
            "source",
            "external_id",
        ]

    def filter_needs_attention(self, queryset, name, value):
        flagged = Deal.objects.needing_attention(CompanySettings.load().today())
        if value:
            return queryset.filter(pk__in=flagged.values("pk"))
        return queryset.exclude(pk__in=flagged.values("pk"))


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


class ContactFilter(django_filters.FilterSet):
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, empty_label="any")
    q = django_filters.CharFilter(method="filter_q", label="Search")

    class Meta:
        model = Contact
        fields = ["customer", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


class StageFilter(django_filters.FilterSet):
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), to_field_name="key", empty_label="any"
    )
    kind = django_filters.ChoiceFilter(choices=StageKind.choices, empty_label="any")

    class Meta:
        model = Stage
        fields = ["pipeline", "kind"]
