"""What every FilterSet shares: the page/API base class, scoped choices, company days.

One FilterSet per model serves its page and its API (``SharedFilterSet``). A filter
choice outside the caller's scope is "not a valid choice", exactly like a value that
does not exist, so filters never reveal what is hidden. Days are the company's.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import ModelChoiceField

from salesmgmt.models import CompanySettings, Division, Team, User
from salesmgmt.web import EARLIEST, LATEST


class SharedFilterSet(django_filters.FilterSet):
    """The one FilterSet of a model, for its list page and its API.

    The API takes every filter (its schema lists them); ``for_page`` drops the
    ``API_ONLY`` ones from the page's form: twins of a choice for integrations, which
    know keys and ids, and parameters a page sets for itself (``as_of``)."""

    API_ONLY: tuple[str, ...] = ()

    @classmethod
    def for_page(cls, *args, **kwargs):
        filterset = cls(*args, **kwargs)
        for name in cls.API_ONLY:
            filterset.filters.pop(name)
        return filterset


def day_bounds(queryset, field: str, *, start: date | None = None, end: date | None = None):
    """Rows whose datetime ``field`` falls on company days ``start``..``end`` (inclusive).

    Days are the company's (its timezone), like every business date; absurd
    dates match nothing rather than overflow.
    """
    zone = CompanySettings.load().tzinfo
    for day in (start, end):
        if day is not None and not EARLIEST <= day <= LATEST:
            return queryset.none()
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": datetime.combine(start, time.min, zone)})
    if end is not None:
        after = datetime.combine(end + timedelta(days=1), time.min, zone)
        queryset = queryset.filter(**{f"{field}__lt": after})
    return queryset


def is_id(value) -> bool:
    """Whether a query-string value reads as a row id (ASCII digits)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


class KeyOrIdField(ModelChoiceField):
    """A catalogue entry by its key (``to_field_name``). Digits that are no entry's key
    are read as the entry's id: the pages named entries by id before they shared the
    API's keys, and their links and bookmarks still do."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            found = self.queryset.filter(pk=value).first() if is_id(value) else None
            if found is None:
                raise
            return found


class KeyOrIdFilter(django_filters.ModelChoiceFilter):
    field_class = KeyOrIdField


def visible_reps(request):
    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user).sales_reps()


def visible_people(request):
    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user)


def visible_teams(request):
    if request is None:
        return Team.objects.none()
    return Team.objects.visible_to(request.user)


def visible_divisions(request):
    if request is None:
        return Division.objects.none()
    return Division.objects.filter(teams__in=Team.objects.visible_to(request.user)).distinct()
