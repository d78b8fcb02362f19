"""seed_scale: the benchmark's company, built small here (the same code builds 2,000 reps)."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Sum

from activities.log import rollups
from activities.models import (
    Activity,
    ActivityMonth,
    ActivitySource,
    Customer,
    Deal,
    StageKind,
    StageTransition,
)
from plans.models import Goal, GoalScope, PlanTarget, WeeklyPlan
from reporting.models import MonthlyReview
from reporting.reviews.selectors import compute_figures
from salesmgmt.demo.scale.company import DAILY
from salesmgmt.demo.scale.writer import TableWriter
from salesmgmt.models import CompanySettings, Role, Team, User

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", reps=60, months=1, seed=3, stdout=out, **options)
    return out.getvalue()


def signature() -> dict:
    """What a second load with the same seed must reproduce, without ids."""
    return {
        "teams": sorted(Team.objects.annotate(n=Count("members")).values_list("n", flat=True)),
        "activity": Activity.objects.aggregate(n=Count("pk"), total=Sum("quantity")),
        "deals": sorted(
            Deal.objects.values_list("stage__key").annotate(n=Count("pk"), amount=Sum("amount"))
        ),
        "deal sales": Activity.objects.filter(deal__isnull=False).count(),
        "plans": PlanTarget.objects.aggregate(total=Sum("planned")),
    }


def working_days() -> list:
    today = CompanySettings.load().today()
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = (start + timedelta(days=n) for n in range((today - start).days + 1))
    return [d for d in days if d.weekday() < 5]


def test_the_company_has_teams_of_five_to_fifty_and_a_manager_each():
    output = seed()

    reps = User.objects.filter(role=Role.REP)
    assert reps.count() == 60
    assert sorted(Team.objects.annotate(n=Count("members")).values_list("n", flat=True)) == [
        5,
        5,
        50,
    ]
    assert not Team.objects.filter(manager__isnull=True).exists()
    assert User.objects.filter(role=Role.DIRECTOR, division__isnull=False).count() == 1
    assert User.objects.get(username="scale.admin").is_superuser
    assert "Loaded" in output and "scale.manager.002 (a team of 50)" in output


def test_every_rep_logs_each_daily_metric_on_every_working_day():
    seed()

    days = working_days()
    logged = (
        Activity.objects.filter(source=ActivitySource.MANUAL, metric__key__in=list(DAILY))
        .values("rep")
        .annotate(n=Count("pk"), days=Count("day", distinct=True))
    )
    assert len(logged) == 60
    assert {(row["n"], row["days"]) for row in logged} == {(len(days) * len(DAILY), len(days))}


def test_plans_cover_every_week_with_a_target_per_daily_metric():
    seed()

    company = CompanySettings.load()
    weeks = {company.week_of(d) for d in working_days()}
    assert WeeklyPlan.objects.count() == 60 * len(weeks)
    assert set(WeeklyPlan.objects.values_list("week_start", flat=True)) == weeks
    assert (
        WeeklyPlan.objects.annotate(n=Count("targets")).filter(n=len(DAILY)).count()
        == WeeklyPlan.objects.count()
    )
    assert set(Goal.objects.values_list("scope", flat=True)) == set(GoalScope.values)


def test_deals_sit_where_their_history_ends_and_won_deals_count_their_sale():
    seed()

    last = StageTransition.objects.filter(deal=OuterRef("pk")).order_by("-at", "-pk")
    deals = Deal.objects.annotate(last_stage=Subquery(last.values("to_stage")[:1]))
    assert deals.count() == 60 * 50
    assert not deals.exclude(stage=F("last_stage")).exists()
    assert not deals.exclude(stage_entered_at=Subquery(last.values("at")[:1])).exists()
    won = Deal.objects.filter(stage__kind=StageKind.WON)
    assert won.exists() and not won.filter(closed_on__isnull=True).exists()
    assert Deal.objects.filter(stage__kind=StageKind.OPEN, closed_on__isnull=False).count() == 0
    assert not Deal.objects.filter(stage__kind=StageKind.LOST, lost_reason__isnull=True).exists()
    sales = Activity.objects.filter(source=ActivitySource.DEAL)
    assert sales.count() == 2 * won.count()
    assert (
        sales.filter(metric__key="sales-value").aggregate(v=Sum("quantity"))["v"]
        == (won.aggregate(v=Sum("amount"))["v"])
    )
    assert Customer.objects.count() == 60 * 31


def test_every_rep_has_the_review_of_the_past_month_as_the_job_computes_it():
    seed()
    last = (CompanySettings.load().today().replace(day=1) - timedelta(days=1)).replace(day=1)
    reviews = MonthlyReview.objects.filter(month=last)
    assert reviews.count() == User.objects.filter(role=Role.REP).count() == 60
    assert set(MonthlyReview.objects.values_list("month", flat=True)) == {last}
    rep = User.objects.filter(role=Role.REP).order_by("pk").first()
    stored = reviews.get(rep=rep).figures
    assert stored == compute_figures(rep, last)  # the figures a rebuild would give
    assert Decimal(stored["metrics"][0]["actual"]) > 0


def test_the_month_rollup_matches_the_rows_copy_wrote():
    seed()
    assert ActivityMonth.objects.count() > 0
    assert rollups.differences() == []


def test_the_same_seed_builds_the_same_company():
    class Again(Exception):
        pass

    with pytest.raises(Again), transaction.atomic():
        seed()
        first = signature()
        raise Again
    seed()

    assert signature() == first


def test_a_second_load_is_refused():
    seed()

    with pytest.raises(CommandError, match="already holds a scale company"):
        seed()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_keeps_tabs_newlines_backslashes_and_nulls():
    seed()
    rep = User.objects.filter(role=Role.REP).first()
    metric = Activity.objects.first().metric_id
    note = "tab\there\nnew line \\ backslash \\N not null"

    TableWriter(now=Activity.objects.first().created_at).write(
        Activity,
        ["rep_id", "day", "metric_id", "quantity", "channel_id", "note", "created_by_id"],
        [(rep.pk, working_days()[0], metric, 3, None, note, rep.pk)],
    )

    row = Activity.objects.get(note=note)
    assert row.channel_id is None and row.quantity == 3 and row.source == ActivitySource.MANUAL
