"""Filters for customers, deals and tasks (the API's lists; pages may share them).

Choices that name people, teams, customers or deals are scoped to the person
asking: a value outside their scope is "not a valid choice", exactly like one
that does not exist, so a filter never reveals what is hidden.
"""

import django_filters
from django.db.models import Q

from activities.customers.filters import visible_customers
from activities.models import (
    Channel,
    Contact,
    Customer,
    CustomerStatus,
    LostReason,
    Segment,
)
from salesmgmt.filtering import visible_reps, visible_teams


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
