"""The catalogue on /api/v1/: metrics, channels, products, lost reasons, pipelines and stages.

Everyone reads the catalogue; only admins write it. Entries are retired (active off),
never deleted, so history keeps its names. Stage changes go through
activities.deals.services, which refuses a change of kind under live deals."""

from django.db.models import Prefetch
from rest_framework import permissions, viewsets

from activities.catalogue.filters import StageFilter
from activities.catalogue.serializers import (
    ChannelSerializer,
    LostReasonSerializer,
    MetricSerializer,
    PipelineSerializer,
    ProductSerializer,
    StageSerializer,
)
from activities.deals import services
from activities.models import (
    Channel,
    LostReason,
    Metric,
    Pipeline,
    Product,
    Stage,
)
from salesmgmt.api_schema import describe_crud
from salesmgmt.org.api import IsAdminOrReadOnly


class CatalogueViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, IsAdminOrReadOnly]
    filterset_fields = ["active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


@describe_crud(
    one="a metric",
    many="What reps count and plan: calls, meetings, sales value, ... with unit, kind "
    "(activity or outcome) and display order; `key` is what activity rows and the bulk "
    "format name",
    readers="Everyone signed in reads them; filter by `active`, `unit`, `kind`, `key`.",
)
class MetricViewSet(CatalogueViewSet):
    queryset = Metric.objects.all()
    serializer_class = MetricSerializer
    filterset_fields = ["active", "unit", "kind", "key"]


@describe_crud(
    one="a channel",
    many="Where an activity happened (phone, e-mail, visit, ...); `key` is what activity "
    "rows, the `channel_key` filter and the bulk format name",
    readers="Everyone signed in reads them; filter by `active`.",
)
class ChannelViewSet(CatalogueViewSet):
    queryset = Channel.objects.all()
    serializer_class = ChannelSerializer


@describe_crud(
    one="a product",
    many="What is sold; `sku` is what activity rows, the `product_sku` filter and the bulk "
    "format name",
    readers="Everyone signed in reads them; filter by `active`.",
)
class ProductViewSet(CatalogueViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer


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
