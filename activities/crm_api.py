"""Customers, contacts, deals, pipelines and tasks on /api/v1/.

Every read goes through ``visible_to``: an object outside the caller's scope
answers 404. Every write goes through activities.services, so the API keeps
the rules the pages keep. Customers and deals are never deleted: a customer
who did not buy stays, with the reason, and a deal that will not happen is
moved to a Lost stage.
"""

from django.db import IntegrityError
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from activities import services
from activities.api import CatalogueViewSet, _error, _row_errors
from activities.crm_filters import (
    ContactFilter,
    CustomerFilter,
    DealFilter,
    StageFilter,
    TaskFilter,
)
from activities.crm_serializers import (
    ContactSerializer,
    CustomerSerializer,
    DealBulkEntrySerializer,
    DealMoveSerializer,
    DealSerializer,
    ForecastSerializer,
    FunnelQuerySerializer,
    FunnelSerializer,
    LostReasonSerializer,
    PipelineSerializer,
    ReportQuerySerializer,
    StageSerializer,
    StageTransitionSerializer,
    TaskSerializer,
    TaskStateSerializer,
    stage_by_key,
)
from activities.models import (
    Contact,
    Customer,
    Deal,
    LostReason,
    Pipeline,
    Stage,
    Task,
)
from activities.serializers import IngestResultSerializer
from reporting import funnel
from salesmgmt.api_schema import ErrorSerializer
from salesmgmt.api_support import StaleVersionFirst
from salesmgmt.models import CompanySettings

NO_DELETE = ["get", "post", "put", "patch", "head", "options"]

# --- Configuration ----------------------------------------------------------------------------


class LostReasonViewSet(CatalogueViewSet):
    """Why customers did not buy and deals were lost. Everyone reads; admins write."""

    queryset = LostReason.objects.all()
    serializer_class = LostReasonSerializer


class PipelineViewSet(CatalogueViewSet):
    """Pipelines with their stages in order. Everyone reads; admins write."""

    queryset = Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "pk"))
    )
    serializer_class = PipelineSerializer


class StageViewSet(CatalogueViewSet):
    """The transition milestones of each pipeline. Everyone reads; admins write.

    A stage stays in its pipeline, and its kind changes only while no deal sits in it."""

    queryset = Stage.objects.select_related("pipeline")
    serializer_class = StageSerializer
    filterset_fields = None
    filterset_class = StageFilter

    def perform_update(self, serializer):
        serializer.instance = services.update_stage(
            stage=serializer.instance, **serializer.validated_data
        )


# --- Customers and contacts -------------------------------------------------------------------


class CustomerViewSet(StaleVersionFirst, viewsets.ModelViewSet):
    """Accounts, bought or not. 'Did not buy' and 'lost' carry a reason; contacts
    are read here and written through /contacts/."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    ordering_fields = ["name", "created_at", "updated_at"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return (
            Customer.objects.visible_to(self.request.user)
            .select_related("source_channel", "lost_reason")
            .prefetch_related("contacts")
        )

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        customer = services.save_customer(by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=customer.pk)

    def perform_update(self, serializer):
        customer = services.save_customer(
            by=self.request.user, customer=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=customer.pk)


class ContactViewSet(viewsets.ModelViewSet):
    """The people at a customer; whoever sees the customer sees and edits them."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["name"]

    def get_queryset(self):
        return Contact.objects.filter(
            customer__in=Customer.objects.visible_to(self.request.user)
        ).order_by("name", "pk")


# --- Deals ------------------------------------------------------------------------------------

