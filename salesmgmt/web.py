"""Small helpers the page views share."""

from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models.query import ModelIterable

from salesmgmt.errors import ConflictError, RuleViolation


def apply_rule_errors(form, exc: RuleViolation | ConflictError) -> None:
    """Show a service's refusal next to the fields it names (or on top of the form); a
    conflict (somebody saved since the page was drawn) goes on top, and so does an error
    of a hidden field (a prompt or link riding along), which has no place to show it."""
    if isinstance(exc, ConflictError):
        form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    else:
        form.add_error(None, exc.messages)


class KeysFirstPaginator(Paginator):
    """Reads a page of model rows in two steps: the page's primary keys (the ordering
    sorts narrow rows and stops at the page: a top-N sort), then those rows with their
    joins and annotations. One query in place of a join of every row before the sort:
    the admin's deal list at 100k deals, 145 -> 35 ms."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # known without a COUNT (see KeysFirstPagination)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:  # as Paginator.page: the last page takes orphans
            top = self.count
        rows = self.object_list
        if getattr(rows, "_iterable_class", None) is not ModelIterable or rows.query.combinator:
            return super().page(number)
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        by_key = {row.pk: row for row in rows.filter(pk__in=keys)}
        return self._get_page([by_key[k] for k in keys if k in by_key], number, self)


def paginate(
    request, queryset, per_page: int = 50, *, keys_first: bool = False, count: int | None = None
):
    """The ``?page=`` of ``queryset``. ``keys_first``: for orderings no index serves
    (one query more, a sort of narrow rows instead of wide ones; see KeysFirstPaginator).
    ``count``: the number of rows when the page has already counted them (no COUNT query)."""
    paginator = (KeysFirstPaginator if keys_first else Paginator)(queryset, per_page)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


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
