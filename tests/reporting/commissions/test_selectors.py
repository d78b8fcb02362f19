"""Commission statements on hand-built months (March 2026), and the monthly job.

Rita (rep) is on a 5% plan whose quota is her monthly goal on sales value. A won deal
here is a Deal in the Won stage closed on a day, plus the activity rows a won deal
writes (source "deal"); a walk-in is a sales-value row logged by hand. Both are credited
sales: the base of commission, attainment and bonuses alike.
"""

import logging
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from activities.models import ActivitySource, Metric
from plans.goals.selectors import goal_progress
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.commissions.selectors import month_to_date
from reporting.commissions.services import compute_commission_statements, compute_statement
from reporting.jobs import compute_commission_statements_task
from reporting.models import (
    BonusRule,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    StatementLine,
)
from salesmgmt.calendar import month_of
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.factories import ActivityFactory
from tests.factories.deals import DealFactory, stage

MARCH = date(2026, 3, 1)
BERLIN = ZoneInfo("Europe/Berlin")


def metric(key):
    return Metric.objects.get(key=key)


def won(owner, amount, day, *, title=None):
    """A deal won on ``day`` with the outcome rows a won deal writes (one sale, its value)."""
    deal = DealFactory(
        owner=owner,
        stage=stage("won"),
        amount=Decimal(amount),
        closed_on=day,
        title=title or f"Deal {amount}",
    )
    for key, quantity in (("sales-value", Decimal(amount)), ("sales-closed", 1)):
        ActivityFactory(
            rep=owner,
            metric=metric(key),
            day=day,
            quantity=quantity,
            deal=deal,
            source=ActivitySource.DEAL,
            external_id=f"deal-{deal.pk}-{key}",
        )
    return deal


def walk_in(owner, amount, day, *, note=""):
    """A sale logged by hand, without a deal (a walk-in customer)."""
    ActivityFactory(
        rep=owner, metric=metric("sales-value"), day=day, quantity=Decimal(amount), note=note
    )
    ActivityFactory(rep=owner, metric=metric("sales-closed"), day=day, quantity=1)


def quota(rep, by, target, *, key="sales-value", month=MARCH):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric(key),
        period=GoalPeriod.MONTH,
        start=month,
        end=month_of(month).end,
        target=Decimal(target),
        created_by=by,
    )


def make_plan(
    *reps, rate="5", cap=None, quota_key="sales-value", tiers=(), bonuses=(), name="Field"
):
    plan = CommissionPlan.objects.create(
        name=name,
        rate=Decimal(rate),
        cap=None if cap is None else Decimal(cap),
        quota_metric=metric(quota_key) if quota_key else None,
    )
    plan.reps.set(reps)
    for start, tier_rate in tiers:
        CommissionTier.objects.create(
            plan=plan, attainment_from=Decimal(start), rate=Decimal(tier_rate)
        )
    for label, at_least, amount in bonuses:
        BonusRule.objects.create(
            plan=plan,
            name=label,
            attainment_at_least=Decimal(at_least),
            amount=Decimal(amount),
        )
    return plan


def lines_of(statement):
    """The statement's lines after the credited sales: (kind, base, rate, amount)."""
    return [
        (line.kind, line.base, line.rate, line.amount)
        for line in statement.lines.exclude(kind="sale").order_by("position")
    ]


def texts(statement):
    return [line.description for line in statement.lines.order_by("position")]


def assert_lines_add_up(statement):
    """Commission, bonus, adjustment and total are the sums of the lines' amounts."""
    by_kind = {}
    for line in statement.lines.all():
        by_kind[line.kind] = by_kind.get(line.kind, Decimal("0")) + line.amount
    commission = sum(by_kind.get(k, 0) for k in ("commission", "accelerator", "cap"))
    assert statement.commission == commission
    assert statement.bonus == by_kind.get("bonus", 0)
    assert statement.adjustment == by_kind.get("adjustment", 0)
    assert statement.total == sum(line.amount for line in statement.lines.all())
    assert by_kind.get("sale", 0) == 0