MOVE_EXAMPLES = [
    OpenApiExample(
        "Move to Proposal",
        value={"stage": "proposal", "note": "Sent the fleet quote"},
        request_only=True,
    ),
    OpenApiExample(
        "Mark lost",
        value={"stage": "lost", "lost_reason": "price", "note": "Went with a cheaper offer"},
        request_only=True,
    ),
    OpenApiExample(
        "The moved deal",
        value={
            "id": 41,
            "title": "Harbour Logistics fleet",
            "customer": 17,
            "customer_name": "Harbour Logistics",
            "owner": 12,
            "pipeline": "new-business",
            "stage": "proposal",
            "stage_name": "Proposal",
            "status": "open",
            "products": ["pro-plan"],
            "amount": "12000.00",
            "expected_close": "2026-12-15",
            "probability": None,
            "win_probability": 55,
            "weighted_amount": "6600.00",
            "next_step": "Call back about the quote",
            "next_step_date": "2026-11-30",
            "needs_attention": False,
            "lost_reason": None,
            "lost_note": "",
            "closed_on": None,
            "stage_entered_at": "2026-11-24T09:12:44Z",
            "source": "",
            "external_id": "",
            "created_at": "2026-11-02T14:03:10Z",
            "updated_at": "2026-11-24T09:12:44Z",
        },
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "Lost without a reason",
        value={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input; see errors.",
            "errors": {"lost_reason": ["Say why the deal was lost."]},
        },
        response_only=True,
        status_codes=["400"],
    ),
]


