"""Filters for commission statements (the list page and the API share them).

People and teams to choose from come from the caller's scope: a value outside it is
"not a valid choice", like one that does not exist.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from reporting.models import CommissionStatement
from salesmgmt.filtering import PersonFilter, visible_teams


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input); the 1st of that month."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-03"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class CommissionStatementFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="month", label=_("Month"), help_text=_("YYYY-MM"))
    rep = PersonFilter(reps_only=False)
    team = django_filters.ModelChoiceFilter(
        field_name="rep__team", queryset=visible_teams, empty_label=_("any"), label=_("Team")
    )

    class Meta:
        model = CommissionStatement
        fields = ["month", "rep", "team"]
