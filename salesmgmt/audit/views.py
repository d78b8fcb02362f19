"""The audit trail for admins: every recorded change, filtered, paged and exported."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from salesmgmt.audit.forms import AuditFilterForm
from salesmgmt.audit.selectors import AuditFilters, audit_page, audit_rows, entries
from salesmgmt.csv_export import csv_response
from salesmgmt.web import query_without_page

EXPORT_BATCH = 500


def _admin_only(request) -> None:
    """The company-wide trail is the admin's: anyone else gets a 404."""
    if not request.user.is_admin:
        raise Http404


def audit_list(request):
    _admin_only(request)
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    filters = form.filters() if request.GET and valid else AuditFilters()
    if request.GET.get("export") == "csv" and valid:
        return _export(filters)
    page = audit_page(filters, request.GET.get("page")) if valid else None
    return render(
        request,
        "salesmgmt/audit/list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


def _export(filters: AuditFilters):
    """One line per field changed (a row with no field names, one line)."""
    header = [
        _("When"),
        _("Changed by"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Action"),
        _("Field"),
        _("Old value"),
        _("New value"),
        _("Note"),
    ]
    rows = audit_rows(filters)

    def lines():
        start = 0
        while True:
            batch = list(rows[start : start + EXPORT_BATCH])
            if not batch:
                return
            for entry in entries(batch):
                when = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
                head = [when, entry.user, entry.type_label, entry.object_id, entry.object_name]
                for change in entry.changes or [None]:
                    yield [
                        *head,
                        entry.action_label,
                        change.label if change else "",
                        change.old if change else "",
                        change.new if change else "",
                        entry.note,
                    ]
            start += EXPORT_BATCH

    return csv_response("audit-trail.csv", header, lines())