# --- the figures ---------------------------------------------------------------------------


def test_one_won_deal_and_two_walk_ins_explained_line_by_line(rep, manager):
    """Quota 3,000; one won deal (2,000) and two walk-ins (800, 400): credited 3,200,
    attainment 106.7% (106.67, half up). 5% of 3,200 = 160; 3% more on the 200 above quota = 6; the cap
    is not reached; the 100% bonus pays 500, the 120% one does not."""
    make_plan(
        rep,
        rate="5",
        cap="5000",
        tiers=[("100", "8")],
        bonuses=[("Quota club", "100", "500"), ("President's club", "120", "1000")],
    )
    quota(rep, manager, "3000")
    won(rep, "2000.00", date(2026, 3, 10), title="Harbour Foods: renewal")
    walk_in(rep, "800.00", date(2026, 3, 4), note="Counter sale")
    walk_in(rep, "400.00", date(2026, 3, 20))

    statement = compute_statement(rep=rep, month=MARCH)

    assert statement.credited_value == Decimal("3200.00")
    assert statement.quota == Decimal("3000.00")
    assert statement.attainment == Decimal("106.70")
    assert (statement.commission, statement.bonus, statement.total) == (
        Decimal("166.00"),
        Decimal("500.00"),
        Decimal("666.00"),
    )
    assert texts(statement) == [
        "Walk-in sale, 4 Mar 2026, Counter sale",
        "Harbour Foods: renewal — won deal, 10 Mar 2026",
        "Walk-in sale, 20 Mar 2026",
        "Base commission: 5% of 3,200.00 = 160.00",
        "Accelerator: 8% instead of 5%, so 3% more on the 200.00 above 100% of quota "
        "(attainment 106.7%) = 6.00",
        "Cap 5,000.00 not reached (commission 166.00)",
        "Bonus 'Quota club' (attainment at least 100%): 500.00",
        "Bonus 'President's club' (attainment at least 120%): not reached at 106.7%",
    ]
    sales = statement.lines.filter(kind="sale").order_by("position")
    assert [(line.base, line.amount, line.deal_id is not None) for line in sales] == [
        (Decimal("800.00"), Decimal("0.00"), False),
        (Decimal("2000.00"), Decimal("0.00"), True),
        (Decimal("400.00"), Decimal("0.00"), False),
    ]
    assert_lines_add_up(statement)


def test_attainment_commission_and_bonus_count_the_same_sales(rep, manager):
    """The demo's November contradiction: walk-ins lifted attainment (and the bonus) but
    earned no commission. Now the commission base is the attainment's actual."""
    make_plan(rep, rate="5", bonuses=[("Quota club", "100", "1500")])
    quota(rep, manager, "1000")
    walk_in(rep, "1200.00", date(2026, 3, 9))

    statement = compute_statement(rep=rep, month=MARCH)

    assert statement.attainment == Decimal("120.00")
    assert statement.credited_value == Decimal("1200.00")
    assert statement.commission == Decimal("60.00")
    assert statement.bonus == Decimal("1500.00")
    assert_lines_add_up(statement)


def test_five_percent_commission_on_a_500_sale_is_25(rep):
    make_plan(rep, rate="5", quota_key=None)
    deal = won(rep, "500.00", date(2026, 3, 10))

    statement = compute_statement(rep=rep, month=MARCH)

    assert statement.commission == Decimal("25.00")
    assert statement.total == Decimal("25.00")
    sale, base = statement.lines.all()
    assert (sale.kind, sale.deal, sale.base, sale.amount) == (
        "sale",
        deal,
        Decimal("500.00"),
        Decimal("0.00"),
    )
    assert (base.kind, base.base, base.rate, base.amount) == (
        "commission",
        Decimal("500.00"),
        Decimal("5.00"),
        Decimal("25.00"),
    )


