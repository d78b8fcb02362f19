"""Suggested plan numbers from the reverse funnel: shown next to the rep's inputs,
never filled in or saved without the rep.

Today is pinned to Wednesday 18 November 2026 (weeks left in November: 3). Rita's
90 days: 400 calls, 200 contacts, 40 appointments set, 30 held, 9 sales (3 of them in
November); her November goal is 12 sales -> 9 to go -> per week 134 calls, 67
contacts, 14 set, 10 held, 3 sales.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope, WeeklyPlan
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory, WeeklyPlanFactory

TODAY = date(2026, 11, 18)
WEEK = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)


@pytest.fixture
def focus(team):
    keys = ["calls", "appointments-held", "meetings"]
    team.focus_metrics.set(Metric.objects.filter(key__in=keys))
    return keys


def log(rep, day, **quantities):
    for key, quantity in quantities.items():
        metric = Metric.objects.get(key=key.replace("_", "-"))
        ActivityFactory(rep=rep, metric=metric, day=day, quantity=Decimal(quantity))


@pytest.fixture
def sales_goal(rep, manager):
    october = date(2026, 10, 5)
    log(rep, october, calls=400, contacts=200, appointments_set=40, appointments_held=30)
    log(rep, october, sales_closed=6)
    log(rep, date(2026, 11, 10), sales_closed=3)
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=Metric.objects.get(key="sales-closed"),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal("12"),
        created_by=manager,
    )


def suggestions(page):
    return {f.name: s for f, s in page.context["form"].suggested_target_fields()}


def test_new_plan_form_suggests_the_funnels_weekly_needs_for_chain_metrics(
    client_for, rep, focus, sales_goal
):
    page = client_for(rep).get(reverse("plans:for_week", args=[WEEK]))

    assert suggestions(page) == {
        "target_calls": 134,
        "target_appointments-held": 10,
        "target_meetings": None,  # not in the chain
    }
    # The inputs stay the rep's: nothing is filled in for them.
    assert page.context["form"]["target_calls"].value() is None
    html = page.content.decode()
    assert "data-use-suggestions" in html
    assert 'data-suggest-for="id_target_calls" data-value="134"' in html


def test_planning_next_week_counts_the_weeks_from_then(client_for, rep, focus, sales_goal):
    page = client_for(rep).get(reverse("plans:for_week", args=[date(2026, 11, 23)]))
    # Two weeks left from 23 November: 400 calls / 2.
    assert suggestions(page)["target_calls"] == 200


def test_edit_form_suggests_too(client_for, rep, focus, sales_goal):
    plan = WeeklyPlanFactory(rep=rep, week_start=WEEK)
    page = client_for(rep).get(reverse("plans:edit", args=[plan.pk]))
    assert suggestions(page)["target_appointments-held"] == 10


def test_no_outcome_goal_no_suggestions(client_for, rep, focus):
    page = client_for(rep).get(reverse("plans:for_week", args=[WEEK]))
    assert page.context["funnel"] is None
    assert set(suggestions(page).values()) == {None}
    assert "data-use-suggestions" not in page.content.decode()


def test_saving_keeps_what_the_rep_typed_not_the_suggestion(client_for, rep, focus, sales_goal):
    client_for(rep).post(
        reverse("plans:for_week", args=[WEEK]),
        {"objectives": "Harbour", "target_calls": "5", "then": "save"},
    )
    plan = WeeklyPlan.objects.get(rep=rep)
    assert {t.metric.key: t.planned for t in plan.targets.select_related("metric")} == {
        "calls": Decimal("5")
    }
