"""Pages for customers: list, report of who did not buy and why, detail with its
timeline, create and edit with contacts, and CSV import with a dry run.

Just over 500 lines: the import's three steps (upload, dry run, run) keep their signed
state with the pages that pass it along."""

import secrets
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import (
    Count,
    F,
    Q,
    Sum,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from activities.customers import imports as customer_import
from activities.customers.filters import CLOSED, CustomerFilter, LostCustomerFilter
from activities.customers.forms import ContactFormSet, CustomerForm, ImportForm
from activities.customers.selectors import lost_figures, next_step_of, with_figures
from activities.customers.services import save_customer
from activities.log.forms import ActivityForm
from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Activity,
    Customer,
    CustomerStatus,
    Deal,
    StageKind,
    StageTransition,
    Task,
)
from salesmgmt.audit.selectors import object_history
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.filtering import lookup_response
from salesmgmt.i18n import translated_name
from salesmgmt.models import CompanySettings
from salesmgmt.org.services import reps_writable_by
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

# --- List ------------------------------------------------------------------------------------

SORTS = {
    "name": ("name", "pk"),
    "-pipeline": (F("open_amount").desc(), "name"),
    "-last_activity": (F("last_activity").desc(nulls_last=True), "name"),
    "-created": ("-created_at", "-pk"),
}


def customer_list(request):
    customers = Customer.objects.visible_to(request.user).select_related(
        "owner__team", "source_channel", "lost_reason"
    )
    filterset = CustomerFilter(request.GET, queryset=customers, request=request)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "name"
    matching = filterset.qs if filterset.is_valid() else customers.none()
    rows = with_figures(matching, request.user).order_by(*SORTS[sort])
    if request.GET.get("export") == "csv":
        return _export_customers(rows)
    by_status = {
        row["status"]: row["n"]
        # Searching joins contacts (a customer per matching contact): count each once then.
        for row in matching.order_by()
        .values("status")
        .annotate(n=Count("pk", distinct=matching.query.distinct))
    }
    open_deals = Deal.objects.visible_to(request.user).open()
    if matching.query.where:  # a scope or a filter: only the listed customers' deals
        open_deals = open_deals.filter(customer__in=matching.values("pk"))
    pipeline = open_deals.aggregate(deals=Count("pk"), amount=Sum("amount"))
    page = paginate(request, rows, count=sum(by_status.values()))
    company = CompanySettings.load()
    for customer in page:
        customer.next_step = next_step_of(customer, company)
        customer.last_activity_label = translated_name(customer.last_activity_metric)
    return render(
        request,
        "activities/customers/list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query_without_page(request),
            "sort_query": _query_without(request, "page", "sort"),
            "sort": sort,
            "filters_open": any(request.GET.get(n) for n in filterset.filters if n != "q"),
            "statuses": [(s, by_status.get(s.value, 0)) for s in CustomerStatus],
            "pipeline": pipeline,
            "today": company.today(),
        },
    )


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# The headers are in the reader's language; the first columns are the import's, whose
# reader knows these headers in every language: an exported file imports back as updates.
# The cells stay machine-readable: keys (status, segment, channel, reason), numbers with
# "." and no grouping, ISO dates.
EXPORT_LABELS = [
    *(customer_import.COLUMN_LABELS[c] for c in customer_import.CUSTOMER_COLUMNS),
    gettext_lazy("Team"),
    gettext_lazy("Open deals"),
    gettext_lazy("Open pipeline"),
    gettext_lazy("Last activity"),
    gettext_lazy("Last activity metric"),
    gettext_lazy("Next step due"),
    gettext_lazy("Next step"),
    gettext_lazy("Created"),
]


def _export_customers(rows):
    company = CompanySettings.load()
    # The rows are written as the response streams out: in the language of the request.
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield from _customer_lines()

    def _customer_lines():
        for c in rows.iterator(chunk_size=1000):
            step = next_step_of(c, company)
            yield [
                c.name,
                c.owner.username,
                c.status,
                c.segment,
                c.source_channel.key if c.source_channel else "",
                c.lost_reason.key if c.lost_reason else "",
                c.lost_note,
                c.city,
                c.phone,
                c.email,
                c.external_id,
                c.owner.team or "",
                c.open_deals,
                f"{c.open_amount:.2f}",
                c.last_activity or "",
                translated_name(c.last_activity_metric) or "",
                step.day if step else "",
                step.text if step else "",
                timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
            ]

    return csv_response("customers.csv", [str(label) for label in EXPORT_LABELS], lines())


