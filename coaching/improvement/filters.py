"""The improvement plan filter, one for the list page and the API.

Choices that name people or teams are scoped to the person asking (a rep or team
outside the scope is "not a valid choice", like one that does not exist)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coaching.improvement.services import CLOSING_OUTCOMES, OPEN_OUTCOMES
from coaching.models import ImprovementPlan, PlanOutcome
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams

STATUSES = [
    ("open", _("Open (incl. extended)")),
    ("closed", pgettext_lazy("improvement plan", "Closed")),
    *PlanOutcome.choices,
]


class ImprovementPlanFilter(SharedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUSES,
        method="filter_status",
        empty_label=_("any"),
        label=_("Status"),
        help_text=_("open (open or extended), closed (met or not met), or one outcome."),
    )
    rep = PersonFilter(label=_("Rep"), help_text=_("The rep's user id."))
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label=_("any"), label=_("Team")
    )

    class Meta:
        model = ImprovementPlan
        fields = ["status", "rep", "team"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(outcome__in=OPEN_OUTCOMES)
        if value == "closed":
            return queryset.filter(outcome__in=CLOSING_OUTCOMES)
        return queryset.filter(outcome=value)
