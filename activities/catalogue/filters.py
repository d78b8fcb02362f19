"""Filters for customers, deals and tasks (the API's lists; pages may share them).

Choices that name people, teams, customers or deals are scoped to the person
asking: a value outside their scope is "not a valid choice", exactly like one
that does not exist, so a filter never reveals what is hidden.
"""

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