def test_the_base_commission_rounds_once_half_up_to_cents(rep):
    """5% of 10.10 + 10.10 + 0.10 = 1.015: 1.02 (half up, once on the total, as a
    calculator does it), not the banker's 1.01 nor three rounded lines."""
    make_plan(rep, rate="5", quota_key=None)
    won(rep, "10.10", date(2026, 3, 2))
    won(rep, "10.10", date(2026, 3, 3))
    walk_in(rep, "0.10", date(2026, 3, 4))
    statement = compute_statement(rep=rep, month=MARCH)
    assert lines_of(statement) == [
        ("commission", Decimal("20.30"), Decimal("5.00"), Decimal("1.02")),
    ]
    assert statement.commission == Decimal("1.02")


def test_accelerators_are_marginal_per_tier(rep, manager):
    """Quota 10,000, credited 13,000 at 5%; 8% from 100%, 10% from 120%:
    650 + 3% x 2,000 + 5% x 1,000 = 760."""
    make_plan(rep, rate="5", tiers=[("100", "8"), ("120", "10")])
    quota(rep, manager, "10000")
    won(rep, "6000.00", date(2026, 3, 5))
    walk_in(rep, "7000.00", date(2026, 3, 25))

    statement = compute_statement(rep=rep, month=MARCH)

    assert statement.credited_value == Decimal("13000.00")
    assert statement.quota == Decimal("10000.00")
    assert statement.attainment == Decimal("130.00")
    assert lines_of(statement) == [
        ("commission", Decimal("13000.00"), Decimal("5.00"), Decimal("650.00")),
        ("accelerator", Decimal("2000.00"), Decimal("3.00"), Decimal("60.00")),
        ("accelerator", Decimal("1000.00"), Decimal("5.00"), Decimal("50.00")),
    ]
    assert texts(statement)[-2:] == [
        "Accelerator: 8% instead of 5%, so 3% more on the 2,000.00 between 100% and 120% "
        "of quota (attainment 130.0%) = 60.00",
        "Accelerator: 10% instead of 5%, so 5% more on the 1,000.00 above 120% of quota "
        "(attainment 130.0%) = 50.00",
    ]
    assert (statement.commission, statement.bonus, statement.total) == (
        Decimal("760.00"),
        Decimal("0.00"),
        Decimal("760.00"),
    )
    assert_lines_add_up(statement)


