"""Filters for customers, deals and tasks (the API's lists; pages may share them).

Choices that name people, teams, customers or deals are scoped to the person
asking: a value outside their scope is "not a valid choice", exactly like one
that does not exist, so a filter never reveals what is hidden.
"""

import django_filters

from activities.customers.filters import visible_customers
from activities.models import (
    Deal,
    Pipeline,
    StageKind,
)
from salesmgmt.filtering import visible_reps, visible_teams
from salesmgmt.models import CompanySettings


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
