from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from activities.models import Activity, ActivityChange, Metric, Product
from plans.models import PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from salesmgmt.models import (
    CompanySettings,
    Division,
    RepFunction,
    Role,
    SalesModel,
    Team,
    User,
    Weekday,
)

PASSWORD = "demo-pass-2026"
MODELS = (
    Division,
    Team,
    User,
    Product,
    WeeklyPlan,
    PlanTarget,
    PlanEvent,
    Activity,
    ActivityChange,
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes seconds), rolled back when the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def this_week():
    company = CompanySettings.load()
    return company.week_of(company.today())


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_company_settings():
    """The demo company trades in dollars and starts its week on Monday."""
    company = CompanySettings.load()
    assert company.name == "Northwind Sales"
    assert company.currency == "USD"
    assert company.week_start == Weekday.MONDAY


def test_organisation():
    """Two divisions of two teams, each team led by a manager and focused on 4-6 metrics;
    a director per division; one admin; about thirty reps."""
    assert Division.objects.count() == 2
    teams = Team.objects.annotate(focus=Count("focus_metrics", distinct=True)).select_related(
        "manager"
    )
    assert len(teams) == 4
    assert {d.name: d.teams.count() for d in Division.objects.all()} == {"North": 2, "South": 2}
    assert {t.sales_model for t in teams} == {SalesModel.ISLAND, SalesModel.ASSEMBLY_LINE}
    for team in teams:
        assert team.manager.role == Role.MANAGER
        assert 4 <= team.focus <= 6
    directors = User.objects.filter(role=Role.DIRECTOR)
    assert {d.division.name for d in directors} == {"North", "South"}
    assert list(
        User.objects.filter(is_superuser=True).values_list("username", "role", "is_staff")
    ) == [("admin", Role.ADMIN, True)]

    reps = User.objects.reps()
    assert 28 <= reps.count() <= 32
    per_team = reps.values("team").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_team) <= {7, 8}
    assert not reps.exclude(email__endswith="@example.com").exists()
    island = set(
        reps.filter(team__sales_model=SalesModel.ISLAND).values_list("rep_function", flat=True)
    )
    assert island == {RepFunction.GENERALIST}
    line = set(
        reps.filter(team__sales_model=SalesModel.ASSEMBLY_LINE).values_list(
            "rep_function", flat=True
        )
    )
    assert line == {RepFunction.SDR, RepFunction.ACCOUNT_EXECUTIVE, RepFunction.CUSTOMER_SUCCESS}
    assert 5 <= Product.objects.count() <= 8


def test_demo_logins():
    """The logins the README gives work, and each lands in the role it promises."""
    users = User.objects.select_related("team__division", "division").in_bulk(
        ["admin", "director", "manager", "rep"], field_name="username"
    )
    for user in users.values():
        assert user.check_password(PASSWORD), user.username
    assert users["admin"].is_admin and users["admin"].is_staff
    assert users["director"].role == Role.DIRECTOR
    assert users["director"].division.name == "North"
    first_north_team = Team.objects.filter(division__name="North").order_by("pk").first()
    assert first_north_team.manager == users["manager"]
    assert users["rep"].is_rep and users["rep"].team == first_north_team


def test_twelve_weeks_of_plans_with_a_few_gaps():
    """Every rep has a plan for most of the last twelve weeks; a few weeks were skipped."""
    current = this_week()
    weeks = set(WeeklyPlan.objects.values_list("week_start", flat=True))
    assert weeks == {current - timedelta(weeks=n) for n in range(12)}
    reps = User.objects.reps().count()
    plans = WeeklyPlan.objects.count()
    assert reps * 12 * 0.85 <= plans < reps * 12
    assert (
        min(User.objects.reps().annotate(n=Count("weekly_plans")).values_list("n", flat=True)) >= 9
    )


def test_plans_target_the_teams_focus_metrics():
    """Every plan has numbers, and only for metrics its rep's team focuses on."""
    assert not WeeklyPlan.objects.filter(targets=None).exists()
    focus = {}
    for team_id, metric_id in Team.focus_metrics.through.objects.values_list("team", "metric"):
        focus.setdefault(team_id, set()).add(metric_id)
    planned = PlanTarget.objects.values_list("plan__rep__team", "metric")
    assert all(metric in focus[team] for team, metric in planned)


def test_past_weeks_mostly_approved():
    """Older weeks: mostly approved, some after being returned, a few left in draft;
    most carry the rep's end-of-week note."""
    past = WeeklyPlan.objects.filter(week_start__lt=this_week())
    by_status = dict(past.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) == {PlanStatus.APPROVED, PlanStatus.DRAFT}
    assert by_status[PlanStatus.APPROVED] > 0.9 * past.count()
    reworked = past.filter(status=PlanStatus.APPROVED, events__kind=PlanEvent.Kind.RETURNED)
    assert reworked.count() >= 10
    with_notes = past.exclude(progress_note="").count()
    assert with_notes > 0.7 * past.count()


