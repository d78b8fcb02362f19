import django_filters
from django.utils.translation import gettext_lazy as _

from plans.models import PlanStatus, WeeklyPlan
from salesmgmt.filtering import PersonFilter, visible_teams


class WeeklyPlanFilter(django_filters.FilterSet):
    rep = PersonFilter()
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label=_("any"), label=_("Team")
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=PlanStatus.choices)
    week = django_filters.DateFilter(field_name="week_start", label=_("Week starting"))
    week_from = django_filters.DateFilter(
        field_name="week_start", lookup_expr="gte", label=_("Weeks from")
    )
    week_to = django_filters.DateFilter(
        field_name="week_start", lookup_expr="lte", label=_("Weeks to")
    )

    class Meta:
        model = WeeklyPlan
        fields = ["rep", "team", "status", "week", "week_from", "week_to"]