# --- Who did not buy and why -----------------------------------------------------------------


def lost_customers(request):
    customers = Customer.objects.visible_to(request.user)
    filterset = LostCustomerFilter(request.GET, queryset=customers, request=request)
    # A filter that does not validate (a rep out of scope, a bad date) matches nothing.
    matching = filterset.qs if filterset.is_valid() else customers.none()
    figures = lost_figures(matching, user=request.user, date_field=filterset.date_field)
    if request.GET.get("export") == "csv":
        return _export_lost(figures)
    return render(
        request,
        "activities/customers/lost.html",
        {
            "filter": filterset,
            "figures": figures,
            "query": query_without_page(request),
            "list_query": _list_query(filterset),
        },
    )


def _list_query(filterset) -> str:
    """The customer list showing the report's customers. The list knows only the
    creation date, so a period by 'last changed' is left out."""
    params = {"status": CLOSED}
    if filterset.form.is_valid():
        data = filterset.form.cleaned_data
        for name in ("status", "segment"):
            if data.get(name):
                params[name] = data[name]
        for name in ("owner", "team"):
            if data.get(name):
                params[name] = data[name].pk
        if data.get("lost_reason"):
            params["lost_reason"] = data["lost_reason"].key
        if filterset.date_field == "created_at":
            for name, to in (("start", "created_from"), ("end", "created_to")):
                if data.get(name):
                    params[to] = data[name].isoformat()
    return urlencode(params)


def _export_lost(figures):
    """The report's tables in one file: the headers, the kind of each row and the names
    in the reader's language; the keys (a reason's, a rep's username, a sku, an ISO
    month) and the counts as machines read them."""
    language = translation.get_language()

    def counts(row):
        return [row["did_not_buy"], row["lost"], row["total"]]

    def lines():
        with translation.override(language):
            yield from _lost_lines()

    def _lost_lines():
        for row in figures["by_reason"]:
            yield [
                _("Reason"),
                row["lost_reason__key"],
                translated_name(row["lost_reason__name"]),
                *counts(row),
            ]
        for row in figures["by_rep"]:
            name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            yield [_("Rep"), row["owner__username"], name or row["owner__username"], *counts(row)]
        for row in figures["by_product"]:
            yield [
                _("Product"),
                row["products__sku"] or "",
                row["products__name"] or _("Deal without a product"),
                *counts(row),
            ]
        if figures["without_deal"]["total"]:
            yield [_("Product"), "", _("No deal"), *counts(figures["without_deal"])]
        for row in figures["by_month"]:
            yield [
                _("Month"),
                f"{row['month']:%Y-%m}",
                formats.date_format(row["month"], "MONTH_YEAR"),
                *counts(row),
            ]

    header = [_("By"), _("Key"), _("Name"), _("Did not buy"), _("Lost"), _("Total")]
    return csv_response("did-not-buy.csv", header, lines())


# --- Detail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime  # where it sorts
    kind: str  # created, stage, won, lost, task, task-done, activity
    title: str
    by: object = None
    detail: str = ""
    day: date | None = None  # activities happen on a day, not at a time

    CSS = {"won": "ev-approved", "task-done": "ev-approved", "lost": "ev-returned"}

    @property
    def css(self) -> str:
        return self.CSS.get(self.kind, f"ev-{self.kind}")


def _activity_moment(activity, zone) -> datetime:
    """An activity belongs to its day; one logged later sits at the end of that day."""
    end_of_day = datetime.combine(activity.day + timedelta(days=1), time.min, zone)
    return min(activity.created_at, end_of_day - timedelta(seconds=1))


