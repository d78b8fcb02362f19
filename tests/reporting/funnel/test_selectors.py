"""Funnel and forecast figures, pinned on a hand-built history of team Alpha.

Period: March 2025. Every transition happens at noon (company timezone), so
stays are whole days. The history, per deal (owner, amount):

  D1 rep 1,000      lead 1 Mar -> contacted 3 Mar -> proposal 10 Mar -> won 20 Mar
  D2 rep 500        lead 2 Mar -> contacted 6 Mar -> lost 16 Mar
  D3 teammate 2,000 lead 5 Mar -> contacted 9 Mar (open, probability 80, closes 28 Mar)
  D4 rep 812.50     lead 20 Feb -> contacted 4 Mar -> appointment set 8 Mar (open, closes 31 Mar)
  D6 rep 700        lead 12 Mar -> lost 14 Mar
  D7 teammate 3,000 lead 1 Feb -> proposal 15 Feb -> won 25 Mar
  D8 rep 1,234.56   lead 1 Feb -> negotiation 10 Feb (open, closes 20 Feb)
  D9 rep 333.33     lead 1 Mar (open, closes 10 Apr)
  D5 other_team_rep 900  lead 1 Mar -> won 10 Mar   (team Beta: outside Alpha, inside North)
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.deals import selectors as deals_selectors
from activities.models import Deal
from reporting.funnel import selectors as funnel
from salesmgmt import calendar
from salesmgmt.models import CompanySettings, User
from tests.factories.deals import DealFactory, at, pipeline, walk

MARCH = calendar.Period(date(2025, 3, 1), date(2025, 3, 31), "March 2025")


def d(month, day):
    return at(date(2025, month, day))


@pytest.fixture
def history(rep, teammate, other_team_rep):
    deals = {}

    def deal(name, owner, amount, steps, **fields):
        deals[name] = walk(
            DealFactory(owner=owner, amount=Decimal(amount), title=name, **fields),
            steps,
            by=owner,
        )

    deal(
        "D1",
        rep,
        "1000",
        [("lead", d(3, 1)), ("contacted", d(3, 3)), ("proposal", d(3, 10)), ("won", d(3, 20))],
    )
    deal("D2", rep, "500", [("lead", d(3, 2)), ("contacted", d(3, 6)), ("lost", d(3, 16))])
    deal(
        "D3",
        teammate,
        "2000",
        [("lead", d(3, 5)), ("contacted", d(3, 9))],
        probability=80,
        expected_close=date(2025, 3, 28),
    )
    deal(
        "D4",
        rep,
        "812.50",
        [("lead", d(2, 20)), ("contacted", d(3, 4)), ("appointment-set", d(3, 8))],
        expected_close=date(2025, 3, 31),
    )
    deal("D6", rep, "700", [("lead", d(3, 12)), ("lost", d(3, 14))])
    deal("D7", teammate, "3000", [("lead", d(2, 1)), ("proposal", d(2, 15)), ("won", d(3, 25))])
    deal(
        "D8",
        rep,
        "1234.56",
        [("lead", d(2, 1)), ("negotiation", d(2, 10))],
        expected_close=date(2025, 2, 20),
    )
    deal("D9", rep, "333.33", [("lead", d(3, 1))], expected_close=date(2025, 4, 10))
    deal("D5", other_team_rep, "900", [("lead", d(3, 1)), ("won", d(3, 10))])
    return deals


@pytest.fixture
def alpha(team):
    return User.objects.filter(team=team)


def rows_by_key(rows):
    return {r.stage.key: (r.entered, r.advanced, r.conversion, r.stays, r.avg_days) for r in rows}


def test_conversion_and_days_in_stage_per_stage(history, alpha):
    """Entered in March, reached a later non-lost stage, and mean length of stays
    that ended in March — for every stage of the pipeline, in order."""
    rows = funnel.funnel(alpha, pipeline(), MARCH)
    assert [r.stage.key for r in rows] == [
        "lead",
        "contacted",
        "appointment-set",
        "appointment-held",
        "proposal",
        "negotiation",
        "won",
    ]
    assert rows_by_key(rows) == {
        # D1 D2 D3 D6 D9 entered; D6 was lost, D9 is still a lead. Stays ended in March:
        # D1 2, D2 4, D3 4, D4 12 (entered in Feb), D6 2 -> 24 / 5.
        "lead": (5, 3, Decimal("60.0"), 5, Decimal("4.8")),
        # D1 D2 D3 D4 entered; D1 reached proposal, D4 appointment set. Stays: 7, 10, 4.
        "contacted": (4, 2, Decimal("50.0"), 3, Decimal("7.0")),
        "appointment-set": (1, 0, Decimal("0.0"), 0, None),
        "appointment-held": (0, 0, None, 0, None),
        # D7 entered proposal in February; its 38-day stay ended in March, D1's 10-day one too.
        "proposal": (1, 1, Decimal("100.0"), 2, Decimal("24.0")),
        "negotiation": (0, 0, None, 0, None),
        "won": (2, 0, None, 0, None),
    }


def test_skipping_stages_counts_as_reaching_beyond(history, rep):
    """D5 went from lead straight to won: it converted out of lead."""
    rows = funnel.funnel(User.objects.filter(pk=history["D5"].owner_id), pipeline(), MARCH)
    assert rows_by_key(rows)["lead"] == (1, 1, Decimal("100.0"), 1, Decimal("9.0"))


def test_moving_back_and_forward_counts_a_deal_once(rep):
    deal = DealFactory(owner=rep)
    walk(
        deal,
        [("lead", d(3, 1)), ("contacted", d(3, 2)), ("lead", d(3, 3)), ("contacted", d(3, 5))],
        by=rep,
    )
    rows = rows_by_key(funnel.funnel(User.objects.filter(pk=rep.pk), pipeline(), MARCH))
    # Two lead stays (1 and 2 days) but one deal entered and advanced.
    assert rows["lead"] == (1, 1, Decimal("100.0"), 2, Decimal("1.5"))
    assert rows["contacted"][:2] == (1, 0)


def test_a_stay_that_ends_after_the_period_is_not_counted_in_it(rep):
    """Lead from 25 March to 2 April ended in April; a proposal stay from February to
    April spans March without ending in it: neither is a March stay. The contacted
    stay of 2 April onwards has not ended."""
    walk(DealFactory(owner=rep), [("lead", d(3, 25)), ("contacted", d(4, 2))], by=rep)
    walk(DealFactory(owner=rep), [("proposal", d(2, 10)), ("won", d(4, 5))], by=rep)
    walk(DealFactory(owner=rep), [("lead", d(3, 1)), ("contacted", d(3, 4))], by=rep)
    rows = rows_by_key(funnel.funnel(User.objects.filter(pk=rep.pk), pipeline(), MARCH))
    assert rows["lead"][3:] == (1, Decimal("3.0"))  # only the 1 -> 4 March stay
    assert rows["proposal"][3:] == (0, None)
    april = calendar.Period(date(2025, 4, 1), date(2025, 4, 30), "April 2025")
    rows = rows_by_key(funnel.funnel(User.objects.filter(pk=rep.pk), pipeline(), april))
    assert rows["lead"][3:] == (1, Decimal("8.0"))  # 25 March -> 2 April
    assert rows["proposal"][3:] == (1, Decimal("54.0"))  # 10 February -> 5 April


def test_outcomes_hit_rate_deal_size_and_cycle(history, alpha):
    """Closed in March: won D1 (19-day cycle) and D7 (52 days); lost D2 and D6."""
    result = funnel.outcomes(alpha, MARCH)
    assert (
        result.won,
        result.lost,
        result.hit_rate,
        result.won_amount,
        result.avg_deal_size,
        result.avg_cycle_days,
    ) == (2, 2, Decimal("50.0"), Decimal("4000.00"), Decimal("2000.00"), Decimal("35.5"))


def test_outcomes_of_a_wider_scope_include_the_other_team(history, director):
    north = funnel.resolve_scope(director, f"division:{director.division_id}")
    result = funnel.outcomes(north.owners, MARCH)
    assert (result.won, result.lost, result.hit_rate, result.avg_deal_size) == (
        3,
        2,
        Decimal("60.0"),
        Decimal("1633.33"),
    )


def test_outcomes_without_closed_deals_are_empty_not_zero(alpha, history):
    result = funnel.outcomes(alpha, calendar.Period(date(2024, 1, 1), date(2024, 1, 31), "Jan"))
    assert (result.won, result.lost, result.hit_rate, result.avg_deal_size) == (0, 0, None, None)
    assert result.avg_cycle_days is None


def test_forecast_for_the_month_and_the_quarter(history, alpha):
    """Today is 26 March 2025. Open, closing in March: D3 (2,000 at its own 80%)
    and D4 (812.50 at appointment set's 20%). The quarter adds D8 (1,234.56 at
    negotiation's 75%). D9 closes in April. Won so far: D1 and D7."""
    company = CompanySettings.load()
    month, quarter = funnel.forecast(alpha, today=date(2025, 3, 26), company=company)
    assert (month.period.start, month.period.end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert (quarter.period.start, quarter.period.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert (month.open_deals, month.weighted, month.best_case, month.commit, month.won_to_date) == (
        2,
        Decimal("1762.50"),
        Decimal("2812.50"),
        Decimal("2000.00"),
        Decimal("4000.00"),
    )
    assert (
        quarter.open_deals,
        quarter.weighted,
        quarter.best_case,
        quarter.commit,
        quarter.won_to_date,
    ) == (3, Decimal("2688.42"), Decimal("4047.06"), Decimal("3234.56"), Decimal("4000.00"))


def test_commit_follows_the_company_threshold(history, alpha):
    company = CompanySettings.load()
    company.commit_probability = 80
    company.save()
    month, quarter = funnel.forecast(alpha, today=date(2025, 3, 26), company=company)
    # D8's 75% no longer commits; D3's own 80% still does.
    assert (month.commit, quarter.commit) == (Decimal("2000.00"), Decimal("2000.00"))


def test_won_to_date_stops_at_today(history, alpha):
    month, _ = funnel.forecast(alpha, today=date(2025, 3, 21), company=CompanySettings.load())
    assert month.won_to_date == Decimal("1000.00")  # D7 is won on the 25th


def test_fiscal_quarter_follows_the_fiscal_year_start():
    assert calendar.quarter_of(date(2025, 3, 26), fiscal_start_month=2) == calendar.Period(
        date(2025, 2, 1), date(2025, 4, 30), "Feb – Apr 2025", "quarter"
    )
    assert calendar.quarter_of(date(2025, 1, 5), fiscal_start_month=11) == calendar.Period(
        date(2024, 11, 1), date(2025, 1, 31), "Nov – Jan 2025", "quarter"
    )


def test_period_choices():
    today = date(2025, 3, 26)
    assert funnel.period_for("month", today=today) == calendar.month_of(today)
    assert funnel.period_for("last90", today=today).start == today - timedelta(days=89)
    custom = funnel.period_for("custom", today=today, start=date(2025, 1, 1), end=date(2025, 1, 15))
    assert (custom.start, custom.end) == (date(2025, 1, 1), date(2025, 1, 15))
    # A reversed custom range falls back to this month.
    backwards = funnel.period_for(
        "custom", today=today, start=date(2025, 2, 1), end=date(2025, 1, 1)
    )
    assert backwards == calendar.month_of(today)


def test_period_edges_follow_the_company_timezone(rep):
    """00:30 on 1 April in Berlin is still 31 March in UTC, yet it is April for a
    company in Berlin; 23:30 on 31 March there is March."""
    company = CompanySettings.load()
    company.timezone = "Europe/Berlin"
    company.save()
    company = CompanySettings.load()
    berlin = company.tzinfo
    inside = DealFactory(owner=rep)
    walk(
        inside, [("lead", datetime.combine(date(2025, 3, 31), time(23, 30), tzinfo=berlin))], by=rep
    )
    outside = DealFactory(owner=rep)
    walk(
        outside, [("lead", datetime.combine(date(2025, 4, 1), time(0, 30), tzinfo=berlin))], by=rep
    )
    rows = rows_by_key(funnel.funnel(User.objects.filter(pk=rep.pk), pipeline(), MARCH))
    assert rows["lead"][0] == 1


def test_stage_totals_weighted_in_sql(history, rep):
    """Open deals of the rep per stage: count, amount, amount x probability."""
    lines = deals_selectors.pipeline_by_stage(Deal.objects.filter(owner=rep).open()).by_stage()
    by_key = {
        stage.key: {"count": line.count, "amount": line.amount, "weighted": line.weighted}
        for stage in pipeline().stages.all()
        if (line := lines.get(stage.pk))
    }
    assert by_key == {
        "lead": {"count": 1, "amount": Decimal("333.33"), "weighted": Decimal("16.67")},
        "appointment-set": {"count": 1, "amount": Decimal("812.50"), "weighted": Decimal("162.50")},
        "negotiation": {"count": 1, "amount": Decimal("1234.56"), "weighted": Decimal("925.92")},
    }


def test_each_figure_family_is_one_grouped_query(history, alpha):
    """The stage flow first asks whether any transition lies outside the period (on the
    index of transition times): only then does it narrow the histories to deals that
    moved in it."""
    tz = CompanySettings.load().tzinfo
    p = pipeline()
    for figure, queries_expected in (
        (lambda: funnel.stage_flow(alpha, p, MARCH, tzinfo=tz), 2),
        (lambda: funnel.outcomes(alpha, MARCH, tzinfo=tz), 1),
        (
            lambda: funnel.forecast(alpha, today=date(2025, 3, 26), company=CompanySettings.load()),
            1,
        ),
    ):
        with CaptureQueriesContext(connection) as queries:
            figure()
        assert len(queries) == queries_expected


def test_a_period_spanning_the_whole_history_reads_every_deal_the_same(
    history, alpha, other_team_rep
):
    """With no transition outside the period, the histories are read without narrowing
    them to deals that moved in it; the figures are those of the narrowed reading."""
    year = calendar.Period(date(2025, 1, 1), date(2025, 12, 31), "2025")
    whole = rows_by_key(funnel.funnel(alpha, pipeline(), year))
    # Lead: all eight of Alpha's deals entered in 2025; D6 was lost and D9 is still a lead.
    assert whole["lead"][:2] == (8, 6)
    # Proposal: D1 and D7 entered and both were won.
    assert whole["proposal"][:2] == (2, 2)
    walk(DealFactory(owner=other_team_rep), [("lead", at(date(2024, 6, 3)))], by=other_team_rep)
    assert rows_by_key(funnel.funnel(alpha, pipeline(), year)) == whole


@pytest.mark.parametrize(
    "who, key, allowed",
    [
        ("rep", "me", True),
        ("rep", "team:{team}", False),
        ("rep", "rep:{teammate}", False),
        ("rep", "company", False),
        ("manager", "team:{team}", True),
        ("manager", "rep:{teammate}", True),
        ("manager", "team:{other_team}", False),
        ("manager", "rep:{other_team_rep}", False),
        ("manager", "division:{north}", False),
        ("other_manager", "rep:{rep}", False),
        ("director", "division:{north}", True),
        ("director", "team:{other_team}", True),
        ("director", "division:{south}", False),
        ("director", "rep:{south_rep}", False),
        ("director", "company", False),
        ("admin", "company", True),
        ("admin", "division:{south}", True),
        ("rep", "bogus:1", False),
        ("manager", "team:x", False),
    ],
)
def test_scope_keys_by_role(cast, team, other_team, north, south, who, key, allowed):
    ids = {
        "team": team.pk,
        "other_team": other_team.pk,
        "north": north.pk,
        "south": south.pk,
        **{name: user.pk for name, user in cast.items()},
    }
    key = key.format(**ids)
    scope = funnel.resolve_scope(cast[who], key)
    assert (scope is not None) == allowed
    choice_keys = [k for k, _ in funnel.scope_choices(cast[who])]
    if key.startswith("rep:"):  # one rep is found by typing (the people lookup), never listed
        assert not any(k.startswith("rep:") for k in choice_keys)
    else:
        assert (key in choice_keys) == allowed


def test_team_scope_holds_exactly_its_members(cast, team):
    scope = funnel.resolve_scope(cast["manager"], f"team:{team.pk}")
    assert set(scope.owners.values_list("username", flat=True)) == {"rep", "teammate"}


def test_default_scope_by_role(cast, team, north):
    assert funnel.default_scope_key(cast["rep"]) == "me"
    assert funnel.default_scope_key(cast["manager"]) == f"team:{team.pk}"
    assert funnel.default_scope_key(cast["director"]) == f"division:{north.pk}"
    assert funnel.default_scope_key(cast["admin"]) == "company"


def test_weighted_amount_keeps_the_cents_of_whole_amounts(rep):
    """A whole amount (stored as an integer by SQLite) x 33% keeps its cents."""
    stage = pipeline().stages.get(key="lead")
    DealFactory(owner=rep, stage=stage, amount=Decimal("1001"), probability=33)

    lines = deals_selectors.pipeline_by_stage(Deal.objects.filter(owner=rep).open()).by_stage()

    assert lines[stage.pk].weighted == Decimal("330.33")
