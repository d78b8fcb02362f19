"""Deals on /api/v1/: the list, one deal, moves between stages and the bulk upsert.

Every read goes through ``visible_to``: a deal outside the caller's scope answers 404.
Writes go through activities.deals.services, so the API keeps the rules the pages keep.
Deals are never deleted: a deal that will not happen is moved to a Lost stage."""

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    inline_serializer,
)
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from activities.catalogue.api import NO_DELETE
from activities.deals import services
from activities.deals.filters import DealFilter
from activities.deals.selectors import api_deals
from activities.deals.serializers import (
    DealBulkEntrySerializer,
    DealMoveSerializer,
    DealSerializer,
    StageTransitionSerializer,
    stage_by_key,
)
from activities.log.api import run_batch
from activities.log.serializers import IngestResultSerializer
from activities.models import (
    Customer,
)
from salesmgmt.api_support import StaleVersionFirst

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
        return api_deals(self.request.user)

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

    def validate(entries):
        context = {"request": request, **_customers_named_in(entries, request.user)}
        return DealBulkEntrySerializer(data=entries, many=True, context=context)

    return run_batch(
        request,
        limit=MAX_DEAL_BATCH,
        validate=validate,
        write=lambda entries: services.upsert_deals(entries=entries, by=request.user),
    )


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