def build_timeline(customer, deals, transitions, tasks, activities, *, limit=200) -> list[Event]:
    """Stage changes, tasks set and done, and activities, newest first (no queries)."""
    zone = CompanySettings.load().tzinfo
    events = [Event(customer.created_at, "created", _("Customer added"))]
    for t in transitions:
        if t.from_stage is None:
            title = _("%(deal)s: opened at %(stage)s") % {"deal": t.deal.title, "stage": t.to_stage}
        else:
            title = f"{t.deal.title}: {t.from_stage} → {t.to_stage}"
        kind = {StageKind.WON: "won", StageKind.LOST: "lost"}.get(t.to_stage.kind, "stage")
        events.append(Event(t.at, kind, title, t.by, t.note))
    for task in tasks:
        for_whom = (
            _("for %(person)s") % {"person": task.assignee}
            if task.assignee_id != task.created_by_id
            else ""
        )
        set_title = _("Task set: %(task)s") % {"task": task.title}
        events.append(Event(task.created_at, "task", set_title, task.created_by, for_whom))
        if task.done_at:
            if task.done_at > task.due_at:
                done_title = _("Task done (late): %(task)s") % {"task": task.title}
            else:
                done_title = _("Task done: %(task)s") % {"task": task.title}
            events.append(Event(task.done_at, "task-done", done_title, task.assignee))
    for a in activities:
        title = f"{a.metric}: {formats.number_format(a.quantity.normalize())}"
        detail = " · ".join(str(x) for x in (a.deal, a.channel, a.note) if x)
        events.append(Event(_activity_moment(a, zone), "activity", title, a.rep, detail, day=a.day))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def _visible_customer(request, pk) -> Customer:
    return get_object_or_404(
        Customer.objects.visible_to(request.user).select_related(
            "owner__team", "source_channel", "lost_reason"
        ),
        pk=pk,
    )


def customer_detail(request, pk):
    user = request.user
    customer = _visible_customer(request, pk)
    now = timezone.now()
    deals = sorted(
        Deal.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("stage", "pipeline", "owner", "lost_reason")
        .prefetch_related("products"),
        key=lambda d: (not d.stage.is_open, d.expected_close),
    )
    tasks = list(
        Task.objects.visible_to(user)
        .filter(Q(customer=customer) | Q(deal__customer=customer))
        .select_related("assignee", "created_by", "deal")
    )
    # Open tasks by due time, then done ones, the latest first.
    tasks = [t for t in tasks if t.done_at is None] + sorted(
        (t for t in tasks if t.done_at is not None), key=lambda t: t.done_at, reverse=True
    )
    activities = list(
        Activity.objects.visible_to(user)
        .filter(Q(customer=customer) | Q(deal__customer=customer))
        .select_related("rep", "metric", "channel", "product", "deal")[:100]
    )
    transitions = StageTransition.objects.filter(deal__in=[d.pk for d in deals]).select_related(
        "from_stage", "to_stage", "by", "deal"
    )
    open_deals = [d for d in deals if d.stage.is_open]
    for task in tasks:
        task.overdue = task.is_overdue(now)
    # Whoever may act for the owner edits the customer, logs for it and sets its tasks.
    can_edit = reps_writable_by(user).filter(pk=customer.owner_id).exists()
    return render(
        request,
        "activities/customers/detail.html",
        {
            "customer": customer,
            "contacts": customer.contacts.all(),
            "history": object_history(customer, request.GET.get("changes")),
            "deals": deals,
            "open_amount": sum((d.amount for d in open_deals), Decimal("0")),
            "open_weighted": sum((d.weighted_amount for d in open_deals), Decimal("0")),
            "tasks": tasks,
            "overdue_count": sum(t.overdue for t in tasks),
            "activities": activities,
            "timeline": build_timeline(customer, deals, transitions, tasks, activities),
            "can_edit": can_edit,
            "log_form": ActivityForm(initial={"day": CompanySettings.load().today(), "quantity": 1})
            if can_edit
            else None,
        },
    )


# --- Create and edit -------------------------------------------------------------------------


def customer_create(request):
    return _customer_form(request, Customer(owner=request.user if request.user.is_rep else None))


def customer_edit(request, pk):
    customer = _visible_customer(request, pk)
    return _customer_form(request, customer)


def _save_contacts(contacts, customer) -> bool:
    """The contact formset, saved for ``customer``; True if a contact changed."""
    contacts.instance = customer
    contacts.save()
    return contacts.has_changed()


