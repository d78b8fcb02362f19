"""The admin's "History" button of an audited model: the audit trail's history of the
object (who changed which field, old and new), instead of the admin's own log, which
misses every change made outside the admin."""

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from salesmgmt.audit.selectors import object_history


class AuditHistoryAdmin:
    """Mixed into a ModelAdmin whose model keeps an AuditedHistory."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(object)s") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "history": object_history(obj, request.GET.get("changes"), per_page=25),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)