class DealViewSet(StaleVersionFirst, viewsets.ModelViewSet):
    """Deals through their transition milestones.

    A deal's stage changes only through `move`, which records every change
    (from, to, when, by); `transitions` lists them. Won deals count toward
    their owner's "sales closed" and "sales value" on the close date.
    """

    serializer_class = DealSerializer
    filterset_class = DealFilter
    ordering_fields = ["expected_close", "amount", "created_at", "stage_entered_at"]
    http_method_names = NO_DELETE

    def get_queryset(self):
        return (
            Deal.objects.visible_to(self.request.user)
            .select_related("customer", "pipeline", "stage", "lost_reason")
            .prefetch_related("products")
        )

    def _fresh(self, deal):
        return self.get_queryset().get(pk=deal.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        deal = services.create_deal(
            by=self.request.user,
            stage=data.pop("stage", None),
            products=data.pop("products", []),
            **data,
        )
        serializer.instance = self._fresh(deal)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        deal = services.update_deal(
            deal=serializer.instance,
            by=self.request.user,
            products=data.pop("products", None),
            **data,
        )
        serializer.instance = self._fresh(deal)

    @extend_schema(request=DealMoveSerializer, responses=DealSerializer, examples=MOVE_EXAMPLES)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the deal to another stage of its pipeline; Lost needs a `lost_reason`."""
        deal = self.get_object()
        body = DealMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.move_deal(
            deal=deal,
            to_stage=stage_by_key({}, deal.pipeline, data["stage"]),
            by=request.user,
            lost_reason=data.get("lost_reason"),
            note=data["note"],
            version=data.get("version"),
        )
        return Response(self.get_serializer(self._fresh(deal)).data)

    @extend_schema(responses=StageTransitionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        """Every stage change of the deal, oldest first: from, to, when, by, note."""
        deal = self.get_object()
        history = deal.transitions.select_related("from_stage", "to_stage", "by")
        return Response(StageTransitionSerializer(history, many=True).data)


# --- Bulk upsert of deals ---------------------------------------------------------------------

MAX_DEAL_BATCH = 1_000  # every stage change is a recorded move: keep a batch in seconds

BULK_EXAMPLE = {
    "entries": [
        {
            "source": "erp",
            "external_id": "opp-2026-0193",
            "title": "Harbour Logistics fleet",
            "customer": 17,
            "owner": 12,
            "pipeline": "new-business",
            "stage": "proposal",
            "products": ["pro-plan"],
            "amount": "12000.00",
            "expected_close": "2026-12-15",
            "next_step": "Call back about the quote",
            "next_step_date": "2026-11-30",
        },
        {
            "source": "erp",
            "external_id": "opp-2026-0188",
            "title": "Northwind renewal",
            "customer_external_id": "crm-00412",
            "owner": 12,
            "pipeline": "renewals",
            "stage": "lost",
            "amount": "3400.00",
            "expected_close": "2026-11-30",
            "lost_reason": "competitor",
            "lost_note": "Moved to a competitor's bundle",
        },
    ]
}
BULK_EXAMPLES = [
    OpenApiExample("Two deals", value=BULK_EXAMPLE, request_only=True),
    OpenApiExample(
        "First delivery",
        value={"created": 2, "updated": 0, "unchanged": 0},
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "The same batch again",
        value={"created": 0, "updated": 0, "unchanged": 2},
        response_only=True,
        status_codes=["200"],
    ),
    OpenApiExample(
        "A bad row",
        value={
            "status": 400,
            "code": "invalid",
            "detail": "1 of 2 entries were refused; nothing was stored.",
            "errors": {"entries": {"1": {"lost_reason": ["Say why the deal was lost."]}}},
        },
        response_only=True,
        status_codes=["400"],
    ),
]


@extend_schema(
    request=inline_serializer("DealBulk", {"entries": DealBulkEntrySerializer(many=True)}),
    responses={200: IngestResultSerializer},
    examples=BULK_EXAMPLES,
)
@api_view(["POST"])
def deal_bulk(request):
    """Create or update up to 1,000 deals at once, all or nothing.

    Each entry is keyed by (`source`, `external_id`) and is the whole deal as
    your system sees it: a re-sent batch changes nothing; a changed stage is
    moved through the milestones, so the change is recorded like any other.
    If any row is invalid nothing is stored and `errors.entries` names each
    bad row by its index. A lost deal that stays lost keeps its first reason.
    """
    entries = request.data.get("entries") if isinstance(request.data, dict) else None
    if not isinstance(entries, list) or not entries:
        return _error({"entries": ["Send a non-empty list of entries."]})
    if len(entries) > MAX_DEAL_BATCH:
        return _error({"entries": [f"A batch holds at most {MAX_DEAL_BATCH:,} entries."]})
    context = {"request": request, **_customers_named_in(entries, request.user)}
    serializer = DealBulkEntrySerializer(data=entries, many=True, context=context)
    if not serializer.is_valid():
        bad = _row_errors(serializer.errors)
        return _error(
            {"entries": bad},
            f"{len(bad)} of {len(entries)} entries are invalid; nothing was stored.",
        )
    try:
        result = _upsert_retrying(serializer.validated_data, request.user)
    except services.BatchRejected as exc:
        bad = {str(i): errors for i, errors in sorted(exc.rows.items())}
        return _error(
            {"entries": bad},
            f"{len(bad)} of {len(entries)} entries were refused; nothing was stored.",
        )
    return Response(result, status=status.HTTP_200_OK)


def _customers_named_in(entries, user) -> dict:
    """The visible customers the batch names, by id and by external_id: two queries."""
    ids, external_ids = set(), set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        raw = entry.get("customer")
        if isinstance(raw, int | str) and not isinstance(raw, bool) and str(raw).isdigit():
            ids.add(int(raw))
        if isinstance(entry.get("customer_external_id"), str):
            external_ids.add(entry["customer_external_id"])
    visible = Customer.objects.visible_to(user)
    return {
        "customers": {c.pk: c for c in visible.filter(pk__in=ids)} if ids else {},
        "customers_by_external_id": (
            {c.external_id: c for c in visible.filter(external_id__in=external_ids)}
            if external_ids
            else {}
        ),
    }


def _upsert_retrying(entries, by):
    """Two copies of a new batch may race to insert the same keys; the loser's
    unique-key error means the rows now exist: run it again, as updates."""
    for attempt in (1, 2):
        try:
            return services.upsert_deals(entries=entries, by=by)
        except IntegrityError:
            if attempt == 2:
                raise


# --- Tasks ------------------------------------------------------------------------------------


class TaskViewSet(
    StaleVersionFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks for reps, set by themselves or their manager; `done` and `reopen`
    change their state. Tasks are not deleted: their history is analysed."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["due_at", "priority", "created_at", "done_at"]

    def get_queryset(self):
        return Task.objects.visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        serializer.instance = services.create_task(by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.update_task(
            task=serializer.instance,
            by=self.request.user,
            assignee=data.pop("assignee", None),
            **data,
        )

    def _respond(self, task):
        return Response(self.get_serializer(Task.objects.get(pk=task.pk)).data)

    def _set_done(self, service):
        body = TaskStateSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        task = self.get_object()
        return self._respond(
            service(task=task, by=self.request.user, version=body.validated_data.get("version"))
        )

    @extend_schema(request=TaskStateSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the task done now (done again changes nothing)."""
        return self._set_done(services.complete_task)

    @extend_schema(request=TaskStateSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open a done task again."""
        return self._set_done(services.reopen_task)


# --- Funnel and forecast figures ----------------------------------------------------------------


def _report_scope(user, query) -> funnel.Scope:
    """The owners behind ?scope=team&team=3 (and rep, division, me, company); 404 when
    the caller may not look there, exactly as the funnel page answers."""
    kind = query.get("scope")
    if kind is None:
        key = funnel.default_scope_key(user)
    elif kind in ("rep", "team", "division"):
        if query.get(kind) is None:
            raise ValidationError({kind: [f"Say which {kind}: scope={kind} needs {kind}=<id>."]})
        key = f"{kind}:{query[kind]}"
    elif kind == "company" and user.is_director:
        key = funnel.default_scope_key(user)  # a director's company is their division
    else:
        key = kind
    scope = funnel.resolve_scope(user, key)
    if scope is None:
        raise NotFound()
    return scope


def _report_pipeline(query, *, default_first: bool) -> Pipeline | None:
    pipelines = list(Pipeline.objects.active())
    key = query.get("pipeline")
    if key is None:
        return pipelines[0] if default_first and pipelines else None
    pipeline = next((p for p in pipelines if p.key == key), None)
    if pipeline is None:
        raise ValidationError({"pipeline": [f"No active pipeline '{key}'."]})
    return pipeline


def _period(period: funnel.Period) -> dict:
    return {"key": period.key, "label": period.label, "start": period.start, "end": period.end}


REPORT_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is invalid."),
    404: OpenApiResponse(
        ErrorSerializer, description="A scope you may not look at (or that does not exist)."
    ),
}


@extend_schema(
    parameters=[FunnelQuerySerializer], responses={200: FunnelSerializer, **REPORT_ERRORS}
)
@api_view(["GET"])
def funnel_report(request):
    """Stage-to-stage conversion, days in stage, hit rate, deal size and cycle
    length for one pipeline, a scope (rep, team, division, company) and a period.

    The figures are those of the funnel page. A deal *entered* a stage when it moved
    into it within the period (once per stage); *conversion* of a stage is the share
    of those deals that later reached a later, non-lost stage; *hit rate* is won /
    (won + lost) among deals closed in the period; *days in stage* averages stays
    that ended in the period; *deal size* is the mean amount won, and *cycle length*
    the mean days from a won deal's creation to its close.
    """
    query = FunnelQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    company = CompanySettings.load()
    scope = _report_scope(request.user, params)
    pipeline = _report_pipeline(params, default_first=True)
    if pipeline is None:
        raise NotFound("No pipeline is set up.")
    period = funnel.period_for(
        params["period"],
        today=company.today(),
        fiscal_start_month=company.fiscal_year_start_month,
        start=params.get("start"),
        end=params.get("end"),
    )
    body = {
        "scope": {"key": scope.key, "label": scope.label},
        "pipeline": pipeline.key,
        "period": _period(period),
        "stages": funnel.funnel(scope.owners, pipeline, period, tzinfo=company.tzinfo),
        "outcomes": funnel.outcomes(scope.owners, period, pipeline=pipeline, tzinfo=company.tzinfo),
    }
    return Response(FunnelSerializer(body).data)


@extend_schema(
    parameters=[ReportQuerySerializer], responses={200: ForecastSerializer, **REPORT_ERRORS}
)
@api_view(["GET"])
def forecast_report(request):
    """Weighted pipeline, best case and commit for this month and this quarter
    (by expected close date), with what was won so far; every pipeline unless
    `pipeline` names one."""
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    company = CompanySettings.load()
    scope = _report_scope(request.user, params)
    pipeline = _report_pipeline(params, default_first=False)
    forecasts = funnel.forecast(
        scope.owners, today=company.today(), pipeline=pipeline, company=company
    )
    body = {
        "scope": {"key": scope.key, "label": scope.label},
        "pipeline": pipeline.key if pipeline else None,
        "commit_probability": company.commit_probability,
        "periods": [
            {
                **_period(f.period),
                "open_deals": f.open_deals,
                "weighted": f.weighted,
                "best_case": f.best_case,
                "commit": f.commit,
                "won_to_date": f.won_to_date,
            }
            for f in forecasts
        ],
    }
    return Response(ForecastSerializer(body).data)
