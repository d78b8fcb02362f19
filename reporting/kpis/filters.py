"""Filters of the deviation alerts list, shared by the page and the API."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reporting.alerts.selectors import STATUS_CHOICES, status_q
from reporting.models import DeviationEpisode, Status
from salesmgmt.filtering import PersonFilter, SharedFilterSet, visible_teams
from salesmgmt.models import CompanySettings

RECENT_DAYS = 30  # closed episodes stay listed this long
DATE = forms.DateInput(attrs={"type": "date"})


def recent_episodes(user):
    """Episodes ``user`` may see that are open or closed in the last 30 days."""
    since = CompanySettings.load().today() - timedelta(days=RECENT_DAYS)
    return DeviationEpisode.objects.visible_to(user).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=since)
    )


class AlertFilter(SharedFilterSet):
    """Deviation alerts, for the alerts page and the API (which also takes ``open``)."""

    state = django_filters.ChoiceFilter(
        choices=[
            ("open", pgettext_lazy("alert state", "Open")),
            ("snoozed", _("Snoozed")),
            ("closed", _("Closed (last 30 days)")),
        ],
        method="filter_state",
        empty_label=_("open and closed"),
        label=_("State"),
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("any"),
        label=_("Handling"),
    )
    severity = django_filters.ChoiceFilter(
        choices=[(Status.AMBER, _("Behind")), (Status.RED, _("Far behind"))],
        empty_label=_("any"),
        label=_("Severity"),
    )
    subject = django_filters.ChoiceFilter(
        choices=[("goal", _("Goals")), ("kpi", _("KPIs"))],
        method="filter_subject",
        empty_label=_("any"),
        label=_("Goal or KPI"),
    )
    rep = PersonFilter(label=_("Rep"))
    team = django_filters.ModelChoiceFilter(
        queryset=visible_teams, method="filter_team", empty_label=_("any"), label=_("Team")
    )
    opened_from = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=_("Opened from"), widget=DATE
    )
    opened_to = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=_("Opened until"), widget=DATE
    )

    open = django_filters.BooleanFilter(
        field_name="closed_on",
        lookup_expr="isnull",
        label=_("Not closed (true; snoozed ones too) or closed (false)"),
    )

    API_ONLY = ("open",)

    class Meta:
        model = DeviationEpisode
        fields = [
            "state",
            "status",
            "severity",
            "subject",
            "rep",
            "team",
            "opened_from",
            "opened_to",
            "open",
        ]

    def filter_state(self, queryset, name, value):
        today = CompanySettings.load().today()
        if value == "open":  # a snoozed alert is out of the open list until its day
            return queryset.awake(today)
        if value == "snoozed":
            return queryset.snoozed(today)
        return queryset.filter(closed_on__isnull=False)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, CompanySettings.load().today()))

    def filter_subject(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})

    def filter_team(self, queryset, name, value):
        return queryset.filter(Q(team=value) | Q(rep__team=value))
