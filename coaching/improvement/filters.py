"""The improvement plan filter, one for the list page and the API.

Choices that name people or teams are scoped to the person asking (a rep or team
outside the scope is "not a valid choice", like one that does not exist)."""

import django_filters

from coaching.improvement.services import CLOSING_OUTCOMES, OPEN_OUTCOMES
from coaching.models import ImprovementPlan, PlanOutcome
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams

STATUSES = [
    ("open", "Open (incl. extended)"),
    ("closed", "Closed"),
    *PlanOutcome.choices,
]


class ImprovementPlanFilter(SharedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=STATUSES,
        method="filter_status",
        empty_label="any",
        label="Status",
        help_text="open (open or extended), closed (met or not met), or one outcome.",
    )
    rep = PersonFilter(label="Rep", help_text="The rep's user id.")
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label="any", label="Team"
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
