"""Pagination and the one error body every API response uses.

Errors look like ``{"status": 400, "code": "invalid", "detail": "...",
"errors": {"field": ["message"]}}``; ``errors`` is present for validation
failures only.
"""

import logging
from functools import partial

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from salesmgmt.errors import ConflictError
from salesmgmt.models import User
from salesmgmt.versioning import check_version
from salesmgmt.web import EARLIEST, LATEST, KeysFirstPaginator

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
TRUE_OR_FALSE = {"true", "false", "True", "False", "1", "0"}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page_size["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
        page_size["description"] = (
            f"Results per page (default {self.page_size}, at most {self.max_page_size})."
        )
        return [page, page_size]


class KeysFirstPagination(Pagination):
    """For big tables whose ordering no index serves: the page's keys first, then its
    rows (salesmgmt.web.KeysFirstPaginator). A view with ``known_count()`` may give the
    number of rows when it knows it without counting them (None: count them)."""

    def paginate_queryset(self, queryset, request, view=None):
        count = view.known_count() if hasattr(view, "known_count") else None
        self.django_paginator_class = partial(KeysFirstPaginator, count=count)
        return super().paginate_queryset(queryset, request, view)


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=`` over the view's declared ``ordering_fields`` only (none declared:
    no ordering parameter); an unknown field is a 400, not silently ignored."""

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in getattr(view, "ordering_fields", None) or ()]

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw and getattr(view, "ordering_fields", None):
            allowed = set(self.choices(view))
            unknown = [f for f in (p.strip() for p in raw.split(",")) if f not in allowed]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            gettext("Order by one of: %(fields)s.")
                            % {"fields": ", ".join(self.choices(view))}
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    @staticmethod
    def choices(view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or ()
        return [prefix + name for name in fields for prefix in ("", "-")]

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "ordering_fields", None):
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by these fields, comma-separated; `-` sorts descending.",
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": self.choices(view)},
                },
                "style": "form",
                "explode": False,
            }
        ]


class FilterBackend(DjangoFilterBackend):
    """django-filter, except that a boolean filter given something other than true/false
    is a 400 (django-filter would quietly ignore it)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            wrong = {
                name: [gettext("Give true or false.")]
                for name, f in filterset.filters.items()
                if isinstance(f, BooleanFilter)
                and request.query_params.get(name, "") not in TRUE_OR_FALSE | {""}
            }
            if wrong:
                raise exceptions.ValidationError(wrong)
        return filterset


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object was changed by somebody else.")
    default_code = "conflict"


class StaleVersionFirst:
    """For viewsets whose rows carry ``version``: a write on a row that changed since the
    client read it is a 409 before its body is validated or any rule is checked; a
    client's out-of-date page is the first thing to tell it. Services check again on
    the locked row, so this early answer is only about which error comes first.

    Every detail write (update, delete, actions) looks its row up with get_object, so
    that is where the check sits. Actions whose ``version`` belongs to another row
    (a review's miss) are listed in ``version_of_other_rows``.
    """

    versioned = True  # read by the schema: writes document 409
    version_of_other_rows: tuple[str, ...] = ()
    version_conflict: str | None = None  # the service's own wording, where it has one

    def get_object(self):
        obj = super().get_object()
        if self.request.method in ("POST", "PUT", "PATCH", "DELETE") and (
            self.action not in self.version_of_other_rows
        ):
            sent = _sent_version(self.request)
            if sent is not None:
                check_version(obj, sent, message=self.version_conflict)
        return obj


def _sent_version(request) -> int | None:
    data = request.data
    value = data.get("version") if hasattr(data, "get") else None
    if value in (None, ""):
        value = request.query_params.get("version")  # DELETE bodies get lost on the way
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # not a number: the body's validation says so


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed attempts; this login is locked for a while.")
    default_code = "locked_out"


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a login is locked: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            _body(429, LockedOut.default_code, str(LockedOut.default_detail)), status=429
        )
    return render(request, "registration/locked_out.html", status=429)


