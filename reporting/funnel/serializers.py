"""Shapes of the funnel and forecast reports on the API (read only)."""

from rest_framework import serializers

from salesmgmt.api_support import DateRangeQuerySerializer

# --- Funnel and forecast figures ----------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    """Whose figures: ``scope`` and the id it needs; which pipeline; which period."""

    SCOPES = ["me", "rep", "team", "division", "company"]

    scope = serializers.ChoiceField(
        choices=SCOPES,
        required=False,
        help_text="Defaults to the widest view you have: company (admin), your division "
        "(director), your first team (manager), yourself (rep). A director's `company` "
        "is their division, as on the company dashboard.",
    )
    rep = serializers.IntegerField(required=False, help_text="With scope=rep.")
    team = serializers.IntegerField(required=False, help_text="With scope=team.")
    division = serializers.IntegerField(required=False, help_text="With scope=division.")
    pipeline = serializers.SlugField(required=False, help_text="A pipeline key.")


class FunnelQuerySerializer(ReportQuerySerializer, DateRangeQuerySerializer):
    """A named period, or any ``start``..``end`` (checked like every date range)."""

    max_days = None  # a funnel may look back over any span

    period = serializers.ChoiceField(
        choices=["month", "quarter", "last90"],
        required=False,
        default="month",
        help_text="A named period; `start` and `end` instead give any period.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("start"):
            attrs["period"] = "custom"
        return attrs


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="e.g. team:3, division:1, rep:12, me, company")
    label = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="month, quarter, last90 or custom")
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


def _percent(**kwargs):
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, read_only=True, **kwargs
    )


def _days(**kwargs):
    return serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, read_only=True, **kwargs
    )


def _money(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, **kwargs)


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.CharField(source="stage.key")
    name = serializers.CharField(source="stage.name")
    kind = serializers.CharField(source="stage.kind", help_text="open or won")
    entered = serializers.IntegerField(help_text="Deals that entered the stage in the period.")
    advanced = serializers.IntegerField(help_text="Of those, deals that later went further.")
    conversion = _percent(help_text="advanced / entered, percent; null for Won or no entries.")
    stays = serializers.IntegerField(help_text="Stays in the stage that ended in the period.")
    avg_days = _days(help_text="Average days of those stays.")


class OutcomesSerializer(serializers.Serializer):
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    hit_rate = _percent(help_text="won / (won + lost), percent.")
    won_amount = _money()
    avg_deal_size = _money(allow_null=True)
    avg_cycle_days = _days(help_text="Days from creation to close of won deals.")


class FunnelSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    pipeline = serializers.CharField(help_text="Pipeline key.")
    period = PeriodSerializer()
    stages = FunnelStageSerializer(many=True)
    outcomes = OutcomesSerializer()


class ForecastPeriodSerializer(PeriodSerializer):
    open_deals = serializers.IntegerField()
    weighted = _money(help_text="Sum of amount x win probability of open deals closing in it.")
    best_case = _money(help_text="Sum of amount of all open deals closing in it.")
    commit = _money(help_text="Sum of amount of those at or above the commit probability.")
    won_to_date = _money(help_text="Won from the period's first day to today.")


class ForecastSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    pipeline = serializers.CharField(allow_null=True, help_text="null: every pipeline.")
    commit_probability = serializers.IntegerField()
    periods = ForecastPeriodSerializer(many=True)
