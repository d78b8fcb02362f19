from datetime import timedelta

import django_filters
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Channel, Metric, Product
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams
from salesmgmt.web import EARLIEST, LATEST


class ActivityFilter(SharedFilterSet):
    rep = PersonFilter()
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label=_("any")
    )
    metric = django_filters.ModelChoiceFilter(
        queryset=Metric.objects.all(), empty_label=_("any"), help_text=_("A metric's id.")
    )
    metric_key = django_filters.CharFilter(
        field_name="metric__key",
        label=_("Metric key"),
        help_text=_("A metric's key, e.g. `calls`."),
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.all(), empty_label=_("any"), help_text=_("A channel's id.")
    )
    channel_key = django_filters.CharFilter(
        field_name="channel__key",
        label=_("Channel key"),
        help_text=_("A channel's key, as rows and the bulk format name it."),
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.all(), empty_label=_("any"), help_text=_("A product's id.")
    )
    product_sku = django_filters.CharFilter(
        field_name="product__sku",
        label=_("Product SKU"),
        help_text=_("A product's SKU, as rows and the bulk format name it."),
    )
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("From"))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("To"))
    week = django_filters.DateFilter(method="filter_week", label=_("Week starting"))
    customer = django_filters.NumberFilter(help_text=_("A customer's id."))
    deal = django_filters.NumberFilter(help_text=_("A deal's id."))
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()

    class Meta:
        model = Activity
        fields = [
            "week",
            "rep",
            "team",
            "metric",
            "metric_key",
            "channel",
            "channel_key",
            "product",
            "product_sku",
            "day_from",
            "day_to",
            "customer",
            "deal",
            "source",
            "external_id",
        ]

    # The key/SKU twins of the channel and product choices are for integrations, which
    # know keys; the page offers the choices alone.
    API_ONLY = ("channel_key", "product_sku", "customer", "deal")

    def filter_week(self, queryset, name, value):
        if not EARLIEST <= value <= LATEST:
            return queryset.none()
        return queryset.filter(day__range=(value, value + timedelta(days=6)))
