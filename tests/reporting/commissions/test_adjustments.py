"""Manual adjustments of a commission statement: page and API, for every role.

Rita (rep, team Alpha, manager Maria, North) has a March 2024 statement on the 5% plan
"Field": one won deal of 1,000 and two walk-ins of 300 and 200, so 75.00 of commission.
Her manager, the North director and an admin adjust it; Rita reads the adjustments; a
teammate, another team's manager or rep, and the South people get a 404 (they do not see
the statement). An adjustment is a line with its reason and author, it survives
recomputation, and the total includes it.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reporting.commissions.services import (
    add_award_adjustment,
    compute_commission_statements,
    compute_statement,
)
from reporting.models import CommissionAdjustment
from salesmgmt.errors import RuleViolation
from tests.cast import ROLES
from tests.reporting.commissions.test_selectors import make_plan, walk_in, won

MARCH = date(2024, 3, 1)
ADJUSTS = {"manager", "director", "admin"}  # the rep's manager, director, admin
READS = {"rep"}  # sees the statement, may not adjust it (403)
# everyone else: 404, the statement is outside their scope
REASON = "Split with the SDR who sourced the Harbour deal"


@pytest.fixture
def statement(cast, team, other_team, south_team):
    make_plan(cast["rep"], cast["teammate"], rate="5", quota_key=None)
    won(cast["rep"], "1000.00", date(2024, 3, 12), title="Harbour deal")
    walk_in(cast["rep"], "300.00", date(2024, 3, 4))
    walk_in(cast["rep"], "200.00", date(2024, 3, 20), note="Trade fair")
    return compute_statement(rep=cast["rep"], month=MARCH)


def adjustment_url(statement):
    return reverse("commissions:adjust", args=[statement.pk])


def api_url(statement):
    return f"/api/v1/commission-statements/{statement.pk}/adjustments/"


# --- page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_adjusts_on_the_page(statement, cast, client_for, role):
    client = client_for(cast[role])
    response = client.post(adjustment_url(statement), {"amount": "-25.50", "reason": REASON})
    statement.refresh_from_db()
    if role in ADJUSTS:
        assert response.status_code == 302
        assert response["Location"] == reverse("commissions:detail", args=[statement.pk]) + "#lines"
        assert statement.adjustment == Decimal("-25.50")
        assert statement.total == Decimal("49.50")  # 75.00 - 25.50
    else:
        assert response.status_code == (403 if role in READS else 404)
        assert statement.adjustment == Decimal("0.00")
        assert not CommissionAdjustment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_form_shows_only_to_those_who_adjust(statement, cast, client_for, role):
    response = client_for(cast[role]).get(reverse("commissions:detail", args=[statement.pk]))
    if role in ADJUSTS or role in READS:
        assert response.status_code == 200
        html = response.content.decode()
        assert ('id="adjust"' in html) == (role in ADJUSTS)
        assert "csrfmiddlewaretoken" in html or role in READS
    else:
        assert response.status_code == 404


def test_the_adjustment_is_a_line_the_rep_reads(statement, cast, client_for):
    client_for(cast["manager"]).post(adjustment_url(statement), {"amount": "40", "reason": REASON})
    response = client_for(cast["rep"]).get(reverse("commissions:detail", args=[statement.pk]))
    html = response.content.decode()
    line = [row for row in response.context["lines"] if row.kind == "adjustment"]
    assert len(line) == 1
    assert line[0].amount == Decimal("40.00")
    assert line[0].description.startswith("Adjustment by Maria Manager on ")
    assert line[0].description.endswith(f": {REASON}")
    assert REASON in html
    assert 'id="adjust"' not in html  # read-only for the rep
    assert "USD 115.00" in html  # 75.00 + 40.00


def test_bad_input_keeps_what_was_typed(statement, cast, client_for):
    client = client_for(cast["manager"])
    response = client.post(adjustment_url(statement), {"amount": "12.5", "reason": "  "})
    assert response.status_code == 400
    form = response.context["adjustment_form"]
    assert "reason" in form.errors
    assert 'value="12.5"' in response.content.decode()

    response = client.post(adjustment_url(statement), {"amount": "0", "reason": REASON})
    assert response.status_code == 400
    assert "amount" in response.context["adjustment_form"].errors
    assert REASON in response.content.decode()
    assert not CommissionAdjustment.objects.exists()


def test_the_page_form_needs_the_csrf_token(statement, cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["manager"])
    response = client.post(adjustment_url(statement), {"amount": "10", "reason": REASON})
    assert response.status_code == 403
    assert not CommissionAdjustment.objects.exists()


def test_nobody_adjusts_their_own_statement(cast, team, client_for):
    """A manager on a plan sees their own statement but may not adjust it."""
    manager = cast["manager"]
    make_plan(manager, rate="5", quota_key=None)
    walk_in(manager, "100.00", date(2024, 3, 4))
    own = compute_statement(rep=manager, month=MARCH)
    response = client_for(manager).post(adjustment_url(own), {"amount": "10", "reason": REASON})
    assert response.status_code == 403


# --- recomputation -------------------------------------------------------------------------


def test_adjustments_survive_recomputation_and_count_in_the_total(statement, cast, client_for):
    client = client_for(cast["manager"])
    client.post(adjustment_url(statement), {"amount": "40", "reason": REASON})
    client.post(adjustment_url(statement), {"amount": "-15", "reason": "Returned goods"})

    walk_in(cast["rep"], "100.00", date(2024, 3, 25))  # logged late
    assert compute_commission_statements(month=MARCH) == 2
    again = compute_statement(rep=cast["rep"], month=MARCH)

    assert again.pk == statement.pk
    assert again.credited_value == Decimal("1600.00")
    assert again.commission == Decimal("80.00")
    assert again.adjustment == Decimal("25.00")
    assert again.total == Decimal("105.00")
    adjustments = again.lines.filter(kind="adjustment").order_by("position")
    assert [(a.amount, a.description.split(": ", 1)[1]) for a in adjustments] == [
        (Decimal("40.00"), REASON),
        (Decimal("-15.00"), "Returned goods"),
    ]
    assert again.total == sum(line.amount for line in again.lines.all())


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_adjusts_through_the_api(statement, cast, api_for, role):
    response = api_for(cast[role]).post(
        api_url(statement), {"amount": "12.34", "reason": REASON}, format="json"
    )
    if role in ADJUSTS:
        assert response.status_code == 201, response.data
        assert response.data["adjustment"] == "12.34"
        assert response.data["total"] == "87.34"
        (adjustment,) = response.data["adjustments"]
        assert (adjustment["amount"], adjustment["reason"]) == ("12.34", REASON)
        assert adjustment["by"] == str(cast[role])
        assert response.data["lines"][-1]["kind"] == "adjustment"
    else:
        assert response.status_code == (403 if role in READS else 404)
        assert not CommissionAdjustment.objects.exists()


def test_api_refuses_a_missing_reason_and_a_zero_amount(statement, cast, api_for):
    api = api_for(cast["manager"])
    response = api.post(api_url(statement), {"amount": "0", "reason": ""}, format="json")
    assert response.status_code == 400
    assert set(response.data["errors"]) == {"amount", "reason"}
    assert not CommissionAdjustment.objects.exists()


def test_the_rep_reads_adjustments_through_the_api(statement, cast, api_for):
    api_for(cast["manager"]).post(api_url(statement), {"amount": "5", "reason": REASON})
    body = api_for(cast["rep"]).get(f"/api/v1/commission-statements/{statement.pk}/").data
    assert [a["reason"] for a in body["adjustments"]] == [REASON]
    assert body["total"] == "80.00"


def test_an_award_adjustment_needs_a_statement_that_pays_it(cast):
    """add_award_adjustment refuses (on value) a rep on no plan and with no statement of
    the month; with a statement of the month it records "Award: ..." and recomputes it."""
    month = date(2025, 3, 1)
    with pytest.raises(RuleViolation) as refused:
        add_award_adjustment(
            rep=cast["rep"], month=month, amount=Decimal("50"), reason="Q1", by=cast["manager"]
        )
    assert "value" in refused.value.message_dict
    assert not CommissionAdjustment.objects.exists()

    make_plan(cast["rep"], rate="5", quota_key=None)
    statement = compute_statement(rep=cast["rep"], month=month)
    adjustment = add_award_adjustment(
        rep=cast["rep"],
        month=date(2025, 3, 17),
        amount=Decimal("50"),
        reason="Q1",
        by=cast["manager"],
    )
    assert (adjustment.month, adjustment.reason) == (month, "Award: Q1")
    statement.refresh_from_db()
    assert statement.total == Decimal("50.00")
