import django_filters
from django.utils.translation import pgettext_lazy

from salesmgmt.filtering import PersonFilter, visible_divisions, visible_teams
from salesmgmt.models import RepFunction, Role, SalesModel, Team, User


class TeamFilter(django_filters.FilterSet):
    division = django_filters.ModelChoiceFilter(
        queryset=visible_divisions, empty_label=pgettext_lazy("filter", "any")
    )
    manager = PersonFilter(reps_only=False)
    sales_model = django_filters.ChoiceFilter(choices=SalesModel.choices)

    class Meta:
        model = Team
        fields = ["division", "manager", "sales_model"]


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    team = django_filters.ModelChoiceFilter(
        queryset=visible_teams, empty_label=pgettext_lazy("filter", "any")
    )
    division = django_filters.ModelChoiceFilter(
        field_name="team__division",
        queryset=visible_divisions,
        empty_label=pgettext_lazy("filter", "any"),
    )
    rep_function = django_filters.ChoiceFilter(choices=RepFunction.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "team", "division", "rep_function", "is_active"]