def test_below_the_first_tier_there_is_no_accelerator(rep, manager):
    make_plan(rep, rate="5", tiers=[("100", "8")])
    quota(rep, manager, "10000")
    won(rep, "9000.00", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert statement.attainment == Decimal("90.00")
    assert [kind for kind, *_ in lines_of(statement)] == ["commission"]
    assert statement.commission == Decimal("450.00")


def test_with_a_count_quota_the_credited_value_is_shared_by_attainment(rep, manager):
    """Quota 2 sales, 3 sold (8,000 in all): 150%. The tier from 100% earns on the third
    of the credited value above it: 8,000 x 1/3 = 2,666.67 at +3% = 80.00."""
    make_plan(rep, rate="5", quota_key="sales-closed", tiers=[("100", "8")])
    quota(rep, manager, "2", key="sales-closed")
    for amount, day in (("4000.00", 3), ("2000.00", 4)):
        won(rep, amount, date(2026, 3, day))
    walk_in(rep, "2000.00", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert statement.attainment == Decimal("150.00")
    assert lines_of(statement)[-1] == (
        "accelerator",
        Decimal("2666.67"),
        Decimal("3.00"),
        Decimal("80.00"),
    )
    assert texts(statement)[-1] == (
        "Accelerator: 8% instead of 5%, so 3% more on 2,666.67, the share above 100% of "
        "quota (attainment 150.0%) = 80.00"
    )
    assert statement.commission == Decimal("480.00")


def test_the_cap_limits_commission_but_not_bonuses(rep, manager):
    make_plan(
        rep,
        rate="5",
        cap="700",
        tiers=[("100", "8"), ("120", "10")],
        bonuses=[("Quota club", "100", "500")],
    )
    quota(rep, manager, "10000")
    won(rep, "13000.00", date(2026, 3, 5))

    statement = compute_statement(rep=rep, month=MARCH)

    kinds = [(kind, amount) for kind, _, _, amount in lines_of(statement)]
    assert kinds == [
        ("commission", Decimal("650.00")),
        ("accelerator", Decimal("60.00")),
        ("accelerator", Decimal("50.00")),
        ("cap", Decimal("-60.00")),
        ("bonus", Decimal("500.00")),
    ]
    assert "Cap: commission 760.00 is above the 700.00 monthly cap, so 60.00 is taken off" in (
        texts(statement)
    )
    assert (statement.commission, statement.bonus, statement.total) == (
        Decimal("700.00"),
        Decimal("500.00"),
        Decimal("1200.00"),
    )
    assert_lines_add_up(statement)


def test_at_the_cap_the_cap_line_says_not_reached(rep):
    make_plan(rep, rate="5", cap="700", quota_key=None)
    won(rep, "14000.00", date(2026, 3, 5))  # exactly 700: at the cap, not above it
    statement = compute_statement(rep=rep, month=MARCH)
    assert lines_of(statement)[-1] == ("cap", None, None, Decimal("0.00"))
    assert texts(statement)[-1] == "Cap 700.00 not reached (commission 700.00)"
    assert statement.commission == Decimal("700.00")


def test_bonus_ladder_pays_every_rung_reached(rep, manager):
    make_plan(
        rep,
        rate="5",
        bonuses=[("Bronze", "80", "100"), ("Silver", "100", "250"), ("Gold", "120", "500")],
    )
    quota(rep, manager, "10000")
    won(rep, "11000.00", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert statement.attainment == Decimal("110.00")
    bonuses = statement.lines.filter(kind="bonus").order_by("position")
    assert [(b.description, b.amount) for b in bonuses] == [
        ("Bonus 'Bronze' (attainment at least 80%): 100.00", Decimal("100.00")),
        ("Bonus 'Silver' (attainment at least 100%): 250.00", Decimal("250.00")),
        ("Bonus 'Gold' (attainment at least 120%): not reached at 110.0%", Decimal("0.00")),
    ]
    assert (statement.commission, statement.bonus, statement.total) == (
        Decimal("550.00"),
        Decimal("350.00"),
        Decimal("900.00"),
    )


def test_a_bonus_needs_the_threshold_really_reached(rep, manager):
    """9,999.50 of 10,000 is 99.995%: shown as 100.0% like on every page (one rounding
    rule: half up to a tenth), but the 100% bonus is not paid, and the line says why."""
    make_plan(rep, rate="5", bonuses=[("Quota club", "100", "500")])
    quota(rep, manager, "10000")
    won(rep, "9999.50", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert statement.attainment == Decimal("100.00")
    assert statement.bonus == Decimal("0.00")
    assert texts(statement)[-1] == (
        "Bonus 'Quota club' (attainment at least 100%): not reached at 99.99%"
    )


def test_attainment_rounds_as_on_the_goal_pages(rep, manager):
    """11,645 of a 10,000 quota is 116.45%: 116.5% on the statement, as on the goals page
    and the review (it read 116.4% here, rounded down, and 116.5% there)."""
    make_plan(rep, rate="5")
    goal = quota(rep, manager, "10000")
    won(rep, "11645", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert statement.attainment == Decimal("116.50")
    (progress,) = goal_progress(Goal.objects.filter(pk=goal.pk), as_of=date(2026, 3, 31))
    assert progress.attainment == Decimal("116.5")


def test_without_a_quota_there_are_no_accelerators_or_bonuses(rep, manager):
    make_plan(rep, rate="5", tiers=[("100", "8")], bonuses=[("Anything", "0", "100")])
    quota(rep, manager, "10000", month=date(2026, 2, 1))  # February's goal, not March's
    won(rep, "13000.00", date(2026, 3, 5))
    statement = compute_statement(rep=rep, month=MARCH)
    assert (statement.quota, statement.attainment) == (None, None)
    assert [kind for kind, *_ in lines_of(statement)] == ["commission"]
    assert statement.total == Decimal("650.00")


def test_only_the_reps_sales_in_the_month_are_credited(rep, teammate, manager):
    make_plan(rep, rate="10", quota_key=None)
    won(rep, "100.00", date(2026, 3, 1), title="First day")
    walk_in(rep, "200.00", date(2026, 3, 31))
    won(rep, "4000.00", date(2026, 2, 28), title="February")
    walk_in(rep, "8000.00", date(2026, 4, 1))
    won(teammate, "16000.00", date(2026, 3, 10), title="Tom's")
    walk_in(teammate, "16000.00", date(2026, 3, 10))
    DealFactory(
        owner=rep, stage=stage("lost"), amount=Decimal("32000"), closed_on=date(2026, 3, 10)
    )
    DealFactory(owner=rep, stage=stage("proposal"), amount=Decimal("64000"))

    statement = compute_statement(rep=rep, month=MARCH)

    assert texts(statement)[:2] == ["First day — won deal, 1 Mar 2026", "Walk-in sale, 31 Mar 2026"]
    assert statement.credited_value == Decimal("300.00")
    assert statement.total == Decimal("30.00")


def test_recomputing_replaces_the_lines_and_gives_the_same_figures(rep, manager):
    make_plan(rep, rate="5", tiers=[("100", "8")], bonuses=[("Club", "100", "200")])
    quota(rep, manager, "1000")
    won(rep, "1500.00", date(2026, 3, 5))

    first = compute_statement(rep=rep, month=MARCH)
    figures = lines_of(first)
    again = compute_statement(rep=rep, month=date(2026, 3, 17))  # any day of the month

    assert again.pk == first.pk
    assert CommissionStatement.objects.count() == 1
    assert StatementLine.objects.count() == 4  # sale, base, accelerator, bonus
    assert lines_of(again) == figures
    assert (again.commission, again.bonus, again.total) == (
        Decimal("90.00"),
        Decimal("200.00"),
        Decimal("290.00"),
    )

    walk_in(rep, "500.00", date(2026, 3, 6))
    third = compute_statement(rep=rep, month=MARCH)
    assert third.pk == first.pk
    assert StatementLine.objects.count() == 5
    assert third.total == Decimal("330.00")  # 5% x 2,000 + 3% x 1,000 + 200


def test_a_rep_on_no_plan_gets_no_statement(rep):
    make_plan(rep, rate="5", quota_key=None).reps.clear()
    assert compute_statement(rep=rep, month=MARCH) is None


def test_an_inactive_plan_does_not_count(rep):
    plan = make_plan(rep, rate="5", quota_key=None)
    plan.active = False
    plan.save()
    assert compute_statement(rep=rep, month=MARCH) is None


def test_a_rep_on_two_active_plans_is_refused(rep):
    make_plan(rep, name="Field")
    make_plan(rep, name="Inside")
    with pytest.raises(RuleViolation, match="more than one active commission plan"):
        compute_statement(rep=rep, month=MARCH)


def test_month_to_date_is_computed_not_stored(rep, manager):
    make_plan(rep, rate="5", bonuses=[("Club", "50", "100")])
    quota(rep, manager, "1000")
    won(rep, "300.00", date(2026, 3, 5))
    walk_in(rep, "100.00", date(2026, 3, 6))
    won(rep, "300.00", date(2026, 3, 20))  # after "today"

    preview = month_to_date(rep=rep, today=date(2026, 3, 10))

    assert CommissionStatement.objects.count() == 0
    assert preview.as_of == date(2026, 3, 10)
    credited = preview.credited
    assert (credited.value, credited.won_deals, credited.walk_ins, preview.attainment) == (
        Decimal("400.00"),
        1,
        1,
        Decimal("40.0"),
    )
    assert (preview.commission, preview.bonus, preview.total) == (
        Decimal("20.00"),
        Decimal("0"),
        Decimal("20.00"),
    )
    assert month_to_date(rep=manager, today=date(2026, 3, 10)) is None


# --- the monthly job -----------------------------------------------------------------------


@pytest.fixture
def field(rep, teammate, other_team_rep, manager):
    """Rita and Tom on the active plan, Otto on an inactive one; both won in March."""
    plan = make_plan(rep, teammate, rate="5", quota_key=None)
    make_plan(other_team_rep, name="Old", quota_key=None)
    CommissionPlan.objects.filter(name="Old").update(active=False)
    won(rep, "500.00", date(2026, 3, 10))
    won(teammate, "1000.00", date(2026, 3, 11))
    won(other_team_rep, "1000.00", date(2026, 3, 11))
    return plan


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def in_berlin(db):
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()


def test_job_creates_last_months_statements_once_and_tells_each_rep_once(
    field, in_berlin, rep, teammate
):
    assert compute_commission_statements(now=berlin(2026, 4, 1, 0, 30)) == 2
    statements = CommissionStatement.objects.order_by("rep__username")
    assert [(s.rep, s.month, s.total) for s in statements] == [
        (rep, MARCH, Decimal("25.00")),
        (teammate, MARCH, Decimal("50.00")),
    ]
    told = Notification.objects.filter(kind=NotificationKind.STATEMENT_READY)
    assert sorted(told.values_list("key", flat=True)) == [
        f"statement:{rep.pk}:2026-03",
        f"statement:{teammate.pk}:2026-03",
    ]
    mine = told.get(user=rep)
    assert mine.title == "Your commission statement for March 2026 is ready"
    assert mine.url == f"/commissions/{statements[0].pk}/"

    # Beat runs it every hour: nothing more is computed, nobody is told again,
    # and a late change does not rewrite the stored month.
    won(rep, "1000.00", date(2026, 3, 30))
    assert compute_commission_statements(now=berlin(2026, 4, 1, 1, 30)) == 0
    assert compute_commission_statements(now=berlin(2026, 4, 17, 9, 0)) == 0
    assert CommissionStatement.objects.get(rep=rep).total == Decimal("25.00")
    assert told.count() == 2

    # Asked for the month explicitly, it recomputes, still telling nobody twice.
    assert compute_commission_statements(month=date(2026, 3, 1)) == 2
    assert CommissionStatement.objects.get(rep=rep).total == Decimal("75.00")
    assert CommissionStatement.objects.count() == 2
    assert told.count() == 2


def test_job_reads_the_month_in_company_time(field, in_berlin):
    """23:30 UTC on 31 March is already 1 April in Berlin: March is due."""
    assert compute_commission_statements(now=berlin(2026, 3, 31, 23, 30)) == 2
    assert set(CommissionStatement.objects.values_list("month", flat=True)) == {date(2026, 2, 1)}
    utc_evening = datetime(2026, 3, 31, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert compute_commission_statements(now=utc_evening) == 2
    assert CommissionStatement.objects.filter(month=MARCH).count() == 2


def test_job_skips_a_misconfigured_rep_and_goes_on(field, in_berlin, rep, caplog):
    make_plan(rep, name="Second", quota_key=None)
    with caplog.at_level(logging.ERROR, logger="reporting.commissions"):
        assert compute_commission_statements(now=berlin(2026, 4, 1, 8)) == 1
    assert "more than one active commission plan" in caplog.text
    assert not CommissionStatement.objects.filter(rep=rep).exists()


def test_command_and_task(field, in_berlin):
    out = StringIO()
    call_command("compute_commission_statements", "--now", "2026-04-01T08:00", stdout=out)
    call_command("compute_commission_statements", "--now", "2026-04-01T09:00", stdout=out)
    call_command("compute_commission_statements", "--month", "2026-03", stdout=out)
    assert out.getvalue() == (
        "2 commission statement(s) computed.\n"
        "0 commission statement(s) computed.\n"
        "2 commission statement(s) computed.\n"
    )
    assert (
        compute_commission_statements_task.apply(kwargs={"now": "2026-05-01T08:00:00+02:00"}).get()
        == 2
    )
    assert CommissionStatement.objects.filter(month=date(2026, 4, 1)).count() == 2


def test_command_refuses_a_malformed_month(db):
    with pytest.raises(CommandError, match="not a month"):
        call_command("compute_commission_statements", "--month", "March")
