"""Shapes of the catalogue on the API: metrics, channels, products, lost reasons,
pipelines and their stages. Entries are named by their key (a product by its sku)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import (
    Channel,
    LostReason,
    Metric,
    Pipeline,
    Product,
    Stage,
)

# --- Configuration: lost reasons, pipelines, stages ---------------------------------------


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "key", "name", "active", "position"]


class StageSerializer(serializers.ModelSerializer):
    pipeline = serializers.SlugRelatedField(slug_field="key", queryset=Pipeline.objects.all())
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text=_("Default win probability, percent.")
    )

    class Meta:
        model = Stage
        fields = ["id", "pipeline", "key", "name", "position", "probability", "kind"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "key", "name", "active", "position", "stages"]


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["id", "key", "name", "unit", "kind", "active", "position"]


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "key", "name", "active"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "active"]


class CachedSlugRelatedField(serializers.SlugRelatedField):
    """Looks every value up in one query per request, so a 10,000-row batch
    costs one query per field, not one per row."""

    def to_internal_value(self, data):
        if not hasattr(self, "_by_slug"):
            self._by_slug = {str(getattr(o, self.slug_field)): o for o in self.get_queryset()}
        try:
            return self._by_slug[str(data)]
        except KeyError:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
