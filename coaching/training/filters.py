"""The filters of training modules and assignments, one per model for pages and API.

Choices that name people, teams or modules are scoped to the person asking: one
outside it is "not a valid choice", like one that does not exist."""

import django_filters
from django.utils.translation import gettext_lazy as _

from coaching.models import FocusArea, TrainingAssignment, TrainingModule
from coaching.training.selectors import STATUSES, filter_status
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams
from salesmgmt.models import CompanySettings


class TrainingModuleFilter(SharedFilterSet):
    topic = django_filters.ModelChoiceFilter(
        queryset=FocusArea.objects.all(), empty_label=_("any"), label=_("Topic")
    )
    active = django_filters.BooleanFilter(
        label=_("Active"), help_text=_("true: in use; false: retired.")
    )
    onboarding = django_filters.BooleanFilter(
        label=_("Onboarding track"), help_text=_("true: on the onboarding track.")
    )

    class Meta:
        model = TrainingModule
        fields = ["topic", "active", "onboarding"]


class TrainingAssignmentFilter(SharedFilterSet):
    rep = PersonFilter(label=_("Rep"), help_text=_("The rep's user id."))
    module = django_filters.ModelChoiceFilter(
        queryset=TrainingModule.objects.all(), empty_label=_("any"), label=_("Module")
    )
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label=_("any"), label=_("Team")
    )
    status = django_filters.ChoiceFilter(
        choices=STATUSES,
        method="filter_status",
        empty_label=_("any"),
        label=_("Status"),
        help_text=_("open: not done yet; overdue: open and past its due day; done: completed."),
    )

    class Meta:
        model = TrainingAssignment
        fields = ["rep", "module", "team", "status"]

    def filter_status(self, queryset, name, value):
        return filter_status(queryset, value, CompanySettings.load().today())
