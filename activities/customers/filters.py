"""Filters for customers and contacts: one FilterSet per model, shared by the pages and
the API (whose parameter names and meanings they keep), and the lost-customers report.

Choices that name people, teams, customers or deals are scoped to the person asking: a
value outside their scope is "not a valid choice", exactly like one that does not exist,
so a filter never reveals what is hidden. Days are the company's (its timezone).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Channel,
    Contact,
    Customer,
    CustomerStatus,
    LostReason,
    Segment,
)
from salesmgmt.filtering import (
    KeyOrIdFilter,
    LookupFilter,
    PersonFilter,
    day_bounds,
    visible_teams,
)


def visible_customers(request):
    if request is None:
        return Customer.objects.none()
    return Customer.objects.visible_to(request.user)


class CustomerChoiceFilter(LookupFilter):
    """A customer the viewer may see, chosen by searching its name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, scoped=visible_customers, url_name="customers:lookup", **kwargs)


CLOSED = "closed"  # did not buy or lost: the customers the report counts
ANY = pgettext_lazy("filter choice", "any")


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[*CustomerStatus.choices, (CLOSED, _("Did not buy or lost"))],
        method="filter_status",
        empty_label=ANY,
        label=_("Status"),
    )
    segment = django_filters.ChoiceFilter(
        choices=Segment.choices, empty_label=ANY, label=_("Segment")
    )
    owner = PersonFilter(label=_("Owner"))
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team", queryset=visible_teams, empty_label=ANY, label=_("Team")
    )
    source_channel = KeyOrIdFilter(
        queryset=Channel.objects.all(),
        to_field_name="key",
        empty_label=ANY,
        label=_("Source channel"),
        help_text=_("A channel key."),
    )
    lost_reason = KeyOrIdFilter(
        queryset=LostReason.objects.all(),
        to_field_name="key",
        empty_label=ANY,
        label=_("Why not bought"),
        help_text=_("A lost-reason key."),
    )
    created_from = django_filters.DateFilter(
        method="filter_created",
        label=_("Created from"),
        help_text=_("A date, in the company timezone."),
    )
    created_to = django_filters.DateFilter(
        method="filter_created",
        label=_("Created to"),
        help_text=_("A date, in the company timezone."),
    )
    external_id = django_filters.CharFilter(label=_("External ID"))

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
            "created_from",
            "created_to",
            "external_id",
        ]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        if value == CLOSED:
            return queryset.filter(status__in=CLOSED_CUSTOMER_STATUSES)
        return queryset.filter(status=value)

    def filter_created(self, queryset, name, value):
        bound = {"start": value} if name == "created_from" else {"end": value}
        return day_bounds(queryset, "created_at", **bound)


class ContactFilter(django_filters.FilterSet):
    customer = CustomerChoiceFilter(label=_("Customer"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Contact
        fields = ["customer", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


class LostCustomerFilter(django_filters.FilterSet):
    """Who did not buy and why: closed customers, narrowed by period and people."""

    DATE_FIELDS = {"updated": "updated_at", "created": "created_at"}

    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in CLOSED_CUSTOMER_STATUSES],
        empty_label=_("did not buy or lost"),
        label=_("Status"),
    )
    period_by = django_filters.ChoiceFilter(
        choices=[("updated", _("Last changed")), ("created", _("Created"))],
        method="filter_nothing",
        empty_label=None,
        label=_("Period by"),
    )
    start = django_filters.DateFilter(method="filter_period", label=_("From"))
    end = django_filters.DateFilter(method="filter_period", label=_("To"))
    owner = PersonFilter(label=_("Owner"))
    team = django_filters.ModelChoiceFilter(
        field_name="owner__team", queryset=visible_teams, empty_label=ANY, label=_("Team")
    )
    segment = django_filters.ChoiceFilter(
        choices=Segment.choices, empty_label=ANY, label=_("Segment")
    )
    lost_reason = django_filters.ModelChoiceFilter(
        queryset=LostReason.objects.all(), empty_label=ANY, label=_("Reason")
    )

    class Meta:
        model = Customer
        fields = ["status", "period_by", "start", "end", "owner", "team", "segment", "lost_reason"]

    @property
    def qs(self):
        return super().qs.filter(status__in=CLOSED_CUSTOMER_STATUSES)

    @property
    def date_field(self) -> str:
        """The datetime the period (and the by-month table) is read from."""
        chosen = self.form.cleaned_data.get("period_by") if self.form.is_valid() else None
        return self.DATE_FIELDS.get(chosen or "updated", "updated_at")

    def filter_nothing(self, queryset, name, value):
        return queryset  # period_by only says what start and end refer to

    def filter_period(self, queryset, name, value):
        bound = {"start": value} if name == "start" else {"end": value}
        return day_bounds(queryset, self.date_field, **bound)
