"""The company monthly report (print-friendly) and the admin's report packs."""

from django.contrib import messages
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from reporting.models import ReportKind, ReportPack
from reporting.packs.forms import ReportPackForm
from reporting.packs.services import build_pack_email, delete_report_pack, save_pack, send_pack_now
from salesmgmt.calendar import previous_month
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings
from salesmgmt.web import apply_rule_errors

# --- Report packs (admins) ------------------------------------------------------------------------


def _admin_only(request) -> None:
    """Report packs are configuration: admins only; anyone else gets a 404."""
    if not request.user.is_admin:
        raise Http404


def _pack(request, pk) -> ReportPack:
    _admin_only(request)
    return get_object_or_404(ReportPack, pk=pk)


def pack_list(request):
    _admin_only(request)
    packs = ReportPack.objects.annotate(
        recipient_count=Count("recipients", distinct=True),
        last_sent_month=Max("deliveries__month"),
        last_sent_at=Max("deliveries__sent_at"),
    ).order_by("name")
    labels = dict(ReportKind.choices)
    return render(
        request,
        "reporting/packs/list.html",
        {
            "packs": [
                (pack, [labels.get(k, k) for k in pack.reports], len(pack.extra_emails.split()))
                for pack in packs
            ],
            "last_month": previous_month(CompanySettings.load().today()),
        },
    )


def _save(request, form: ReportPackForm, pack: ReportPack | None):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return save_pack(
            by=request.user,
            pack=pack,
            name=data["name"],
            reports=data["reports"],
            recipients=list(data["recipients"]),
            extra_emails=data["extra_emails"],
            day_of_month=data["day_of_month"],
            hour=data["hour"],
            active=data["active"],
            version=data["version"] if pack is not None else None,
        )
    except (ConflictError, RuleViolation) as exc:
        apply_rule_errors(form, exc)
        return None


@require_http_methods(["GET", "POST"])
def pack_create(request):
    _admin_only(request)
    form = ReportPackForm(request.POST or None)
    if request.method == "POST" and (pack := _save(request, form, None)):
        messages.success(request, _("Report pack “%(name)s” saved.") % {"name": pack.name})
        return redirect("reports:packs")
    return render(request, "reporting/packs/form.html", {"form": form, "pack": None})


@require_http_methods(["GET", "POST"])
def pack_edit(request, pk):
    pack = _pack(request, pk)
    form = ReportPackForm(request.POST or None, initial=ReportPackForm.initial_for(pack))
    form.fields["version"].required = True
    if request.method == "POST" and _save(request, form, pack):
        messages.success(request, _("Report pack “%(name)s” saved.") % {"name": pack.name})
        return redirect("reports:packs")
    return render(request, "reporting/packs/form.html", {"form": form, "pack": pack})


@require_http_methods(["GET", "POST"])
def pack_delete(request, pk):
    pack = _pack(request, pk)
    conflict = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            delete_report_pack(pack=pack, by=request.user, version=version)
        except ConflictError as exc:
            conflict, pack = exc.message, _pack(request, pk)
        else:
            messages.success(request, _("Report pack “%(name)s” deleted.") % {"name": pack.name})
            return redirect("reports:packs")
    return render(
        request, "reporting/packs/confirm_delete.html", {"pack": pack, "conflict": conflict}
    )


def pack_preview(request, pk):
    """What the e-mail for last month would contain, without sending it."""
    pack = _pack(request, pk)
    month = previous_month(CompanySettings.load().today())
    return render(
        request,
        "reporting/packs/preview.html",
        {"pack": pack, "email": build_pack_email(pack, month)},
    )


@require_POST
def pack_send(request, pk):
    pack = _pack(request, pk)
    delivery = send_pack_now(pack=pack, by=request.user)
    if delivery is None:
        messages.warning(request, _("“%(name)s” has nobody to send to.") % {"name": pack.name})
    else:
        count = len(delivery.recipients.split())
        messages.success(
            request,
            ngettext(
                "“%(name)s” for %(month)s sent to %(count)s address.",
                "“%(name)s” for %(month)s sent to %(count)s addresses.",
                count,
            )
            % {
                "name": pack.name,
                "month": formats.date_format(delivery.month, "MONTH_YEAR"),
                "count": count,
            },
        )
    return redirect("reports:packs")
