"""Filters for deal lists (pages and API share them).

Choices of people, teams and customers come from the caller's scope: a value
outside it is "not a valid choice", like one that does not exist.
"""

import django_filters
from django.db.models import Q

from activities.customers.filters import visible_customers
from activities.models import Deal, Pipeline, Product, Stage, StageKind
from salesmgmt.filtering import visible_reps, visible_teams
from salesmgmt.models import CompanySettings


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    owner = django_filters.ModelChoiceFilter(queryset=visible_reps, empty_label="any")
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team", queryset=visible_teams, empty_label="any", label="Team"
    )
    customer = django_filters.ModelChoiceFilter(queryset=visible_customers, empty_label="any")
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), to_field_name="key", empty_label="any"
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=Stage.objects.select_related("pipeline"), empty_label="any"
    )
    status = django_filters.ChoiceFilter(
        field_name="stage__kind", choices=StageKind.choices, empty_label="any", label="Status"
    )
    product = django_filters.ModelChoiceFilter(
        field_name="products", queryset=Product.objects.all(), empty_label="any", label="Product"
    )
    needs_attention = django_filters.BooleanFilter(
        method="filter_attention", label="Needs attention"
    )
    expected_close_from = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="gte", label="Expected close from"
    )
    expected_close_to = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="lte", label="Expected close to"
    )
    closed_from = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label="Closed from"
    )
    closed_to = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="lte", label="Closed to"
    )

    class Meta:
        model = Deal
        fields = [
            "q",
            "owner",
            "team",
            "customer",
            "pipeline",
            "stage",
            "status",
            "product",
            "needs_attention",
            "expected_close_from",
            "expected_close_to",
            "closed_from",
            "closed_to",
        ]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value))

    def filter_attention(self, queryset, name, value):
        attention = Deal.objects.needing_attention(CompanySettings.load().today())
        if value:
            return queryset.filter(pk__in=attention.values("pk"))
        return queryset.exclude(pk__in=attention.values("pk"))


def visible_deals(request):
    if request is None:
        return Deal.objects.none()
    return Deal.objects.visible_to(request.user)