def validation_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        exc = Conflict(exc.message)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: a bug. Log it with the traceback and answer in the usual shape.
        request = context.get("request")
        logger.error("Unhandled error on %s", getattr(request, "path", "?"), exc_info=exc)
        set_rollback()
        return JsonResponse(_body(500, "server_error", SERVER_ERROR), status=500)
    body = _body(response.status_code, _code(exc), _detail(exc))
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    response.data = body
    return response


SERVER_ERROR = _("Something went wrong on our side; it has been logged.")


def _body(status_code: int, code: str, detail: str) -> dict:
    return {"status": status_code, "code": code, "detail": str(detail)}


def _api_or_page(page_view, status_code: int, code: str, detail: str):
    """Django-level error handlers: the error shape for /api/ paths, the usual page elsewhere."""

    def handler(request, *args, **kwargs):
        if request.path.startswith(API_PREFIX):
            return JsonResponse(_body(status_code, code, detail), status=status_code)
        return page_view(request, *args, **kwargs)

    return handler


handler400 = _api_or_page(defaults.bad_request, 400, "bad_request", _("Bad request."))
handler403 = _api_or_page(
    defaults.permission_denied, 403, "permission_denied", _("You may not do this.")
)
handler404 = _api_or_page(defaults.page_not_found, 404, "not_found", _("No such URL or object."))
handler500 = _api_or_page(defaults.server_error, 500, "server_error", SERVER_ERROR)


def _code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return getattr(exc, "default_code", "error")


def _detail(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return gettext("Invalid input; see errors.")
    detail = getattr(exc, "detail", None)
    return str(detail) if detail is not None else str(exc)


class DateRangeQuerySerializer(serializers.Serializer):
    """``start``/``end`` query parameters: both or neither, in order, within sane dates
    and (unless ``max_days`` is None) not longer than a year. Subclasses add fields and
    help texts."""

    max_days: int | None = 366

    start = serializers.DateField(required=False, help_text=_("First day, with `end`."))
    end = serializers.DateField(required=False, help_text=_("Last day (included), with `start`."))

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {
                    "end" if end is None else "start": [
                        gettext("Give both start and end, or neither.")
                    ]
                }
            )
        if start and end:
            if start > end:
                raise serializers.ValidationError(
                    {"end": [gettext("end must not be before start.")]}
                )
            # Near date.min/max, comparison ranges (a year before, the range before) overflow.
            outside = [
                name
                for name, day in (("start", start), ("end", end))
                if not EARLIEST <= day <= LATEST
            ]
            if outside:
                raise serializers.ValidationError(
                    {
                        name: [
                            gettext("Give a date between %(earliest)s and %(latest)s.")
                            % {"earliest": EARLIEST, "latest": LATEST}
                        ]
                        for name in outside
                    }
                )
            if self.max_days and (end - start).days >= self.max_days:
                raise serializers.ValidationError(
                    {
                        "end": [
                            gettext("The range may span at most %(days)s days.")
                            % {"days": self.max_days}
                        ]
                    }
                )
        return attrs


# --- Fields and rules the serializers share ---------------------------------------------------


class ScopedRepField(serializers.PrimaryKeyRelatedField):
    """A rep the caller can see; anyone else is 'not found', never 'forbidden'."""

    def get_queryset(self):
        request = self.context["request"]
        return User.objects.visible_to(request.user).sales_reps()

    def to_internal_value(self, data):
        if not hasattr(self, "_by_pk"):
            self._by_pk = {o.pk: o for o in self.get_queryset()}
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self._by_pk[int(data)]
        except (KeyError, ValueError):
            self.fail("does_not_exist", pk_value=data)


VERSION = {
    "required": False,
    "help_text": _("The version you read. Required on update; a stale one answers 409."),
}


def require_version(serializer, attrs):
    if serializer.instance is not None and "version" not in attrs:
        raise serializers.ValidationError(
            {"version": [gettext("Send the version you read, so a newer save is not overwritten.")]}
        )
