"""What every FilterSet shares: the page/API base class, scoped choices, company days.

One FilterSet per model serves its page and its API (``SharedFilterSet``). A filter
choice outside the caller's scope is "not a valid choice", exactly like a value that
does not exist, so filters never reveal what is hidden. Days are the company's.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
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


# --- Choices among thousands: search as you type ----------------------------------------------

LOOKUP_LIMIT = 20


class Lookup(forms.Widget):
    """A choice among thousands (people, customers, deals): a search box that asks a
    scoped lookup endpoint as the user types (static/js/app.js), and a hidden input with
    the chosen id. The page holds only the chosen entry, never every row; without a
    choice the filter is off. The field keeps validating ids against its scoped queryset.
    """

    def __init__(self, url_name: str, query: str = "", attrs=None):
        super().__init__(attrs)
        self.url_name, self.query = url_name, query

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        value = "" if value is None else str(value)
        chosen = (
            queryset.filter(pk=value).first() if queryset is not None and is_id(value) else None
        )
        url = reverse(self.url_name) + (f"?{self.query}" if self.query else "")
        return format_html(
            '<span class="lookup" data-lookup="{}">'
            '<input type="search" class="lookup-text" id="{}" value="{}" placeholder="{}"'
            ' autocomplete="off" aria-autocomplete="list">'
            '<input type="hidden" name="{}" value="{}">'
            '<span class="lookup-results" role="listbox" hidden></span></span>',
            url,
            attrs.get("id", ""),
            str(chosen) if chosen else "",
            gettext("Type to search"),
            name,
            value if chosen else "",
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def lookup_response(queryset, q: str, search: tuple[str, ...], label=str) -> JsonResponse:
    """The answer of a lookup endpoint: up to 20 of ``queryset`` (already scoped to the
    person asking) whose ``search`` fields contain every word of ``q``, as id and label."""
    for word in (q or "").split()[:5]:
        match = Q()
        for field in search:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(match)
    rows = queryset[:LOOKUP_LIMIT]
    return JsonResponse({"results": [{"id": row.pk, "label": label(row)} for row in rows]})


class LookupFilter(django_filters.ModelChoiceFilter):
    """A filter on one of ``scoped(request)``, chosen through the lookup endpoint
    ``url_name`` (a ``Lookup`` box), never from a list of every row."""

    def __init__(self, *args, scoped, url_name: str, query: str = "", **kwargs):
        kwargs.setdefault("queryset", scoped)
        kwargs.setdefault("empty_label", pgettext_lazy("filter", "any"))
        kwargs.setdefault("widget", Lookup(url_name, query))
        super().__init__(*args, **kwargs)


class PersonFilter(LookupFilter):
    """A rep (``role=rep``) or anyone the viewer may see, chosen by searching a name."""

    def __init__(self, *args, reps_only: bool = True, **kwargs):
        scoped, query = (visible_reps, "role=rep") if reps_only else (visible_people, "")
        super().__init__(*args, scoped=scoped, url_name="people_lookup", query=query, **kwargs)


class RepLookupForm(forms.Form):
    """One of the reps the viewer may see, found by typing a name: the rep filter of a
    page whose other choices are few (the pipeline board, the funnel). The page holds
    only the chosen rep; a company's 2,000 reps never fill a drop-down."""

    rep = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Rep"),
        widget=Lookup("people_lookup", "role=rep"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = User.objects.visible_to(user).sales_reps()


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """django-filter's yes/no select, its words in the reader's language: the library's
    own widget translates them once, when the filter class is defined (in English)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]
