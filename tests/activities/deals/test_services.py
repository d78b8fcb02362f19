"""Deals through their milestones: transitions kept, won deals counted once."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from activities.deals import services
from activities.models import Activity, Customer, LostReason, Pipeline, Stage, StageTransition
from salesmgmt.errors import RuleViolation
from salesmgmt.models import CompanySettings


@pytest.fixture
def pipeline(db):
    return Pipeline.objects.get(key="new-business")


def stage(pipeline, key):
    return Stage.objects.get(pipeline=pipeline, key=key)


@pytest.fixture
def deal(rep, pipeline):
    customer = Customer.objects.create(name="Acme", owner=rep)
    return services.create_deal(
        by=rep,
        title="Acme fleet",
        customer=customer,
        owner=rep,
        pipeline=pipeline,
        amount=Decimal("500.00"),
        expected_close=CompanySettings.load().today(),
    )


def test_new_deal_starts_in_the_first_stage_with_a_transition(deal, rep):
    assert deal.stage.key == "lead"
    assert list(deal.transitions.values_list("from_stage", "to_stage__key", "by")) == [
        (None, "lead", rep.pk)
    ]


def test_moving_records_every_transition(deal, rep, pipeline):
    services.move_deal(deal=deal, to_stage=stage(pipeline, "contacted"), by=rep)
    services.move_deal(deal=deal, to_stage=stage(pipeline, "proposal"), by=rep)
    assert list(
        StageTransition.objects.filter(deal=deal).values_list("from_stage__key", "to_stage__key")
    ) == [(None, "lead"), ("lead", "contacted"), ("contacted", "proposal")]


def test_lost_needs_a_reason(deal, rep, pipeline):
    with pytest.raises(RuleViolation):
        services.move_deal(deal=deal, to_stage=stage(pipeline, "lost"), by=rep)
    price = LostReason.objects.get(key="price")
    moved = services.move_deal(
        deal=deal, to_stage=stage(pipeline, "lost"), by=rep, lost_reason=price, note="Too dear"
    )
    assert (moved.lost_reason, moved.lost_note, moved.closed_on) == (
        price,
        "Too dear",
        CompanySettings.load().today(),
    )


def test_winning_counts_one_sale_and_its_value_once(deal, rep, pipeline):
    services.move_deal(deal=deal, to_stage=stage(pipeline, "won"), by=rep)
    services.update_deal(deal=deal, by=rep, amount=Decimal("650.00"))
    rows = Activity.objects.filter(deal=deal).values_list("metric__key", "quantity", "day")
    today = CompanySettings.load().today()
    assert sorted(rows) == [
        ("sales-closed", Decimal("1"), today),
        ("sales-value", Decimal("650.00"), today),
    ]
    services.move_deal(deal=deal, to_stage=stage(pipeline, "negotiation"), by=rep)
    assert not Activity.objects.filter(deal=deal).exists()


def test_a_stage_of_another_pipeline_is_refused(deal, rep):
    renewal = Stage.objects.get(pipeline__key="renewals", key="due")
    with pytest.raises(RuleViolation):
        services.move_deal(deal=deal, to_stage=renewal, by=rep)


def test_teammates_and_other_managers_cannot_move_a_deal(deal, teammate, other_manager, pipeline):
    for who in (teammate, other_manager):
        with pytest.raises(PermissionDenied):
            services.move_deal(deal=deal, to_stage=stage(pipeline, "contacted"), by=who)


def test_weighted_amount_uses_override_or_stage_probability(deal, rep, pipeline):
    deal = services.move_deal(deal=deal, to_stage=stage(pipeline, "proposal"), by=rep)
    assert deal.weighted_amount == Decimal("275.00")  # 55% of 500
    deal = services.update_deal(deal=deal, by=rep, probability=80)
    assert deal.weighted_amount == Decimal("400.00")
