from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from activities.log import services
from activities.log.filters import ActivityFilter
from activities.log.serializers import (
    ActivitySerializer,
    IngestEntrySerializer,
    IngestResultSerializer,
)
from activities.models import Activity, ActivityMonth, ActivitySource
from salesmgmt.api_support import KeysFirstPagination, StaleVersionFirst

# Query parameters that shape a page of the list but not which rows it holds.
PAGING_PARAMETERS = {"page", "page_size", "ordering", "format"}


class ActivityViewSet(StaleVersionFirst, viewsets.ModelViewSet):
    """The activity log. Writes follow the page's rules: reps change their own
    last N days, managers their reps' older days; every change is kept. An update
    sends the `version` it read (409 when somebody saved since); a delete may."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["day", "quantity", "created_at"]
    pagination_class = KeysFirstPagination  # by day, then the metric's position

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user).select_related(
            "metric", "channel", "product", "rep"
        )

    def known_count(self) -> int | None:
        """With no filter, the list holds every visible row: their number is the month
        rollup's row counts (exact: database triggers keep them), not a COUNT of every
        row (a team of 50, 86k rows: 20 -> 2 ms). None when a filter narrows the list."""
        if self.action != "list" or set(self.request.query_params) - PAGING_PARAMETERS:
            return None
        months = ActivityMonth.objects.visible_to(self.request.user)
        return months.aggregate(n=Sum("entries"))["n"] or 0

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        rep = data.pop("rep", None)
        if rep is None:
            if not self.request.user.is_rep:
                raise serializers.ValidationError(
                    {"rep": [_("Say which rep this activity is for.")]}
                )
            rep = self.request.user
        data["source"] = ActivitySource.API
        external_id = data.get("external_id")
        if (
            external_id
            and Activity.objects.filter(source=data["source"], external_id=external_id).exists()
        ):
            raise serializers.ValidationError(
                {
                    "external_id": [
                        _("Already used; send updates to that activity, or use the bulk endpoint.")
                    ]
                }
            )
        serializer.instance = services.create_activity(by=self.request.user, rep=rep, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        rep = data.pop("rep", None)
        if rep is not None and rep.pk != serializer.instance.rep_id:
            raise serializers.ValidationError(
                {"rep": [_("An activity cannot move to another rep.")]}
            )
        data.pop("external_id", None)
        serializer.instance = services.update_activity(
            activity=serializer.instance, by=self.request.user, **data
        )

    def perform_destroy(self, instance):
        # A stale `version`, if one was sent, was refused when the row was looked up.
        services.delete_activity(activity=instance, by=self.request.user)


INGEST_EXAMPLE = {
    "entries": [
        {
            "rep": 12,
            "day": "2026-11-23",
            "metric": "calls",
            "quantity": 38,
            "channel": "outbound-phone",
            "source": "dialer",
            "external_id": "call-batch-8841",
        },
        {
            "rep": 12,
            "day": "2026-11-23",
            "metric": "sales-value",
            "quantity": "4500.00",
            "product": "pro-plan",
            "source": "erp",
            "external_id": "inv-2026-0192",
        },
    ]
}


@extend_schema(
    request=inline_serializer("ActivityIngest", {"entries": IngestEntrySerializer(many=True)}),
    responses={200: IngestResultSerializer},
    examples=[OpenApiExample("Two entries", value=INGEST_EXAMPLE, request_only=True)],
)
@api_view(["POST"])
def ingest(request):
    """Store up to 10,000 activities at once, all or nothing.

    Idempotent on (source, external_id): a re-sent batch changes nothing; a row
    whose values changed is updated. If any row is invalid nothing is stored and
    `errors.entries` names each bad row by its index.
    """
    return run_batch(
        request,
        limit=services.MAX_BATCH,
        validate=lambda entries: IngestEntrySerializer(
            data=entries, many=True, context={"request": request}
        ),
        write=lambda entries: services.ingest_activities(entries=entries, by=request.user),
    )


def run_batch(request, *, limit: int, validate, write) -> Response:
    """The all-or-nothing bulk endpoints (activities, deals): ``entries``, a non-empty list
    of at most ``limit``; ``validate(entries)`` gives a many=True serializer; nothing is
    written unless every row is valid, and ``write(validated rows)`` then stores them all
    or raises BatchRejected naming the refused rows. Answers 200 with write's result, or
    400 with ``errors.entries`` keyed by row index."""
    entries = request.data.get("entries") if isinstance(request.data, dict) else None
    if not isinstance(entries, list) or not entries:
        return _error({"entries": [_("Send a non-empty list of entries.")]})
    if len(entries) > limit:
        return _error(
            {"entries": [_("A batch holds at most %(limit)s entries.") % {"limit": f"{limit:,}"}]}
        )
    serializer = validate(entries)
    if not serializer.is_valid():
        bad = _row_errors(serializer.errors)
        return _error(
            {"entries": bad},
            ngettext(
                "%(bad)d of %(count)d entry is invalid; nothing was stored.",
                "%(bad)d of %(count)d entries are invalid; nothing was stored.",
                len(entries),
            )
            % {"bad": len(bad), "count": len(entries)},
        )
    try:
        result = _retrying(write, serializer.validated_data)
    except services.BatchRejected as exc:
        bad = {str(i): errors for i, errors in sorted(exc.rows.items())}
        return _error(
            {"entries": bad},
            ngettext(
                "%(bad)d of %(count)d entry was refused; nothing was stored.",
                "%(bad)d of %(count)d entries were refused; nothing was stored.",
                len(entries),
            )
            % {"bad": len(bad), "count": len(entries)},
        )
    return Response(result, status=status.HTTP_200_OK)


def _retrying(write, entries):
    """Integrations retry; two copies of a new batch may race to insert the same keys.
    The loser's unique-key error means the rows now exist: run it again, as updates."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return write(entries)
        except IntegrityError:
            if attempt == 2:
                raise


def _row_errors(errors) -> dict[str, dict]:
    """{row index: field errors} whether DRF reports list errors as a list or a dict."""
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    return {str(i): row for i, row in sorted(items, key=lambda kv: int(kv[0])) if row}


def _error(errors, detail=None):
    if detail is None:
        detail = _("Invalid input; see errors.")
    return Response(
        {"status": 400, "code": "invalid", "detail": detail, "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )
