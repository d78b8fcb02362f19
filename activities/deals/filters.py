"""The deal filter, one for the deal list page and the API (whose parameter names and
meanings it keeps).

Choices of people, teams and customers come from the caller's scope: a value
outside it is "not a valid choice", like one that does not exist.
"""

import django_filters
from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.customers.filters import CustomerChoiceFilter
from activities.models import Deal, Pipeline, Product, Stage, StageKind
from salesmgmt.filtering import (
    KeyOrIdFilter,
    LookupFilter,
    PersonFilter,
    is_id,
    visible_teams,
)
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings


def stage_key_choices():
    """The page's stage choices: each stage key once (with a pipeline, it is one stage)."""
    names = {}
    for key, name in Stage.objects.values_list("key", "name"):  # by pipeline, then position
        names.setdefault(key, translated_name(name))
    return [("", _("any")), *names.items()]


class LazySelect(forms.Select):
    """A select whose choices are read (one query) when it is drawn: on pages only."""

    def __init__(self, choices):
        super().__init__(choices=CallableChoiceIterator(choices))

    def use_required_attribute(self, initial):
        return False  # a filter is never required; asking would read the choices again


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=gettext_lazy("Search"))
    owner = PersonFilter()
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team",
        queryset=visible_teams,
        empty_label=gettext_lazy("any"),
        label=gettext_lazy("Team"),
    )
    customer = CustomerChoiceFilter()
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(),
        to_field_name="key",
        empty_label=gettext_lazy("any"),
        label=gettext_lazy("Pipeline"),
    )
    stage = django_filters.CharFilter(
        method="filter_stage",
        label=gettext_lazy("Stage"),
        help_text=gettext_lazy(
            "A stage key; with `pipeline`, one stage, without it that key in every pipeline."
        ),
        widget=LazySelect(stage_key_choices),
    )
    status = django_filters.ChoiceFilter(
        field_name="stage__kind",
        choices=StageKind.choices,
        empty_label=gettext_lazy("any"),
        label=gettext_lazy("Status"),
    )
    product = KeyOrIdFilter(
        field_name="products",
        queryset=Product.objects.all(),
        to_field_name="sku",
        empty_label=gettext_lazy("any"),
        label=gettext_lazy("Product"),
        help_text=gettext_lazy("A product SKU."),
    )
    needs_attention = django_filters.BooleanFilter(
        method="filter_attention",
        label=gettext_lazy("Needs attention"),
        help_text=gettext_lazy(
            "Open deals without a next step, with a next step date in the past, or "
            "with an expected close date in the past."
        ),
    )
    expected_close_from = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="gte", label=gettext_lazy("Expected close from")
    )
    expected_close_to = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="lte", label=gettext_lazy("Expected close to")
    )
    closed_from = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label=gettext_lazy("Closed from")
    )
    closed_to = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="lte", label=gettext_lazy("Closed to")
    )
    source = django_filters.CharFilter(label=gettext_lazy("Source"))
    external_id = django_filters.CharFilter(label=gettext_lazy("External ID"))

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
            "source",
            "external_id",
        ]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_stage(self, queryset, name, value):
        # Digits that are no stage's key are a stage id: the pages' links and bookmarks
        # named stages by id before the pages shared the API's keys.
        if is_id(value) and not Stage.objects.filter(key=value).exists():
            return queryset.filter(stage_id=value)
        return queryset.filter(stage__key=value)

    def filter_attention(self, queryset, name, value):
        attention = Deal.objects.needing_attention(CompanySettings.load().today())
        if value:
            return queryset.filter(pk__in=attention.values("pk"))
        return queryset.exclude(pk__in=attention.values("pk"))


def visible_deals(request):
    if request is None:
        return Deal.objects.none()
    return Deal.objects.visible_to(request.user)


class DealChoiceFilter(LookupFilter):
    """A deal the viewer may see, chosen by searching its title or customer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, scoped=visible_deals, url_name="deals:lookup", **kwargs)