def test_current_week_in_every_status():
    """This week shows the whole cycle: no plan yet, draft, waiting for review,
    approved, and returned with the manager's comment."""
    current = WeeklyPlan.objects.filter(week_start=this_week())
    assert set(current.values_list("status", flat=True)) == set(PlanStatus.values)
    assert User.objects.reps().exclude(weekly_plans__week_start=this_week()).exists()
    for plan in current.filter(status=PlanStatus.RETURNED).prefetch_related("events"):
        last = list(plan.events.all())[-1]
        assert last.kind == PlanEvent.Kind.RETURNED
        assert last.comment and last.by == plan.reviewed_by
    assert User.objects.get(username="rep").weekly_plans.get(week_start=this_week()).status == (
        PlanStatus.RETURNED
    )


def test_plan_timelines_are_believable():
    """Each plan's events start with its creation, run in order, lie in the past, and
    count as already notified (so no job e-mails history)."""
    now = timezone.now()
    plans = WeeklyPlan.objects.prefetch_related("events")
    for plan in plans:
        events = list(plan.events.all())
        times = [e.at for e in events]
        assert events[0].kind == PlanEvent.Kind.CREATED
        assert times == sorted(times) and times[-1] <= now
        assert plan.created_at == times[0] and plan.updated_at <= now
        if plan.status != PlanStatus.DRAFT:
            assert plan.submitted_at in times
    assert not PlanEvent.objects.filter(notified_at=None).exists()


def test_activity_every_working_day_up_to_today():
    """Activity is logged on weekdays only, from twelve weeks ago up to today."""
    today = CompanySettings.load().today()
    span = Activity.objects.aggregate(first=Min("day"), last=Max("day"))
    assert span["first"] == this_week() - timedelta(weeks=11)
    assert span["last"] <= today
    days = set(Activity.objects.values_list("day", flat=True))
    assert all(day.weekday() < 5 for day in days)
    assert not User.objects.reps().filter(activities=None).exists()
    assert not Activity.objects.exclude(source="manual").exists()


def test_activity_funnel_narrows():
    """Calls > contacts > appointments set > sales closed, and sales are priced like sales."""
    totals = dict(
        Activity.objects.values_list("metric__key").annotate(total=Sum("quantity")).order_by()
    )
    assert (
        totals["calls"] > totals["contacts"] > totals["appointments-set"] > totals["sales-closed"]
    )
    assert totals["appointments-held"] <= totals["appointments-set"]
    sold = totals["sales-closed"] + totals["upsells"]
    assert Decimal("500") <= totals["sales-value"] / sold <= Decimal("8000")


def test_activity_is_broken_down_by_channel_and_product():
    """Calls and contacts spread over several channels; sales carry their product."""
    channels = (
        Activity.objects.filter(metric__key__in=["calls", "contacts"])
        .values("channel")
        .distinct()
        .count()
    )
    assert channels >= 3
    sales = Activity.objects.filter(metric__key__in=["sales-closed", "sales-value"])
    assert not sales.filter(product=None).exists()
    assert sales.values("product").distinct().count() >= 5


def test_activity_rows_are_unique_per_day_line():
    """The day log keys rows by (metric, channel, product): the demo never repeats one."""
    repeated = (
        Activity.objects.values("rep", "day", "metric", "channel", "product")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not repeated.exists()


def test_rep_styles_show_in_attainment():
    """A steady rep stays near plan every week; a lagging one stays well below."""
    metric = Metric.objects.get(key="calls")

    def weekly_attainment(username):
        rep = User.objects.get(username=username)
        planned = dict(
            PlanTarget.objects.filter(plan__rep=rep, metric=metric).values_list(
                "plan__week_start", "planned"
            )
        )
        done = {}
        for day, quantity in Activity.objects.filter(rep=rep, metric=metric).values_list(
            "day", "quantity"
        ):
            week = day - timedelta(days=day.weekday())
            done[week] = done.get(week, 0) + quantity
        return [done.get(w, 0) / p for w, p in planned.items() if w < this_week()]

    steady = weekly_attainment("rep")  # the demo's steady rep
    assert all(0.7 <= a <= 1.2 for a in steady), steady
    lagging = weekly_attainment("rep.chloe")  # Harbour's lagging rep
    assert sum(lagging) / len(lagging) < 0.85, lagging


def test_second_run_changes_nothing():
    """Running the command again reports the demo is loaded and leaves every count alone."""
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == before


def test_summary_lists_the_logins(demo):
    """The command ends with counts and the demo logins."""
    assert "30 reps" in demo
    for username in ("admin", "director", "manager", "rep"):
        assert f"\n  {username} " in demo
    assert PASSWORD in demo


def test_nothing_loaded_over_clashing_data():
    """A database that already has a demo name (but no demo) is left untouched."""
    with transaction.atomic():
        User.objects.filter(username="admin").delete()
        before = counts()
        err = StringIO()
        call_command("seed_demo", stdout=StringIO(), stderr=err)
        assert "Nothing changed" in err.getvalue()
        assert counts() == before
        transaction.set_rollback(True)
