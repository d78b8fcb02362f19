"""Filters for goals, shared by the goals page and the API."""

import django_filters
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from activities.models import Channel, Metric, Product
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.filtering import (
    PersonFilter,
    SharedFilterSet,
    visible_divisions,
    visible_teams,
)
from salesmgmt.models import CompanySettings

WHEN_CHOICES = [
    ("current", _("Current")),
    ("past", _("Past")),
    ("upcoming", _("Upcoming")),
    ("any", _("Any")),
]
SCOPE_ORDER = [GoalScope.COMPANY, GoalScope.DIVISION, GoalScope.TEAM, GoalScope.REP]


def top_down(goals):
    """Newest periods first; within one, company, divisions, teams, then reps."""
    rank = Case(
        *(When(scope=scope, then=Value(i)) for i, scope in enumerate(SCOPE_ORDER)),
        output_field=IntegerField(),
    )
    return goals.alias(scope_rank=rank).order_by(
        "-start",
        "scope_rank",
        "division__name",
        "team__name",
        "rep__first_name",
        "rep__last_name",
        "metric__position",
        "period",
        "pk",
    )


class GoalFilter(SharedFilterSet):
    """Goals, for the goals page and the API. The page shows current goals unless asked
    otherwise (``when``); integrations say ``current`` and may move ``as_of``."""

    when = django_filters.ChoiceFilter(
        choices=WHEN_CHOICES, method="filter_when", empty_label=None, label=_("When")
    )
    scope = django_filters.ChoiceFilter(
        label=_("For"), choices=GoalScope.choices, empty_label=_("any")
    )
    period = django_filters.ChoiceFilter(
        label=_("Period"), choices=GoalPeriod.choices, empty_label=_("any")
    )
    metric = django_filters.ModelChoiceFilter(
        label=_("Metric"),
        queryset=Metric.objects.active(),
        to_field_name="key",
        empty_label=_("any"),
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.all(),
        to_field_name="sku",
        empty_label=_("any"),
        label=_("Product"),
        help_text=_("Goals limited to this product (its SKU)."),
    )
    channel = django_filters.ModelChoiceFilter(
        queryset=Channel.objects.all(),
        field_name="channels",
        to_field_name="key",
        label=_("Channel"),
        empty_label=_("any"),
        help_text=_("Goals that name this channel (its key) among their channels."),
    )
    limited = django_filters.BooleanFilter(
        method="filter_limited",
        help_text=_(
            "true: goals limited to a product or channels; false: goals on a metric's whole total."
        ),
    )
    team = django_filters.ModelChoiceFilter(
        queryset=visible_teams,
        method="filter_team",
        empty_label=_("any"),
        label=_("Team"),
        help_text=_("The team's goals and its reps'."),
    )
    rep = PersonFilter()
    division = django_filters.ModelChoiceFilter(
        queryset=visible_divisions,
        method="filter_division",
        empty_label=_("any"),
        label=_("Division"),
        help_text=_("The division's goals, its teams' and its reps'."),
    )
    current = django_filters.BooleanFilter(
        method="filter_current",
        help_text=_("true: goals whose period holds as_of (default today); false: the others."),
    )
    as_of = django_filters.DateFilter(
        method="keep",
        help_text=_("The day figures are computed for (default: today in company time)."),
    )

    API_ONLY = ("current", "as_of", "limited")

    class Meta:
        model = Goal
        fields = [
            "when",
            "scope",
            "period",
            "metric",
            "product",
            "channel",
            "limited",
            "team",
            "rep",
            "division",
            "current",
            "as_of",
        ]

    def __init__(self, *args, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_of = as_of

    def today(self):
        """The day ``when`` and ``current`` are about: the API's ``as_of``, else the one
        the page was given, else today in company time."""
        cleaned = getattr(self.form, "cleaned_data", {})
        return cleaned.get("as_of") or self.as_of or CompanySettings.load().today()

    def filter_when(self, queryset, name, value):
        today = self.today()
        if value == "current":
            return queryset.filter(start__lte=today, end__gte=today)
        if value == "past":
            return queryset.filter(end__lt=today)
        if value == "upcoming":
            return queryset.filter(start__gt=today)
        return queryset

    def filter_current(self, queryset, name, value):
        current = Q(start__lte=self.today(), end__gte=self.today())
        return queryset.filter(current if value else ~current)

    def filter_limited(self, queryset, name, value):
        unlimited = Q(product__isnull=True, channel_key="")
        return queryset.filter(~unlimited if value else unlimited)

    def keep(self, queryset, name, value):
        return queryset

    def filter_team(self, queryset, name, value):
        return queryset.filter(Q(team=value) | Q(rep__team=value))

    def filter_division(self, queryset, name, value):
        return queryset.filter(
            Q(division=value) | Q(team__division=value) | Q(rep__team__division=value)
        )
