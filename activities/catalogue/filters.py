"""Filters of the catalogue's API lists (stages of a pipeline)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import (
    Pipeline,
    Stage,
    StageKind,
)


class StageFilter(django_filters.FilterSet):
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(),
        to_field_name="key",
        empty_label=pgettext_lazy("filter choice", "any"),
        label=_("Pipeline"),
    )
    kind = django_filters.ChoiceFilter(
        choices=StageKind.choices,
        empty_label=pgettext_lazy("filter choice", "any"),
        label=_("Kind"),
    )

    class Meta:
        model = Stage
        fields = ["pipeline", "kind"]
