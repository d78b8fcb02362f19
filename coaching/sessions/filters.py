"""The coaching session filter, one for the session list page and the API.

People are scoped to the viewer (a rep outside scope is "not a valid choice"); from and
to are days in the company timezone."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from coaching.models import CoachingSession, SessionActionItem, SessionKind, SessionStatus
from salesmgmt.filtering import PersonFilter, day_bounds, visible_people

DATE = forms.DateInput(attrs={"type": "date"})


class SessionFilter(django_filters.FilterSet):
    rep = PersonFilter(label=_("Rep"), help_text=_("The rep's user id."))
    coach = PersonFilter(reps_only=False, label=_("Coach"), help_text=_("The coach's user id."))
    kind = django_filters.ChoiceFilter(choices=SessionKind.choices, empty_label=_("any"))
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices, empty_label=_("any"))
    focus = django_filters.CharFilter(
        field_name="focus_areas__key", label=_("Focus area"), help_text=_("A focus area's key.")
    )
    start = django_filters.DateFilter(
        field_name="starts_at",
        method="filter_from",
        label=_("From"),
        help_text=_("First day (company timezone) the session starts on."),
        widget=DATE,
    )
    end = django_filters.DateFilter(
        field_name="starts_at",
        method="filter_to",
        label=_("To"),
        help_text=_("Last day (company timezone, included) the session starts on."),
        widget=DATE,
    )

    class Meta:
        model = CoachingSession
        fields = ["rep", "coach", "kind", "status", "focus"]

    def filter_from(self, queryset, name, value):
        return day_bounds(queryset, "starts_at", start=value)

    def filter_to(self, queryset, name, value):
        return day_bounds(queryset, "starts_at", end=value)


# The parameters are ``from`` and ``to`` (Python keywords, so renamed after the class).
SessionFilter.base_filters = {
    {"start": "from", "end": "to"}.get(name, name): f
    for name, f in SessionFilter.base_filters.items()
}


class ActionItemFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter(field_name="session", help_text=_("A session's id."))
    owner = django_filters.ModelChoiceFilter(queryset=visible_people, help_text=_("A user id."))
    open = django_filters.BooleanFilter(
        field_name="task__done_at", lookup_expr="isnull", help_text=_("true: not done yet.")
    )

    class Meta:
        model = SessionActionItem
        fields = ["session", "owner", "open"]
