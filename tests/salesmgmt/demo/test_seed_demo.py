"""The demo company `seed_demo` builds: organisation, plans, activity, customers, deals,
tasks, notifications, goals, reviews, commissions and alerts.

One file because seeding takes seconds, so the module seeds once (the module-scoped
`demo` fixture) and every test reads that one company; splitting it would seed again.
"""

from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities.deals.services import _deal_outcome_rows
from activities.models import (
    CLOSED_CUSTOMER_STATUSES,
    Activity,
    ActivityChange,
    Contact,
    Customer,
    CustomerStatus,
    Deal,
    LostReason,
    Metric,
    Product,
    Stage,
    StageKind,
    StageTransition,
    Task,
)
from coaching.models import Kudos
from plans.goals.selectors import goal_progress
from plans.models import Goal, PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from plans.weekly.selectors import changes_since_return
from reporting.dashboards.consistency import consistency
from reporting.models import (
    CommissionStatement,
    DeviationAction,
    DeviationEpisode,
    MonthlyReview,
    ReportPack,
    ReviewStatus,
)
from salesmgmt.i18n import language_of
from salesmgmt.models import (
    CompanySettings,
    Division,
    Notification,
    NotificationKind,
    RepFunction,
    Role,
    SalesModel,
    Team,
    User,
    Weekday,
)
from salesmgmt.money import percent_of
from tests.factories import this_week

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
    Customer,
    Contact,
    Deal,
    Deal.products.through,
    StageTransition,
    Task,
    Notification,
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
    weeks = set(
        WeeklyPlan.objects.filter(week_start__lte=current).values_list("week_start", flat=True)
    )
    assert weeks == {current - timedelta(weeks=n) for n in range(12)}
    reps = User.objects.reps().count()
    plans = WeeklyPlan.objects.filter(week_start__lte=current).count()
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


def test_the_manager_has_next_weeks_plan_to_review_resubmitted_after_a_return():
    """One plan ahead: next week's, of the manager's team, returned and resubmitted with a
    lower first number and one more key account, so its review shows what changed."""
    (plan,) = WeeklyPlan.objects.filter(week_start__gt=this_week())
    assert plan.week_start == this_week() + timedelta(weeks=1)
    assert plan.rep.team.manager.username == "manager"
    assert plan.status == PlanStatus.SUBMITTED
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "submitted"]
    changes = changes_since_return(plan)
    assert changes.returned.comment and changes.returned.by == plan.reviewed_by
    ((target),) = changes.targets
    assert target.old > target.new == plan.targets.get(metric__key=target.metric.key).planned
    assert len(changes.accounts_added) == 1 and changes.accounts_removed == []


def test_a_plans_key_accounts_are_the_reps_own_customers_in_play():
    plans = WeeklyPlan.objects.exclude(key_accounts="").select_related("rep")
    assert plans.count() > 100
    own = {
        (rep, name)
        for rep, name in Customer.objects.exclude(status__in=CLOSED_CUSTOMER_STATUSES).values_list(
            "owner", "name"
        )
    }
    strangers = [
        (plan.rep.username, name)
        for plan in plans
        for name in plan.key_accounts.split(", ")
        if (plan.rep_id, name) not in own
    ]
    assert strangers == []


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
    """Activity is logged on weekdays only, from twelve weeks ago up to today; before
    that, a year of monthly totals came in as a history import."""
    today = CompanySettings.load().today()
    logged = Activity.objects.exclude(source="history-import")
    span = logged.aggregate(first=Min("day"), last=Max("day"))
    assert span["first"] == this_week() - timedelta(weeks=11)
    assert span["last"] <= today
    days = set(Activity.objects.values_list("day", flat=True))
    assert all(day.weekday() < 5 for day in days)
    assert not User.objects.reps().filter(activities=None).exists()
    # Hand-logged rows, the rows won deals write for themselves, the history: nothing else.
    assert set(Activity.objects.values_list("source", flat=True)) == {
        "manual",
        "deal",
        "history-import",
    }
    history = Activity.objects.filter(source="history-import")
    assert history.aggregate(last=Max("day"))["last"] < span["first"]
    # Hand-logged rows may name the rep's own deal, and then that deal's customer.
    linked = Activity.objects.filter(source="manual", deal__isnull=False)
    assert linked.exists()
    assert not linked.exclude(customer=F("deal__customer")).exists()
    assert not linked.exclude(rep=F("deal__owner")).exists()
    assert not Activity.objects.filter(source="deal", deal=None).exists()


