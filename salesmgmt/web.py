"""Small helpers the page views share."""

from datetime import date

from django.core.paginator import Paginator

from salesmgmt.errors import ConflictError, RuleViolation


def apply_rule_errors(form, exc: RuleViolation | ConflictError) -> None:
    """Show a service's refusal next to the fields it names (or on top of the form); a
    conflict (somebody saved since the page was drawn) goes on top."""
    if isinstance(exc, ConflictError):
        form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def plain_number(quantity):
    """18.00 shows as 18 in a form; 4,500.50 keeps its cents."""
    if quantity is None:
        return None
    return quantity.quantize(1) if quantity == quantity.to_integral_value() else quantity


# Dates outside this range are typos, and near date.min/max week arithmetic overflows.
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)


def parse_day(value: str | None) -> date | None:
    """An ISO date from a query string, or None when missing, malformed or absurd."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None
