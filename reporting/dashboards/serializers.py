"""Shapes of the dashboard endpoints (read only). Figures come from reporting.dashboards,
reporting.goals and reporting.consistency; see their docstrings for the definitions."""

from rest_framework import serializers

from salesmgmt.api_support import DateRangeQuerySerializer


def _money(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, **kwargs)


def _percent(**kwargs):
    # 18 digits: the percent of a tiny target can be huge, and DRF answers 500 for a
    # figure with more digits than max_digits.
    return serializers.DecimalField(
        max_digits=18, decimal_places=1, allow_null=True, read_only=True, **kwargs
    )


class DashboardQuerySerializer(DateRangeQuerySerializer):
    start = serializers.DateField(required=False, help_text="First day; default: this month's.")
    end = serializers.DateField(
        required=False, help_text="Last day (included); default: this month's last."
    )


class RangeSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateField(help_text="Goals and pace are measured up to this day.")


class MetricTotalSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key")
    name = serializers.CharField(source="metric.name")
    unit = serializers.CharField(source="metric.unit", help_text="count or money")
    total = _money(help_text="Sum logged in the range.")


class GoalPaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="goal.pk")
    scope = serializers.CharField(source="goal.scope")
    owner = serializers.CharField(source="goal.owner_label")
    metric = serializers.CharField(source="goal.metric.key")
    label = serializers.CharField(
        source="goal.label", help_text='What the goal counts: "Sales closed · Walk-in".'
    )
    unit = serializers.CharField(source="goal.metric.unit")
    period = serializers.CharField(source="goal.period")
    start = serializers.DateField(source="goal.start")
    end = serializers.DateField(source="goal.end")
    target = _money(source="goal.target")
    stretch_target = _money(source="goal.stretch_target", allow_null=True)
    actual = _money(help_text="Actual to date.")
    expected = _money(help_text="Expected to date (working days elapsed).")
    attainment = _percent(help_text="actual / target, percent.")
    pace = _percent(help_text="actual / expected, percent; null while nothing is expected.")
    projection = _money(allow_null=True, help_text="End-of-period value at the pace so far.")
    status = serializers.CharField(help_text="green, amber, red or early (too early to tell)")


class PlanStatusSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    returned = serializers.IntegerField()
    none = serializers.IntegerField(help_text="Reps without a plan for the week.")


class RankSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="null: no monthly goal to rank by.")
    rep = serializers.IntegerField()
    name = serializers.CharField()
    attainment = _percent(help_text="Mean attainment to date of the month's goals.")


class StandingSerializer(RankSerializer):
    standing = serializers.CharField(help_text='"top", "laggard" or ""')
    goals = serializers.IntegerField(help_text="Monthly goals ranked on.")
    sales_value = _money(help_text="Value of the rep's credited sales in the range.")
    lagging_metric = serializers.CharField(
        allow_null=True, help_text="Key of the metric the rep lags most on."
    )
    lagging_pace = _percent()
    lagging_from = serializers.CharField(allow_null=True, help_text="goal or plan")


class MonthAttainmentSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month.")
    attainment = _percent()


class ConsistencySerializer(serializers.Serializer):
    months = serializers.IntegerField(help_text="Window: the last 6 or 12 complete months.")
    monthly = MonthAttainmentSerializer(many=True, help_text="Months with goals, oldest first.")
    mean = _percent()
    std_dev = _percent(help_text="Population standard deviation, in points.")
    trend = _percent(help_text="Least-squares slope, points per month.")
    scatter = _percent(help_text="Standard deviation of the residuals around the trend.")
    label = serializers.CharField(
        help_text="steady, volatile, improving, declining or too little history"
    )


class CreditedSalesSerializer(serializers.Serializer):
    """Credited sales in the range (won deals and walk-ins), as commission and quota
    attainment count them."""

    count = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="How many sales (the sales-closed count)."
    )
    value = _money(help_text="Their value (the sales-value sum).")
    won_deals = serializers.DecimalField(max_digits=16, decimal_places=2)
    won_value = _money()
    walk_ins = serializers.DecimalField(max_digits=16, decimal_places=2)
    walk_in_value = _money()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.IntegerField(allow_null=True)


class RepDashboardSerializer(serializers.Serializer):
    rep = PersonSerializer()
    range = RangeSerializer()
    totals = MetricTotalSerializer(many=True)
    sales = CreditedSalesSerializer()
    goals = GoalPaceSerializer(many=True, help_text="The rep's and their team's goals.")
    plan_status = PlanStatusSerializer(many=True, help_text="One row per week in the range.")
    leaderboard = RankSerializer(many=True, help_text="The rep's team, ranked.")
    consistency = ConsistencySerializer(many=True)


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    division = serializers.CharField()


class RepConsistencySerializer(serializers.Serializer):
    rep = serializers.IntegerField()
    name = serializers.CharField()
    windows = ConsistencySerializer(many=True)


class TeamDashboardSerializer(serializers.Serializer):
    team = TeamRefSerializer()
    range = RangeSerializer()
    totals = MetricTotalSerializer(many=True, help_text="Over the team's current reps.")
    sales = CreditedSalesSerializer(help_text="Over the team's reps, like the totals.")
    goals = GoalPaceSerializer(many=True, help_text="The team's goals, then its reps'.")
    plan_status = PlanStatusSerializer(many=True)
    leaderboard = StandingSerializer(many=True)
    consistency = RepConsistencySerializer(many=True)
