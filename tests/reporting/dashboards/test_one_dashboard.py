"""The pages and the API read one object per dashboard (rep_dashboard / team_dashboard),
so the same day gives the same figures on both.

The leaderboard's lagging metric in particular: a rep's *current* goal with the lowest
pace (running on the day the figures are measured), or failing one, their plan for the
week holding that day, whichever week the page browses and whatever range the API asks.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.dashboards import selectors as dashboards
from salesmgmt.calendar import month_of
from tests.factories import ActivityFactory, PlanTargetFactory, WeeklyPlanFactory, this_week
from tests.factories.tasks import company_day


@pytest.fixture
def alpha(cast, team, manager):
    """Rita: no goal running now; last month a calls goal of 100 with 10 done; this
    week's plan 10 meetings (none yet), three weeks ago 50 calls (none). Tom: this
    month's calls goal, 40 done."""
    m = {x.key: x for x in Metric.objects.all()}
    rita, tom = cast["rep"], cast["teammate"]
    month = month_of(company_day())
    last = month_of(month.start - timedelta(days=1))
    for person, period, done in ((rita, last, 10), (tom, month, 40)):
        Goal.objects.create(
            scope=GoalScope.REP,
            rep=person,
            metric=m["calls"],
            period=GoalPeriod.MONTH,
            start=period.start,
            end=period.end,
            target=Decimal(100),
            created_by=manager,
        )
        ActivityFactory(rep=person, metric=m["calls"], day=period.start, quantity=done)
    now = WeeklyPlanFactory(rep=rita, week_start=this_week())
    PlanTargetFactory(plan=now, metric=m["meetings"], planned=10)
    before = WeeklyPlanFactory(rep=rita, week_start=this_week() - timedelta(weeks=3))
    PlanTargetFactory(plan=before, metric=m["calls"], planned=50)
    return {"month": month, "last": last}


def test_lagging_metric_has_the_same_inputs_on_the_page_and_the_api(
    cast, team, alpha, client_for, api_for
):
    rita = cast["rep"]
    page = client_for(cast["manager"])
    api = api_for(cast["manager"])
    api_url = f"/api/v1/dashboards/team/{team.pk}/"

    def on_page(**params):
        board = page.get(reverse("dashboards:team"), params).context["leaderboard"]
        lagging = next(s.lagging for s in board if s.rep == rita)
        return lagging.metric.key, str(lagging.pace), lagging.source

    def on_api(**params):
        board = api.get(api_url, params).json()["leaderboard"]
        row = next(r for r in board if r["rep"] == rita.pk)
        return row["lagging_metric"], row["lagging_pace"], row["lagging_from"]

    this_weeks_plan = ("meetings", "0.0", "plan")
    assert on_page() == this_weeks_plan
    # Browsing an earlier week shows that week's grid; the month's leaderboard stays.
    assert on_page(week=str(this_week() - timedelta(weeks=3))) == this_weeks_plan
    assert on_api() == this_weeks_plan
    # A range reaching back into last month lists last month's goal, but it is over:
    # not what Rita lags on now.
    span = {"start": str(alpha["last"].start), "end": str(alpha["month"].end)}
    assert on_api(**span) == this_weeks_plan
    goals = api.get(api_url, span).json()["goals"]
    assert [(g["owner"], g["start"]) for g in goals if g["owner"] == str(rita)] == [
        (str(rita), str(alpha["last"].start))
    ]


def test_the_page_and_the_api_count_plans_with_one_selector(cast, team, alpha, client_for, api_for):
    counts = client_for(cast["manager"]).get(reverse("dashboards:team")).context["counts"]
    body = api_for(cast["manager"]).get(f"/api/v1/dashboards/team/{team.pk}/").json()
    (week,) = [w for w in body["plan_status"] if w["week_start"] == str(this_week())]
    assert counts == {k: v for k, v in week.items() if k != "week_start"}
    assert (counts["draft"], counts["none"]) == (1, 1)


def test_a_csv_export_reads_only_its_own_figure(cast, alpha, client_for):
    d = dashboards.team_dashboard(cast["rep"].team, cast["manager"])
    assert [s.rep for s in d.leaderboard] == [cast["teammate"], cast["rep"]]
    assert "trend" not in vars(d) and "alerts" not in vars(d)  # computed on first use only
