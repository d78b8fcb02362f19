"""KPI definitions, KPI values and deviation episodes as the API shows them."""

from rest_framework import serializers

from reporting.alerts.selectors import status_of
from reporting.alerts.serializers import DeviationActionSerializer
from reporting.kpis.selectors import describe
from reporting.kpis.services import episode_owner, episode_subject
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.api_support import DateRangeQuerySerializer
from salesmgmt.models import CompanySettings

# As on the KPI page: a span longer than a year is a typo, and each week of it costs SQL.


def unit_of(kpi: Kpi) -> str:
    if kpi.is_percent:
        return "percent"
    return "money" if kpi.is_money else "count"


class KpiSerializer(serializers.ModelSerializer):
    metric = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True, help_text="Null for stage conversion."
    )
    denominator = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True, help_text="For ratios; else null."
    )
    stage = serializers.SerializerMethodField(help_text="For stage conversion: {id, key, name}.")
    definition = serializers.SerializerMethodField(help_text="What is measured, in plain words.")
    unit = serializers.SerializerMethodField(help_text="percent, money or count.")
    # Plain text: "period" names another choice set on goals (with year), and one enum
    # name cannot serve both in the schema.
    period = serializers.CharField(read_only=True, help_text="week, month or quarter.")

    class Meta:
        model = Kpi
        fields = [
            "id",
            "key",
            "name",
            "description",
            "definition",
            "kind",
            "metric",
            "denominator",
            "stage",
            "period",
            "unit",
            "target",
            "amber_threshold",
            "red_threshold",
            "direction",
            "active",
            "position",
        ]
        read_only_fields = fields

    def get_stage(self, kpi) -> dict | None:
        if kpi.stage is None:
            return None
        return {"id": kpi.stage.pk, "key": kpi.stage.key, "name": kpi.stage.name}

    def get_definition(self, kpi) -> str:
        return describe(kpi)

    def get_unit(self, kpi) -> str:
        return unit_of(kpi)


class KpiValuesQuerySerializer(DateRangeQuerySerializer):
    scope = serializers.CharField(
        required=False,
        help_text="rep:<id>, team:<id>, division:<id> or company. Defaults to the widest view "
        "you have: the company (admin), your division (director), your first team (manager), "
        "yourself (rep). A director's `company` is their division, as on the company "
        "dashboard.",
    )
    start = serializers.DateField(required=False, help_text="First day, with `end`.")
    end = serializers.DateField(
        required=False,
        help_text="Last day (included), with `start`. Without both, each KPI is measured over "
        "its own current period (week, month or quarter).",
    )


class KpiValueSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi.pk")
    key = serializers.CharField(source="kpi.key")
    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    value = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text="null: nothing to measure."
    )
    target = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="For counts: per period when `periods` is set, else for the span, "
        "pro-rated to the working days over.",
    )
    amber = serializers.DecimalField(max_digits=18, decimal_places=2)
    red = serializers.DecimalField(max_digits=18, decimal_places=2)
    status = serializers.CharField(
        help_text="green, amber, red, early (behind, but under a fifth of the period's working "
        "days are over: too early to tell), or empty when value is null."
    )
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="value = numerator / denominator (x 100 for percent KPIs; for a count read "
        "per period, / periods as well).",
    )
    periods = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        allow_null=True,
        help_text="A count KPI over a span longer than its own period (a weekly KPI over a "
        "month) reads per period, on average: how many of its periods are over (working "
        "days over / 5 for a week). value and target are then per period and the target "
        "is not pro-rated. Null: value is the span's total.",
    )
    per = serializers.CharField(
        help_text="What value is, in words: 'per week, on average over 3.2 weeks', or empty."
    )


class KpiScopeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    reps = serializers.IntegerField(help_text="How many reps at work make up the figures.")


class KpiValuesSerializer(serializers.Serializer):
    scope = KpiScopeSerializer()
    as_of = serializers.DateField()
    values = KpiValueSerializer(many=True)


class DeviationEpisodeSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField(help_text="The goal's metric or the KPI's name.")
    owner = serializers.SerializerMethodField(help_text="The rep, team, division or Company.")
    is_open = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(
        help_text="new, acknowledged or snoozed (open and snoozed until a later day)."
    )
    acknowledged_by = serializers.StringRelatedField(allow_null=True)
    actions = DeviationActionSerializer(
        many=True, read_only=True, help_text="What managers did about it, oldest first."
    )

    class Meta:
        model = DeviationEpisode
        fields = [
            "id",
            "subject",
            "owner",
            "goal",
            "kpi",
            "rep",
            "team",
            "division",
            "severity",
            "period_start",
            "opened_on",
            "worsened_on",
            "closed_on",
            "is_open",
            "actual",
            "expected",
            "url",
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "snoozed_until",
            "version",
            "actions",
        ]
        read_only_fields = fields

    def get_subject(self, episode) -> str:
        return episode_subject(episode)

    def get_owner(self, episode) -> str:
        return episode_owner(episode)

    def get_is_open(self, episode) -> bool:
        return episode.closed_on is None

    def get_status(self, episode) -> str:
        return status_of(episode, CompanySettings.load().today())
