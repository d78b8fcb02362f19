from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from activities.log.filters import ActivityFilter
from activities.log.forms import ActivityForm, LineFormSet
from activities.log.services import check_can_write_day, create_activity, day_stamp, save_day_log
from activities.models import Activity, ActivityChange, ActivitySource, Customer, Deal, Metric
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.i18n import translated_name
from salesmgmt.imports import registry
from salesmgmt.imports.files import SHEET_EXPORTS, export_response
from salesmgmt.models import CompanySettings, User
from salesmgmt.org.services import reps_writable_by
from salesmgmt.web import apply_rule_errors, paginate, parse_day, plain_number, query_without_page


def _describe(snapshot: dict | None, names: dict) -> str:
    """'Calls 30 · Outbound phone' from a change-log snapshot of keys."""
    if not snapshot:
        return "—"
    quantity = plain_number(Decimal(snapshot["quantity"]))
    parts = [f"{names['metric'].get(snapshot['metric'], snapshot['metric'])} {quantity}"]
    for field in ("channel", "product"):
        if snapshot.get(field):
            parts.append(names[field].get(snapshot[field], snapshot[field]))
    return " · ".join(parts)


def describe_changes(changes, names: dict) -> list:
    changes = list(changes)
    for change in changes:
        change.before, change.after = _describe(change.old, names), _describe(change.new, names)
    return changes


def _chosen_day(request, today: date) -> date:
    return parse_day(request.GET.get("day")) or today


def _chosen_rep(request):
    """Reps log for themselves; a manager opens one of their reps' logs."""
    if request.user.is_rep:
        return request.user
    rep_id = request.GET.get("rep")
    if not rep_id:
        return None
    try:
        return reps_writable_by(request.user).select_related("team").get(pk=int(rep_id))
    except (ValueError, User.DoesNotExist) as exc:
        raise Http404 from exc


def _reps_index(request, day: date):
    """The reps whose days one may open, a page of 50 at a time, found by name or team
    (an admin reaches 2,000): each with the last day they logged (one index probe per
    rep shown, not an aggregate over everyone's history)."""
    last_logged = Activity.objects.filter(rep=OuterRef("pk")).order_by("-day").values("day")[:1]
    reps = (
        reps_writable_by(request.user)
        .select_related("team")
        .annotate(last_logged=Subquery(last_logged))
        .order_by("team__name", "first_name", "last_name", "pk")
    )
    q = request.GET.get("q", "").strip()
    for word in q.split()[:5]:
        reps = reps.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(team__name__icontains=word)
        )
    return render(
        request,
        "activities/log/day_log.html",
        {"page": paginate(request, reps), "query": query_without_page(request), "q": q, "day": day},
    )


def day_log(request):
    company = CompanySettings.load()
    today = company.today()
    day = _chosen_day(request, today)
    rep = _chosen_rep(request)
    if rep is None:
        return _reps_index(request, day)

    try:
        check_can_write_day(rep=rep, day=day, by=request.user, company=company)
        locked_reason = ""
    except (RuleViolation, PermissionDenied) as exc:
        locked_reason = " ".join(exc.messages) if isinstance(exc, RuleViolation) else str(exc)

    rows = list(
        Activity.objects.filter(rep=rep, day=day).select_related("metric", "channel", "product")
    )
    manual = [r for r in rows if r.source == ActivitySource.MANUAL]
    logged_metrics = {r.metric_id for r in manual}
    initial = [
        {
            "metric": r.metric,
            "quantity": plain_number(r.quantity),
            "channel": r.channel,
            "product": r.product,
            "note": r.note,
        }
        for r in manual
    ] + [{"metric": m} for m in Metric.objects.focus_of(rep.team) if m.pk not in logged_metrics]

    formset = LineFormSet(
        request.POST if request.method == "POST" else None,
        initial=initial,
        prefix="lines",
        in_use={
            "metric": {r.metric_id for r in manual},
            "channel": {r.channel_id for r in manual if r.channel_id},
            "product": {r.product_id for r in manual if r.product_id},
        },
    )
    save_error = ""
    if request.method == "POST":
        if locked_reason:
            raise PermissionDenied(locked_reason)
        if formset.is_valid():
            try:
                counts = save_day_log(
                    rep=rep,
                    day=day,
                    lines=formset.lines(),
                    by=request.user,
                    stamp=request.POST.get("stamp") or None,
                )
            except RuleViolation as exc:
                save_error = " ".join(exc.messages)
            except ConflictError as exc:
                save_error = exc.message
            else:
                changed = counts["created"] + counts["updated"] + counts["deleted"]
                messages.success(
                    request,
                    ngettext(
                        "Saved %(day)s: %(count)d change.",
                        "Saved %(day)s: %(count)d changes.",
                        changed,
                    )
                    % {"day": date_format(day, "WEEKDAY_DAY_MONTH"), "count": changed}
                    if changed
                    else _("Nothing changed."),
                )
                url = reverse("activities:log") + f"?day={day.isoformat()}"
                if rep.pk != request.user.pk:
                    url += f"&rep={rep.pk}"
                return redirect(url)

    return render(
        request,
        "activities/log/day_log.html",
        {
            "rep": rep,
            "day": day,
            "today": today,
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < today else None,
            "formset": formset,
            "stamp": request.POST.get("stamp") or day_stamp(manual),
            "locked_reason": locked_reason,
            "save_error": save_error,
            "integrated": [r for r in rows if r.source != ActivitySource.MANUAL],
            "changes": describe_changes(
                ActivityChange.objects.filter(rep=rep, day=day).select_related("by")[:50],
                formset.catalogue_names(),
            ),
            "edit_days": company.activity_edit_days,
        },
    )


