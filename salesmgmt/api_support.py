"""Pagination and the one error body every API response uses.

Errors look like ``{"status": 400, "code": "invalid", "detail": "...",
"errors": {"field": ["message"]}}``; ``errors`` is present for validation
failures only.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ConflictError
from .web import EARLIEST, LATEST


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object was changed by somebody else."
    default_code = "conflict"


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed attempts; this login is locked for a while."
    default_code = "locked_out"


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a login is locked: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "status": 429,
                "code": LockedOut.default_code,
                "detail": str(LockedOut.default_detail),
            },
            status=429,
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
        return None
    body = {"status": response.status_code, "code": _code(exc), "detail": _detail(exc)}
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
        extra = getattr(exc, "rows", None)
        if extra:
            body["rows"] = extra
    response.data = body
    return response


def _code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    return getattr(exc, "default_code", "error")


def _detail(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid input; see errors."
    detail = getattr(exc, "detail", None)
    return str(detail) if detail is not None else str(exc)


class DateRangeQuerySerializer(serializers.Serializer):
    """``start``/``end`` query parameters: both or neither, in order, within sane dates
    and (unless ``max_days`` is None) not longer than a year. Subclasses add fields and
    help texts."""

    max_days: int | None = 366

    start = serializers.DateField(required=False, help_text="First day, with `end`.")
    end = serializers.DateField(required=False, help_text="Last day (included), with `start`.")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"end" if end is None else "start": ["Give both start and end, or neither."]}
            )
        if start and end:
            if start > end:
                raise serializers.ValidationError({"end": ["end must not be before start."]})
            # Near date.min/max, comparison ranges (a year before, the range before) overflow.
            outside = [
                name
                for name, day in (("start", start), ("end", end))
                if not EARLIEST <= day <= LATEST
            ]
            if outside:
                raise serializers.ValidationError(
                    {name: [f"Give a date between {EARLIEST} and {LATEST}."] for name in outside}
                )
            if self.max_days and (end - start).days >= self.max_days:
                raise serializers.ValidationError(
                    {"end": [f"The range may span at most {self.max_days} days."]}
                )
        return attrs
