"""Filters of the catalogue's API lists (stages of a pipeline)."""

import django_filters

from activities.models import (
    Pipeline,
    Stage,
    StageKind,
)


class StageFilter(django_filters.FilterSet):
    pipeline = django_filters.ModelChoiceFilter(
        queryset=Pipeline.objects.all(), to_field_name="key", empty_label="any"
    )
    kind = django_filters.ChoiceFilter(choices=StageKind.choices, empty_label="any")

    class Meta:
        model = Stage
        fields = ["pipeline", "kind"]