def _customer_form(request, customer):
    """One form for the customer and its contacts; the service writes the customer,
    the contacts go in the same transaction."""
    adding = customer.pk is None
    data = request.POST if request.method == "POST" else None
    form = CustomerForm(data, instance=customer, user=request.user)
    contacts = ContactFormSet(data, instance=customer, prefix="contacts")
    if data is not None and form.is_valid() and contacts.is_valid():
        fields = form.service_fields()
        if request.user.is_rep and adding:
            fields["owner"] = request.user
        try:
            saved = save_customer(
                by=request.user,
                customer=None if adding else customer,
                version=None if adding else form.cleaned_data["version"],
                then=lambda saved: _save_contacts(contacts, saved),
                **fields,
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
        else:
            text = _("%(customer)s added.") if adding else _("%(customer)s saved.")
            messages.success(request, text % {"customer": saved})
            return redirect("customers:detail", pk=saved.pk)
    return render(
        request,
        "activities/customers/form.html",
        {"form": form, "contacts": contacts, "customer": None if adding else customer},
    )


# --- CSV import ------------------------------------------------------------------------------
# The uploaded text waits between the dry run and the import in the cache (Redis in
# production, so any web process can finish what another previewed), under a random
# token kept in the user's session. It expires after an hour and is dropped on import.

STASH_SECONDS = 3600
SESSION_KEY = "customer_import"


def _stash(request, name: str, text: str) -> None:
    old = request.session.get(SESSION_KEY)
    if old:
        cache.delete(f"customer-import:{old}")
    token = secrets.token_urlsafe(16)
    cache.set(
        f"customer-import:{token}",
        {"user": request.user.pk, "name": name, "text": zlib.compress(text.encode())},
        STASH_SECONDS,
    )
    request.session[SESSION_KEY] = token


def _stashed(request) -> tuple[str, str, str] | None:
    """(token, file name, text) of this user's upload, if it is still kept."""
    token = request.session.get(SESSION_KEY)
    stash = cache.get(f"customer-import:{token}") if token else None
    if not stash or stash["user"] != request.user.pk:
        return None
    return token, stash["name"], zlib.decompress(stash["text"]).decode()


def _drop_stash(request) -> None:
    token = request.session.pop(SESSION_KEY, None)
    if token:
        cache.delete(f"customer-import:{token}")


def customer_import_upload(request):
    if request.GET.get("template") == "csv":
        return csv_response(
            "customers-template.csv",
            list(customer_import.COLUMNS),
            [customer_import.TEMPLATE_EXAMPLE],
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = customer_import.decode_upload(upload.read(customer_import.MAX_BYTES + 1))
        except customer_import.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            _stash(request, upload.name, text)
            return redirect("customers:import_preview")
    return render(
        request,
        "activities/customers/import.html",
        {
            "form": form,
            "columns": customer_import.COLUMNS,
            "max_rows": customer_import.MAX_ROWS,
            "is_rep": request.user.is_rep,
        },
    )


def customer_import_preview(request):
    """The dry run: every row with what it would do and its problems. Nothing is written."""
    stashed = _stashed(request)
    if stashed is None:
        messages.info(request, _("Upload a file to preview its import."))
        return redirect("customers:import")
    token, name, text = stashed
    check = customer_import.check_import(text=text, by=request.user)
    only_problems = request.GET.get("show") == "problems"
    rows = [r for r in check.rows if r.problems] if only_problems else check.rows
    return render(
        request,
        "activities/customers/import_preview.html",
        {
            "check": check,
            "counts": check.counts,
            "page": paginate(request, rows, per_page=100),
            "query": query_without_page(request),
            "only_problems": only_problems,
            "token": token,
            "file_name": name,
        },
    )


@require_POST
def customer_import_run(request):
    stashed = _stashed(request)
    if stashed is None or request.POST.get("token") != stashed[0]:
        messages.error(
            request, _("That preview has expired or was replaced: upload the file again.")
        )
        return redirect("customers:import")
    token, name, text = stashed
    try:
        check = customer_import.run_import(text=text, by=request.user)
    except customer_import.ImportRefused:
        messages.error(
            request,
            _("Nothing was imported: the file has problems. Fix them and upload it again."),
        )
        return redirect("customers:import_preview")
    except IntegrityError:
        messages.error(
            request,
            _(
                "Someone changed these customers while you were importing; nothing was "
                "imported. Preview the file again."
            ),
        )
        return redirect("customers:import_preview")
    _drop_stash(request)
    counts = check.counts
    messages.success(
        request,
        ngettext(
            "Imported %(file)s: %(added)s customer added, %(updated)s updated, "
            "%(unchanged)s unchanged.",
            "Imported %(file)s: %(added)s customers added, %(updated)s updated, "
            "%(unchanged)s unchanged.",
            counts["create"],
        )
        % {
            "file": name,
            "added": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
        },
    )
    return redirect(reverse("customers:list") + "?sort=-created")


def customer_lookup(request):
    """GET ?q=...[&open=1]: customers the viewer may see whose name or city matches (the
    search box of every customer filter and field); ``open``: not closed."""
    customers = Customer.objects.visible_to(request.user).order_by("name", "pk")
    if request.GET.get("open"):  # customers one still works with (new tasks)
        customers = customers.exclude(status__in=CLOSED_CUSTOMER_STATUSES)
    return lookup_response(customers, request.GET.get("q", ""), ("name", "city"))
