"""Filters of kudos, awards and suggestions (the API's; the feed page filters both kinds
at once with its own form through the same selectors).

Anyone may thank anyone, so people to filter by are any colleague: filtering never
widens what ``visible_to`` lets one read.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from coaching.models import Award, AwardKind, Kudos, RecognitionSuggestion, SuggestionReason
from salesmgmt.models import Team, User


def colleagues(request):
    return User.objects.all()


def teams(request):
    return Team.objects.all()


class KudosFilter(django_filters.FilterSet):
    recipient = django_filters.ModelChoiceFilter(queryset=colleagues)
    giver = django_filters.ModelChoiceFilter(queryset=colleagues)
    team = django_filters.ModelChoiceFilter(field_name="recipient__team", queryset=teams)
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Kudos
        fields = ["recipient", "giver", "team", "since"]


class AwardFilter(django_filters.FilterSet):
    recipient = django_filters.ModelChoiceFilter(queryset=colleagues)
    given_by = django_filters.ModelChoiceFilter(queryset=colleagues)
    team = django_filters.ModelChoiceFilter(field_name="recipient__team", queryset=teams)
    kind = django_filters.ChoiceFilter(choices=AwardKind.choices)
    given_from = django_filters.DateFilter(field_name="given_on", lookup_expr="gte")
    given_to = django_filters.DateFilter(field_name="given_on", lookup_expr="lte")

    class Meta:
        model = Award
        fields = ["recipient", "given_by", "team", "kind", "given_from", "given_to"]


class RecognitionSuggestionFilter(django_filters.FilterSet):
    reason = django_filters.ChoiceFilter(choices=SuggestionReason.choices)
    rep = django_filters.ModelChoiceFilter(queryset=colleagues)
    pending = django_filters.BooleanFilter(method="filter_pending", label=_("Pending only"))

    class Meta:
        model = RecognitionSuggestion
        fields = ["reason", "rep", "pending"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        pending = queryset.pending()
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))
