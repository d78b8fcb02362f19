"""Pages for deals: the pipeline board and deal pages."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.db.models import Case, Exists, F, OuterRef, Q, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from activities.deals import selectors as deals_selectors
from activities.deals import services
from activities.deals.filters import DealFilter
from activities.deals.forms import DealForm, MoveForm
from activities.log.forms import ActivityForm
from activities.models import Activity, Deal, LostReason, Pipeline, Stage, StageKind, Task
from salesmgmt import money as funnel
from salesmgmt.audit.selectors import object_history
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.filtering import RepLookupForm, lookup_response
from salesmgmt.imports import registry
from salesmgmt.imports.files import SHEET_EXPORTS, export_response
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.org.services import reps_writable_by
from salesmgmt.web import apply_rule_errors, paginate, query_without_page

RECENT_DAYS = 30  # Won and Lost columns show deals closed this recently.
CARDS_PER_COLUMN = 20  # The rest of a column is one click away, in the deal list (20: a
# team of 50 kept the board under 300 KB of HTML; 40 made it 563 KB and 0.36 s to draw).


def _visible_deal(request, pk) -> Deal:
    return get_object_or_404(
        Deal.objects.visible_to(request.user).select_related(
            "customer", "owner__team", "pipeline", "stage", "lost_reason"
        ),
        pk=pk,
    )


def _with_attention(deals, today):
    return deals.annotate(
        attention=Exists(Deal.objects.needing_attention(today).filter(pk=OuterRef("pk")))
    )


# --- Pipeline board ---------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    count: int = 0
    amount: Decimal = funnel.ZERO
    weighted: Decimal = funnel.ZERO
    cards: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def _column(stage: Stage, line) -> Column:
    if line is None:
        return Column(stage)
    return Column(stage, count=line.count, amount=line.amount, weighted=line.weighted)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _board_scope(user, params) -> tuple[User | None, Team | None, list[Team]]:
    """Whose deals the board shows: a rep (``?rep=``) or a team (``?team=``).

    Reps see their own; managers, directors and admins pick one of their reps or
    teams, defaulting to their first team. Anything outside that is a 404.
    """
    teams = list(Team.objects.managed_by(user).select_related("division"))
    if params.get("rep"):
        rep = User.objects.visible_to(user).sales_reps().filter(pk=_int(params["rep"])).first()
        if rep is None:
            raise Http404
        return rep, None, teams
    if params.get("team"):
        team = next((t for t in teams if t.pk == _int(params["team"])), None)
        if team is None:
            raise Http404
        return None, team, teams
    if user.is_rep or not teams:
        return (user if user.is_rep else None), None, teams
    return None, teams[0], teams


def _next_stages(stages: list[Stage]) -> dict[int, int]:
    """{stage_id: the stage a deal there most likely moves to next} (never Lost)."""
    path = [s for s in stages if s.kind != StageKind.LOST]
    onward = {a.pk: b.pk for a, b in zip(path, path[1:], strict=False)}
    last_open = next((s for s in reversed(path) if s.is_open), None)
    if last_open is not None:  # a closed deal is most likely reopened late in the pipeline
        onward |= {s.pk: last_open.pk for s in stages if not s.is_open}
    return onward


def _stage_options(stages: list[Stage], onward: dict[int, int]) -> dict[int, str]:
    """{stage_id: the <option>s of a card's "move to" list for a deal in that stage}: the
    other stages, the likely next one selected. Built once per stage, not once per card
    (a board of 140 cards rendered 2,000 options through the template: 130 -> 90 ms)."""
    return {
        here.pk: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (s.pk, mark_safe(" selected") if s.pk == onward.get(here.pk) else "", s.label)
                for s in stages
                if s.pk != here.pk
            ),
        )
        for here in stages
    }


def _board(request, params: QueryDict) -> dict:
    """Everything the board shows, in a fixed number of queries."""
    user = request.user
    today = CompanySettings.load().today()
    pipelines = list(Pipeline.objects.active())
    try:
        pipeline = deals_selectors.pipeline_from_key(params.get("pipeline"), pipelines)
    except deals_selectors.UnknownPipeline:
        raise Http404 from None
    rep, team, teams = _board_scope(user, params)
    context = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "rep": rep,
        "team": team,
        "teams": teams,
        "rep_form": (
            RepLookupForm(initial={"rep": rep.pk if rep else None}, user=user)
            if user.reviews_plans
            else None
        ),
        "recent_days": RECENT_DAYS,
        "today": today,
    }
    board_params = {"pipeline": pipeline.key} if pipeline else {}
    if rep is not None and not user.is_rep:
        board_params["rep"] = rep.pk
    elif team is not None:
        board_params["team"] = team.pk
    query = QueryDict(mutable=True)
    query.update(board_params)
    context["board_query"] = query.urlencode()
    if pipeline is None or (rep is None and team is None):
        context["columns"] = []
        return context

    deals = Deal.objects.visible_to(user).filter(pipeline=pipeline)
    deals = deals.filter(owner=rep) if rep is not None else deals.filter(owner__team=team)
    on_board = deals.filter(
        Q(stage__kind=StageKind.OPEN) | Q(closed_on__gte=today - timedelta(days=RECENT_DAYS))
    )
    totals = deals_selectors.pipeline_by_stage(on_board)
    cards = (
        _with_attention(on_board, today)
        .select_related("customer", "owner", "stage")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("stage")],
                order_by=[F("expected_close").asc(), F("pk").asc()],
            )
        )
        .filter(place__lte=CARDS_PER_COLUMN)
        .order_by("expected_close", "pk")
    )
    stages = list(pipeline.stages.order_by("position"))
    lost_reasons = list(LostReason.objects.active())
    lines = totals.by_stage()
    columns = {s.pk: _column(s, lines.get(s.pk)) for s in stages}
    onward = _next_stages(stages)
    options = _stage_options(stages, onward)
    for deal in cards:
        deal.reasons = deal.attention_reasons(today) if deal.attention else []
        deal.suggested_stage_id = onward.get(deal.stage_id)
        deal.stage_options = options[deal.stage_id]
        columns[deal.stage_id].cards.append(deal)
    open_columns = [c for c in columns.values() if c.stage.is_open]
    context.update(
        columns=list(columns.values()),
        stages=stages,
        lost_reasons=lost_reasons,
        lost_reason_options=format_html_join(
            "", '<option value="{}">{}</option>', ((r.pk, r.label) for r in lost_reasons)
        ),
        open_count=totals.count,
        open_amount=totals.amount,
        open_weighted=totals.weighted,
        attention_count=sum(1 for c in open_columns for d in c.cards if d.attention),
        deals=deals,
    )
    return context


def pipeline_board(request):
    context = _board(request, request.GET)
    if request.GET.get("export") == "csv" and context["columns"]:
        today = context["today"]
        rows = _with_attention(context["deals"], today).select_related("customer", "owner", "stage")
        return _deals_csv(rows.open(), "pipeline.csv")
    return render(request, "activities/deals/pipeline_board.html", context)


@require_POST
def deal_move(request, pk):
    """Move a deal to another stage; from the board (HTMX) the board comes back."""
    deal = _visible_deal(request, pk)
    form = MoveForm(request.POST, deal=deal)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.move_deal(
                deal=deal,
                to_stage=data["to_stage"],
                by=request.user,
                lost_reason=data["lost_reason"],
                note=data["note"],
                version=data["version"],
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
    if form.errors:
        error = " ".join(e for errors in form.errors.values() for e in errors)

    board = QueryDict(request.POST.get("board", ""))
    if request.htmx:
        try:
            context = _board(request, board)
        except Http404:  # a board one may not see: show one's own, the move stands
            context = _board(request, QueryDict())
        context["error_deal"], context["error"] = (deal.pk, error) if error else (None, None)
        context["posted"] = request.POST
        if not error:
            context["moved"] = _("%(deal)s moved to %(stage)s.") % {
                "deal": deal.title,
                "stage": form.cleaned_data["to_stage"],
            }
        return render(request, "activities/deals/_pipeline_columns.html", context)
    if error:
        messages.error(
            request, _("%(deal)s was not moved: %(error)s") % {"deal": deal.title, "error": error}
        )
    else:
        messages.success(
            request,
            _("%(deal)s moved to %(stage)s.")
            % {"deal": deal.title, "stage": form.cleaned_data["to_stage"]},
        )
    if request.POST.get("from") == "detail":
        return redirect("deals:detail", pk=deal.pk)
    return redirect(reverse("deals:pipeline") + "?" + board.urlencode())


# --- Deal list and pages ----------------------------------------------------------------------

# Column names, translated when the file is written (the values stay machine-readable).
CSV_HEADER = [
    pgettext_lazy("CSV column", "id"),
    pgettext_lazy("CSV column", "title"),
    pgettext_lazy("CSV column", "customer"),
    pgettext_lazy("CSV column", "owner"),
    pgettext_lazy("CSV column", "pipeline"),
    pgettext_lazy("CSV column", "stage"),
    pgettext_lazy("CSV column", "amount"),
    pgettext_lazy("CSV column", "probability"),
    pgettext_lazy("CSV column", "weighted_amount"),
    pgettext_lazy("CSV column", "expected_close"),
    pgettext_lazy("CSV column", "next_step"),
    pgettext_lazy("CSV column", "next_step_date"),
    pgettext_lazy("CSV column", "needs_attention"),
    pgettext_lazy("CSV column", "closed_on"),
    pgettext_lazy("CSV column", "lost_reason"),
]


def _deals_csv(deals, filename):
    deals = deals.select_related("customer", "owner", "pipeline", "stage", "lost_reason")
    return csv_response(
        filename,
        [str(name) for name in CSV_HEADER],
        (
            [
                d.pk,
                d.title,
                d.customer,
                d.owner,
                d.pipeline,
                d.stage,
                d.amount,
                d.win_probability,
                d.weighted_amount,
                d.expected_close,
                d.next_step,
                d.next_step_date or "",
                pgettext("CSV value", "yes") if d.attention else pgettext("CSV value", "no"),
                d.closed_on or "",
                d.lost_reason or "",
            ]
            for d in deals.iterator(chunk_size=500)
        ),
    )


def deal_list(request):
    today = CompanySettings.load().today()
    # Open deals first, by expected close; closed ones after them.
    deals = _with_attention(Deal.objects.visible_to(request.user), today).order_by(
        Case(When(stage__kind=StageKind.OPEN, then=0), default=1),
        "expected_close",
        "pk",
    )
    filterset = DealFilter(request.GET, queryset=deals, request=request)
    if request.GET.get("export") in SHEET_EXPORTS:
        # In the import's shape (salesmgmt.imports): the file imports back unchanged.
        return export_response(
            registry.get("deals"), SHEET_EXPORTS[request.GET["export"]], filterset.qs
        )
    if request.GET.get("export") == "csv":
        return _deals_csv(filterset.qs, "deals.csv")
    page = paginate(
        request,
        filterset.qs.select_related("customer", "owner", "pipeline", "stage"),
        keys_first=True,  # open deals first: no index holds that order
    )
    for deal in page:
        deal.reasons = deal.attention_reasons(today) if deal.attention else []
    return render(
        request,
        "activities/deals/list.html",
        {"filter": filterset, "page": page, "query": query_without_page(request)},
    )


def deal_create(request):
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    form = DealForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.deal_fields()
        try:
            deal = services.create_deal(
                by=request.user,
                stage=fields.pop("stage"),
                products=fields.pop("products"),
                **fields,
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Deal %(deal)s created.") % {"deal": deal.title})
            return redirect("deals:detail", pk=deal.pk)
    return render(request, "activities/deals/form.html", {"form": form})


def deal_edit(request, pk):
    deal = _visible_deal(request, pk)
    form = DealForm(request.POST or None, user=request.user, deal=deal)
    if request.method == "POST" and form.is_valid():
        fields = form.deal_fields()
        try:
            services.update_deal(
                deal=deal, by=request.user, products=fields.pop("products"), **fields
            )
        except (ConflictError, RuleViolation) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(request, _("Deal saved."))
            return redirect("deals:detail", pk=deal.pk)
    return render(request, "activities/deals/form.html", {"form": form, "deal": deal})


def deal_detail(request, pk):
    deal = _visible_deal(request, pk)
    today = CompanySettings.load().today()
    stages = list(deal.pipeline.stages.order_by("position"))
    # Whoever may act for the deal's owner logs for it and sets its tasks.
    can_log = reps_writable_by(request.user).filter(pk=deal.owner_id).exists()
    activities = (
        Activity.objects.visible_to(request.user)
        .filter(deal=deal)
        .select_related("rep", "metric", "channel", "product")
    )
    return render(
        request,
        "activities/deals/detail.html",
        {
            "deal": deal,
            "activities": activities[:100],
            "history": object_history(deal, request.GET.get("changes")),
            "can_log": can_log,
            "log_form": ActivityForm(initial={"day": today, "quantity": 1}) if can_log else None,
            "attention_reasons": deal.attention_reasons(today),
            # Flags, not the reasons' words (which are translated): the page words its own.
            "next_step_overdue": bool(
                deal.stage.is_open
                and deal.next_step
                and deal.next_step_date
                and deal.next_step_date < today
            ),
            "past_expected_close": deal.stage.is_open and deal.expected_close < today,
            "products": deal.products.all(),
            "transitions": deal.transitions.select_related("from_stage", "to_stage", "by"),
            "tasks": Task.objects.visible_to(request.user)
            .filter(deal=deal)
            .select_related("assignee"),
            "now": timezone.now(),
            "stages": [s for s in stages if s.pk != deal.stage_id],
            "suggested_stage_id": _next_stages(stages).get(deal.stage_id),
            "lost_reasons": LostReason.objects.active(),
        },
    )


def deal_lookup(request):
    """GET ?q=...[&open=1]: deals the viewer may see whose title or customer matches (the
    search box of every deal filter and field); ``open``: in an open stage."""
    deals = Deal.objects.visible_to(request.user).select_related("customer").order_by("title", "pk")
    if request.GET.get("open"):  # deals still in play (new tasks)
        deals = deals.filter(stage__kind=StageKind.OPEN)
    return lookup_response(
        deals,
        request.GET.get("q", ""),
        ("title", "customer__name"),
        label=lambda d: f"{d.title} ({d.customer.name})",
    )