# Column names, translated when the file is written (the values stay machine-readable).
CSV_HEADER = [
    pgettext_lazy("CSV column", "day"),
    pgettext_lazy("CSV column", "rep"),
    pgettext_lazy("CSV column", "team"),
    pgettext_lazy("CSV column", "metric"),
    pgettext_lazy("CSV column", "quantity"),
    pgettext_lazy("CSV column", "channel"),
    pgettext_lazy("CSV column", "product"),
    pgettext_lazy("CSV column", "note"),
    pgettext_lazy("CSV column", "source"),
    pgettext_lazy("CSV column", "external_id"),
]


def activity_list(request):
    activities = Activity.objects.visible_to(request.user).select_related(
        "rep__team", "metric", "channel", "product"
    )
    filterset = ActivityFilter.for_page(request.GET, queryset=activities, request=request)
    if request.GET.get("export") in SHEET_EXPORTS:
        # In the import's shape (salesmgmt.imports): the file imports back unchanged.
        return export_response(
            registry.get("activities"), SHEET_EXPORTS[request.GET["export"]], filterset.qs
        )
    if request.GET.get("export") == "csv":
        return csv_response(
            "activities.csv",
            [str(name) for name in CSV_HEADER],
            (
                [
                    a.day,
                    a.rep,
                    a.rep.team,
                    a.metric.key,
                    a.quantity,
                    a.channel or "",
                    a.product or "",
                    a.note,
                    a.source,
                    a.external_id,
                ]
                for a in filterset.qs.iterator(chunk_size=1000)
            ),
        )
    totals = (
        filterset.qs.order_by("metric__position")
        .values("metric__name", "metric__unit")
        .annotate(total=Sum("quantity"))
    )
    totals = [{**t, "metric_label": translated_name(t["metric__name"])} for t in totals]
    return render(
        request,
        "activities/log/activity_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "totals": totals,
            "query": query_without_page(request),
        },
    )


# --- One activity, logged from a customer's or a deal's page -----------------------------------


def log_for_customer(request, pk):
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("owner"), pk=pk
    )
    return _log_one(request, rep=customer.owner, customer=customer, deal=None)


def log_for_deal(request, pk):
    deal = get_object_or_404(
        Deal.objects.visible_to(request.user).select_related("owner", "customer"), pk=pk
    )
    return _log_one(request, rep=deal.owner, customer=deal.customer, deal=deal)


def _log_one(request, *, rep: User, customer: Customer, deal: Deal | None):
    """The form, and its save through the log service: the activity is the owner's (of the
    deal, else the customer), logged by them or by someone who may write their log."""
    if not reps_writable_by(request.user).filter(pk=rep.pk).exists():
        raise PermissionDenied(_("You may not log activity for this rep."))
    back = reverse("deals:detail", args=[deal.pk]) if deal else customer_url(customer)
    initial = {"day": CompanySettings.load().today(), "quantity": 1}
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = create_activity(
                by=request.user,
                rep=rep,
                customer=customer,
                deal=deal,
                source=ActivitySource.RECORD,
                **form.activity_fields(),
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            quantity = plain_number(activity.quantity)
            messages.success(
                request,
                _("Logged %(metric)s: %(quantity)s on %(day)s for %(target)s.")
                % {
                    "metric": activity.metric.label.lower(),
                    "quantity": quantity,
                    "day": date_format(activity.day, "DATE_MEDIUM"),
                    "target": deal or customer,
                },
            )
            return redirect(f"{back}#history")
    return render(
        request,
        "activities/log/activity_form.html",
        {"form": form, "rep": rep, "customer": customer, "deal": deal, "back": back},
    )


def customer_url(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk])
