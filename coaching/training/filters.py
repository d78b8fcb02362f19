"""The filters of training modules and assignments, one per model for pages and API.

Choices that name people, teams or modules are scoped to the person asking: one
outside it is "not a valid choice", like one that does not exist."""

import django_filters

from coaching.models import FocusArea, TrainingAssignment, TrainingModule
from coaching.training.selectors import STATUSES, filter_status
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams
from salesmgmt.models import CompanySettings


class TrainingModuleFilter(SharedFilterSet):
    topic = django_filters.ModelChoiceFilter(
        queryset=FocusArea.objects.all(), empty_label="any", label="Topic"
    )
    active = django_filters.BooleanFilter(label="Active", help_text="true: in use; false: retired.")
    onboarding = django_filters.BooleanFilter(
        label="Onboarding track", help_text="true: on the onboarding track."
    )

    class Meta:
        model = TrainingModule
        fields = ["topic", "active", "onboarding"]


class TrainingAssignmentFilter(SharedFilterSet):
    rep = PersonFilter(label="Rep", help_text="The rep's user id.")
    module = django_filters.ModelChoiceFilter(
        queryset=TrainingModule.objects.all(), empty_label="any", label="Module"
    )
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label="any", label="Team"
    )
    status = django_filters.ChoiceFilter(
        choices=STATUSES,
        method="filter_status",
        empty_label="any",
        label="Status",
        help_text="open: not done yet; overdue: open and past its due day; done: completed.",
    )

    class Meta:
        model = TrainingAssignment
        fields = ["rep", "module", "team", "status"]

    def filter_status(self, queryset, name, value):
        return filter_status(queryset, value, CompanySettings.load().today())