def test_customers_in_play_show_what_was_last_done_for_them():
    """Appointments and calls name the customer and deal they were for, so the customer
    pages and the list's "Last activity" tell a story; only small rows are attached
    (a day's 30 calls were not all to one account), and no row was added for it."""
    rep = User.objects.get(username="rep")
    in_play = Customer.objects.filter(owner=rep).exclude(status__in=["did_not_buy", "lost"])
    with_activity = in_play.filter(
        Exists(Activity.objects.filter(customer=OuterRef("pk"), rep=rep))
    )
    assert with_activity.count() >= 0.8 * in_play.count() > 0
    manual = Activity.objects.filter(source="manual", customer__isnull=False)
    assert not manual.filter(quantity__gt=3).exists()
    assert not manual.exclude(rep=F("customer__owner")).exists()
    assert manual.filter(
        metric__key__in=["appointments-set", "appointments-held"], deal__isnull=False
    ).exists()


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
    sales = Activity.objects.filter(metric__key__in=["sales-closed", "sales-value"]).exclude(
        source="history-import"  # monthly totals carry no product
    )
    assert not sales.filter(product=None).exists()
    assert sales.values("product").distinct().count() >= 5


def test_activity_rows_are_unique_per_day_line():
    """The day log keys hand-logged rows by (metric, channel, product): the demo never
    repeats one."""
    repeated = (
        Activity.objects.filter(source="manual")
        .values("rep", "day", "metric", "channel", "product")
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
    customers = Customer.objects.count()
    did_not_buy = Customer.objects.filter(status=CustomerStatus.DID_NOT_BUY).count()
    assert f"  {customers:,} customers (" in demo
    assert f" {did_not_buy} did not buy, " in demo
    assert f"  {Deal.objects.count()} deals ({Deal.objects.open().count()} open, " in demo
    assert f"  {Task.objects.count()} tasks (" in demo
    assert f"{Notification.objects.count()} notifications (" in demo
    for username in ("admin", "director", "manager", "rep"):
        assert f"\n  {username} " in demo
    assert PASSWORD in demo


def test_nothing_loaded_over_clashing_data():
    """A database that already has a demo name (but no demo) is left untouched."""
    with transaction.atomic():
        User.objects.filter(username="admin").update(username="former-admin")
        before = counts()
        err = StringIO()
        call_command("seed_demo", stdout=StringIO(), stderr=err)
        assert "Nothing changed" in err.getvalue()
        assert counts() == before
        transaction.set_rollback(True)


# --- Customers, deals, tasks, notifications ---------------------------------------------------


def company_day_bounds(day):
    start = datetime.combine(day, time.min, tzinfo=CompanySettings.load().tzinfo)
    return start, start + timedelta(days=1)


def test_every_rep_has_a_book_of_customers_with_contacts():
    """Each rep owns 15-25 accounts (a few more when many deals need one), in their own
    division's cities, with one or two contacts, a segment and a source channel."""
    per_rep = dict(Customer.objects.values_list("owner").annotate(n=Count("pk")).order_by())
    assert set(per_rep) == set(User.objects.reps().values_list("pk", flat=True))
    assert all(15 <= n <= 30 for n in per_rep.values()), per_rep
    assert 17 <= sum(per_rep.values()) / len(per_rep) <= 23
    contacts = Counter(Customer.objects.annotate(n=Count("contacts")).values_list("n", flat=True))
    assert set(contacts) == {1, 2}
    assert Contact.objects.count() == contacts[1] + 2 * contacts[2]
    assert Customer.objects.values("name").distinct().count() == Customer.objects.count()
    assert not Customer.objects.filter(segment="").exists()
    assert not Customer.objects.filter(source_channel=None).exists()
    assert Customer.objects.values("source_channel").distinct().count() >= 5
    assert not Contact.objects.filter(email="").exists()
    north = Customer.objects.filter(owner__team__division__name="North")
    assert "Seattle" in set(north.values_list("city", flat=True))
    assert "Austin" not in set(north.values_list("city", flat=True))
    assert not Customer.objects.filter(created_at__gt=timezone.now()).exists()


def test_customer_statuses_mostly_prospects_and_customers():
    """Mostly prospects and active customers; about one in eight did not buy and about
    one in twenty was lost, so "who did not buy and why" has something to show."""
    status = Counter(Customer.objects.values_list("status", flat=True))
    total = sum(status.values())
    assert set(status) == set(CustomerStatus.values)
    assert 0.10 <= status[CustomerStatus.DID_NOT_BUY] / total <= 0.15, status
    assert 0.03 <= status[CustomerStatus.LOST] / total <= 0.07, status
    assert status[CustomerStatus.PROSPECT] / total >= 0.35
    assert status[CustomerStatus.ACTIVE] / total >= 0.2
    # SDRs open doors: they never had a paying customer to lose.
    sdr_customers = Customer.objects.filter(owner__rep_function=RepFunction.SDR)
    assert not sdr_customers.filter(status__in=[CustomerStatus.ACTIVE, CustomerStatus.LOST])


def test_every_customer_who_did_not_buy_or_left_says_why():
    """Did-not-buy and lost customers carry a reason and a note, spread over the list;
    nobody else carries one. A lost deal either closed its account with the same reason
    or left it a prospect to try again later."""
    closed = Customer.objects.filter(status__in=CLOSED_CUSTOMER_STATUSES)
    assert not closed.filter(lost_reason=None).exists()
    assert not closed.filter(lost_note="").exists()
    assert not Customer.objects.exclude(status__in=CLOSED_CUSTOMER_STATUSES).exclude(
        lost_reason=None
    )
    used = set(closed.values_list("lost_reason__key", flat=True))
    assert len(used) >= 6 and used <= set(LostReason.objects.values_list("key", flat=True))
    outcome = Counter()
    for deal in Deal.objects.lost().select_related("customer", "pipeline"):
        outcome[deal.customer.status] += 1
        if deal.customer.status in CLOSED_CUSTOMER_STATUSES:
            assert deal.customer.lost_reason_id == deal.lost_reason_id
        else:
            assert deal.customer.status == CustomerStatus.PROSPECT
            assert deal.pipeline.key == "new-business"
    assert outcome[CustomerStatus.DID_NOT_BUY] and outcome[CustomerStatus.PROSPECT]


def test_deals_fill_every_stage_of_both_pipelines():
    """New business has deals at every stage, renewals belong to active (or churned)
    customers; reps carry about 6-12 deals; amounts are priced like the products."""
    per_stage = Counter(Deal.objects.values_list("pipeline__key", "stage__key"))
    for stage in Stage.objects.select_related("pipeline"):
        least = 3 if stage.pipeline.key == "new-business" else 1
        assert per_stage[(stage.pipeline.key, stage.key)] >= least, (stage, per_stage)
    renewals = Deal.objects.filter(pipeline__key="renewals")
    assert set(renewals.values_list("customer__status", flat=True)) == {
        CustomerStatus.ACTIVE,
        CustomerStatus.LOST,
    }
    assert not renewals.exclude(stage__kind=StageKind.LOST).exclude(
        customer__status=CustomerStatus.ACTIVE
    )
    per_rep = list(Deal.objects.values_list("owner").annotate(n=Count("pk")).order_by())
    assert len(per_rep) == 30
    assert 8 <= sum(n for _, n in per_rep) / len(per_rep) <= 12
    assert all(4 <= n <= 20 for _, n in per_rep)
    assert not Deal.objects.exclude(owner=F("customer__owner")).exists()
    amounts = Deal.objects.aggregate(low=Min("amount"), high=Max("amount"))
    assert Decimal("500") <= amounts["low"] and amounts["high"] <= Decimal("40000")
    assert Deal.objects.filter(amount__gt=20000).exists()
    assert not Deal.objects.filter(products=None).exists()
    assert Deal.objects.annotate(n=Count("products")).filter(n=2).exists()


def test_open_deals_look_ahead_three_months():
    """Open deals expect to close over the next three months, a few are past due, a few
    carry the rep's own probability."""
    today = CompanySettings.load().today()
    open_deals = Deal.objects.open()
    closes = list(open_deals.values_list("expected_close", flat=True))
    assert max(closes) <= today + timedelta(days=92)
    assert sum(today + timedelta(days=60) < d for d in closes) >= 5
    assert sum(today <= d <= today + timedelta(days=30) for d in closes) >= 20
    past_due = sum(d < today for d in closes)
    assert 3 <= past_due <= 0.25 * len(closes)
    overridden = open_deals.exclude(probability=None)
    assert 3 <= overridden.count() <= 0.25 * len(closes)
    assert not overridden.filter(probability=F("stage__probability")).exists()
    assert not Deal.objects.exclude(stage__kind=StageKind.OPEN).exclude(probability=None)


def test_deal_histories_walk_forward_and_end_at_the_deals_stage():
    """Each deal was created at the first stage and moved one stage at a time (or to
    lost), in time order, in the past; its stage and dates match its last move."""
    now = timezone.now()
    tz = CompanySettings.load().tzinfo
    deals = Deal.objects.select_related("stage").prefetch_related(
        "transitions__from_stage", "transitions__to_stage"
    )
    for deal in deals:
        moves = list(deal.transitions.all())
        first, last = moves[0], moves[-1]
        assert first.from_stage is None and first.to_stage.position == 0, deal
        for before, after in pairwise(moves):
            assert before.at < after.at
            assert after.from_stage == before.to_stage
            if after.to_stage.kind != StageKind.LOST:
                assert after.to_stage.position == before.to_stage.position + 1, deal
        assert last.to_stage == deal.stage and last.at <= now
        assert deal.stage_entered_at == last.at and deal.created_at == first.at
        assert deal.customer.created_at <= first.at
        if deal.stage.is_open:
            assert deal.closed_on is None and deal.lost_reason is None
        else:
            assert deal.closed_on == timezone.localtime(last.at, tz).date()
        if deal.stage.kind == StageKind.LOST:
            assert deal.lost_reason and deal.lost_note and last.note == deal.lost_note
    assert StageTransition.objects.count() >= 3 * Deal.objects.count()
    # In assembly-line teams the SDR booked the appointment the account executive works.
    handed = StageTransition.objects.filter(
        deal__owner__rep_function=RepFunction.ACCOUNT_EXECUTIVE,
        by__rep_function=RepFunction.SDR,
    )
    assert handed.exists()
    assert not handed.exclude(by__team=F("deal__owner__team")).exists()


def test_won_deals_count_as_sales_exactly_as_the_deal_service_writes_them():
    """Each won deal has exactly its two 'deal' rows (one sale, its amount, on its close
    date, for its owner and customer) and they are what the deal service would write;
    no open or lost deal counts anything."""
    won = list(Deal.objects.won().select_related("pipeline"))
    assert len(won) >= 40
    fields = (
        "external_id",
        "rep_id",
        "day",
        "metric__key",
        "quantity",
        "product_id",
        "customer_id",
        "deal_id",
        "source",
        "created_by_id",
        "note",
    )
    stored = set(Activity.objects.filter(source="deal").values_list(*fields))
    expected = {
        (
            row.external_id,
            row.rep_id,
            row.day,
            row.metric.key,
            Decimal(row.quantity),
            row.product_id,
            row.customer_id,
            row.deal.pk,
            row.source,
            row.created_by_id,
            row.note,
        )
        for deal in won
        for row in _deal_outcome_rows(deal)
    }
    assert stored == expected
    assert len(stored) == 2 * len(won)
    for deal in won:
        assert (f"deal-{deal.pk}-sales-closed", Decimal("1")) in {(r[0], r[4]) for r in stored}
    value = Activity.objects.filter(source="deal", metric__key="sales-value")
    assert value.aggregate(total=Sum("quantity"))["total"] == sum(d.amount for d in won)
    # New business won through the pipeline lies in the last eight weeks: before that,
    # every sale was logged by hand.
    today = CompanySettings.load().today()
    new_business = [d for d in won if d.pipeline.key == "new-business"]
    assert min(d.closed_on for d in new_business) > today - timedelta(days=56)
    changes = ActivityChange.objects.filter(activity__source="deal", action="created")
    assert changes.count() == len(stored)


def test_some_open_deals_need_attention():
    """Some open deals have no next step or one already past (flagged on the pipeline),
    some have not moved for longer than the stale-deal setting; the demo rep has both."""
    company = CompanySettings.load()
    today, now = company.today(), timezone.now()
    open_deals = Deal.objects.open()
    flagged = open_deals.needing_attention(today)
    assert 0.1 * open_deals.count() <= flagged.count() <= 0.45 * open_deals.count()
    assert flagged.filter(next_step="").exists()
    assert flagged.filter(next_step_date__lt=today).exists()
    assert open_deals.filter(next_step_date__gte=today).count() > flagged.count()
    stale = open_deals.filter(stage_entered_at__lt=now - timedelta(days=company.stale_deal_days))
    assert 0.05 * open_deals.count() <= stale.count() <= 0.4 * open_deals.count()
    rep = User.objects.get(username="rep")
    assert flagged.filter(owner=rep).exists() and stale.filter(owner=rep).exists()


def test_tasks_around_today_some_overdue_some_late():
    """Tasks fall over the past and next two weeks: most past ones done (some late),
    every rep has at least one overdue, a few are due today, some came from managers."""
    company = CompanySettings.load()
    today, now = company.today(), timezone.now()
    # The tasks step's own (coaching's action items are tasks too, some of them managers').
    tasks = Task.objects.filter(coaching_item__isnull=True)
    per_rep = dict(tasks.values_list("assignee").annotate(n=Count("pk")).order_by())
    assert len(per_rep) == 30 and all(5 <= n <= 15 for n in per_rep.values()), per_rep
    overdue = tasks.overdue(now)
    assert set(overdue.values_list("assignee", flat=True)) == set(per_rep)
    past = tasks.filter(due_at__lt=now - timedelta(days=1))
    assert past.done().count() > 2 * past.open().count()
    late = tasks.done().filter(done_at__gt=F("due_at"))
    assert 0.1 * past.done().count() <= late.count() <= 0.5 * past.done().count()
    start, end = company_day_bounds(today)
    assert tasks.filter(due_at__gte=start, due_at__lt=end).exists()
    assert tasks.filter(due_at__gte=start, due_at__lt=end, assignee__username="rep")
    span = tasks.aggregate(first=Min("due_at"), last=Max("due_at"))
    assert span["first"] >= start - timedelta(days=16)
    assert span["last"] < end + timedelta(days=17)
    assert tasks.filter(due_at__gt=now, done_at=None).count() >= 30
    assert not tasks.filter(created_at__gte=F("due_at")).exists()
    assert not tasks.filter(done_at__lt=F("created_at")).exists()
    assert not tasks.filter(done_at__gt=now).exists()
    assert set(tasks.values_list("priority", flat=True)) == {"low", "normal", "high"}
    given = tasks.exclude(created_by=F("assignee"))
    assert 0.1 * tasks.count() <= given.count() <= 0.35 * tasks.count()
    assert not given.exclude(created_by=F("assignee__team__manager")).exists()
    linked = tasks.exclude(deal=None)
    assert linked.count() > tasks.count() / 3
    assert not linked.exclude(deal__owner=F("assignee")).exists()
    assert not linked.exclude(customer=F("deal__customer")).exists()
    assert not tasks.exclude(customer=None).exclude(customer__owner=F("assignee"))


def test_demo_logins_find_news_in_the_bell():
    """The rep and the manager each have unread and read notifications about real
    things; all count as e-mailed already, so no job sends history."""
    kinds = NotificationKind
    rep = User.objects.get(username="rep")
    manager = User.objects.get(username="manager")
    unread = set(Notification.objects.unread().filter(user=rep).values_list("kind", flat=True))
    assert {kinds.PLAN_REVIEWED, kinds.TASK_ASSIGNED, kinds.STALE_DEAL} <= unread
    assert Notification.objects.filter(user=rep, read_at__isnull=False).exists()
    unread = set(Notification.objects.unread().filter(user=manager).values_list("kind", flat=True))
    assert {kinds.PLAN_SUBMITTED, kinds.TEAM_OVERDUE_DIGEST} <= unread
    assert Notification.objects.filter(user=manager, read_at__isnull=False).exists()

    returned = rep.weekly_plans.get(week_start=this_week()).events.last()
    told = Notification.objects.get(user=rep, key=f"plan-event:{returned.pk}")
    assert told.read_at is None and told.title.endswith("was returned")
    assert returned.comment in told.body
    for note in Notification.objects.filter(kind=kinds.TASK_ASSIGNED).select_related("user"):
        task = Task.objects.get(pk=note.key.split(":")[1])
        assert task.assignee == note.user and task.created_by != note.user
    for note in Notification.objects.filter(kind=kinds.STALE_DEAL):
        assert Deal.objects.open().filter(owner=note.user_id, pk=note.url.split("/")[2])
    now = timezone.now()
    assert not Notification.objects.filter(emailed_at=None).exists()
    assert not Notification.objects.filter(url="").exists()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    assert not Notification.objects.filter(read_at__lt=F("created_at")).exists()


def test_the_funnel_narrows_and_the_hit_rate_is_believable():
    """More deals entered each early stage than the next (most losses come early), and
    about a third of the closed new business was won."""
    entered = Counter(
        StageTransition.objects.filter(deal__pipeline__key="new-business").values_list(
            "to_stage__position", flat=True
        )
    )
    assert entered[0] > entered[2] > entered[4] > entered[6]  # lead > set > proposal > won
    won = Deal.objects.won().filter(pipeline__key="new-business").count()
    lost = Deal.objects.lost().filter(pipeline__key="new-business").count()
    assert 0.25 <= won / (won + lost) <= 0.5


# --- Goals, reviews, commissions, alerts ------------------------------------------------------


def test_goals_at_every_level_with_some_reps_ahead_and_some_behind():
    """Every rep has this month's quota; teams, divisions and the company have goals too;
    the pace of this month's rep goals runs from green to red."""

    today = CompanySettings.load().today()
    current = Goal.objects.current(today)
    assert set(current.values_list("scope", flat=True)) == {"rep", "team", "division", "company"}
    assert set(current.filter(scope="rep").values_list("rep", flat=True)) == set(
        User.objects.reps().values_list("pk", flat=True)
    )
    statuses = {p.status for p in goal_progress(current.filter(scope="rep"))}
    assert {"green", "red"} <= statuses or today.day < 7  # nothing is behind on day one


def test_a_year_of_monthly_goals_gives_every_consistency_label():

    reps = list(User.objects.reps().values_list("pk", flat=True))
    labels = {c.label for c in consistency(reps, months=6).values()}
    assert {"steady", "volatile"} <= labels
    assert labels & {"improving", "declining"}


def test_past_months_have_reviews_statements_alerts_and_a_report_pack():

    statuses = set(MonthlyReview.objects.values_list("status", flat=True))
    assert statuses == {ReviewStatus.DRAFT, ReviewStatus.SHARED, ReviewStatus.ACKNOWLEDGED}
    assert MonthlyReview.objects.values("month").distinct().count() == 2
    assert CommissionStatement.objects.filter(total__gt=0).exists()
    assert DeviationEpisode.objects.open().exists()
    # Alerts with what managers did: each kind of action, a snoozed one, and Rita's alert
    # of last month in her review with its note.
    kinds = set(DeviationAction.objects.values_list("kind", flat=True))
    assert kinds == {"note", "task", "acknowledge", "snooze"}
    assert DeviationEpisode.objects.snoozed(CompanySettings.load().today()).exists()
    rita = MonthlyReview.objects.filter(rep__username="rep").order_by("-month").first()
    assert [a["kind"] for a in rita.figures["alerts"][0]["actions"]] == ["note", "acknowledge"]
    assert ReportPack.objects.filter(active=True).exists()
    # Everything the jobs told people counts as e-mailed already.
    assert not Notification.objects.filter(email=True, emailed_at=None).exists()


def test_last_months_statements_pay_on_the_sales_attainment_counts():
    """Every statement's base is its credited sales (won deals and walk-ins), the same
    total its attainment and bonuses come from; each adds up line by line; one manager's
    adjustment, with its reason, is on a statement."""
    statements = CommissionStatement.objects.prefetch_related("lines")
    assert statements.exists()
    for s in statements:
        lines = list(s.lines.all())
        sales = sum(line.base for line in lines if line.kind == "sale")
        assert s.credited_value == sales, s
        assert s.attainment == percent_of(s.credited_value, s.quota), s
        base = next(line for line in lines if line.kind == "commission")
        # Lines are written in the rep's language (Athens reads Greek, Manila Filipino).
        with translation.override(language_of(s.rep)):
            opening = gettext("Base commission: %(rate)s of %(value)s = %(amount)s").split(":")[0]
        assert base.base == s.credited_value and base.description.startswith(opening), s
        assert s.total == sum(line.amount for line in lines), s
        assert s.total == s.commission + s.bonus + s.adjustment, s
    (adjusted,) = statements.exclude(adjustment=0)
    (line,) = [line for line in adjusted.lines.all() if line.kind == "adjustment"]
    with translation.override(language_of(adjusted.rep)):
        opening = gettext("Adjustment by %(person)s on %(day)s: %(reason)s").split("%")[0]
    assert line.description.startswith(opening) and "Referral split" in line.description


def test_reviews_tell_a_story_that_fits_each_rep():
    """Thanks name a teammate of the rep's own team; no bell still asks a rep to
    acknowledge a review they acknowledged."""
    thanked = Kudos.objects.filter(review__isnull=False).select_related("recipient__team")
    assert thanked.exists()
    for kudos in thanked:
        rep = kudos.recipient
        mates = set(rep.team.members.exclude(pk=rep.pk).values_list("first_name", flat=True))
        covered = kudos.message.split("covering ")[1].split("'s accounts")[0]
        assert covered in mates, (rep.username, covered)
        assert kudos.giver == rep.team.manager
    acknowledged = MonthlyReview.objects.filter(status=ReviewStatus.ACKNOWLEDGED)
    assert acknowledged.exists()
    asking = Notification.objects.unread().filter(
        key__in=[f"review-shared:{pk}" for pk in acknowledged.values_list("pk", flat=True)]
    )
    assert not asking.exists()
