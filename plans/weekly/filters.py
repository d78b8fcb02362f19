import django_filters

from plans.models import PlanStatus, WeeklyPlan
from salesmgmt.filtering import PersonFilter, visible_teams


class WeeklyPlanFilter(django_filters.FilterSet):
    rep = PersonFilter()
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label="any"
    )
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices)
    week = django_filters.DateFilter(field_name="week_start", label="Week starting")
    week_from = django_filters.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = WeeklyPlan
        fields = ["rep", "team", "status", "week", "week_from", "week_to"]
