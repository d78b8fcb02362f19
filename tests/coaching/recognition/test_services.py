"""Giving recognition: who may give what, what is refused, who is told, and how a cash
award is paid (an adjustment line of the rep's commission statement of its month)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from coaching.models import Award, Kudos, RecognitionSuggestion, SuggestionReason
from coaching.recognition import services
from reporting.commissions.services import compute_statement
from reporting.models import CommissionAdjustment
from salesmgmt.calendar import month_of, previous_month
from salesmgmt.errors import RuleViolation
from salesmgmt.models import Notification, NotificationKind
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.reporting.commissions.test_selectors import make_plan, won


def test_anyone_thanks_anyone_and_the_recipient_is_told_on_its_own(cast):
    """A rep thanks a rep of another division; the recipient gets a KUDOS notification
    with the message, nobody else is told."""
    kudos = services.give_kudos(
        giver=cast["rep"], recipient=cast["south_rep"], message="Thanks for the intro!"
    )
    assert (kudos.giver, kudos.recipient, kudos.message) == (
        cast["rep"],
        cast["south_rep"],
        "Thanks for the intro!",
    )
    (told,) = Notification.objects.all()
    assert (told.user, told.kind, told.body) == (
        cast["south_rep"],
        NotificationKind.KUDOS,
        "Thanks for the intro!",
    )
    assert told.url == reverse("recognition:feed") + f"#kudos-{kudos.pk}"


@pytest.mark.parametrize(
    ("recipient", "message", "field"),
    [
        ("rep", "Me!", "recipient"),
        ("teammate", "   ", "message"),
        ("teammate", "x" * 501, "message"),
    ],
)
def test_kudos_refused_to_oneself_empty_or_long(cast, recipient, message, field):
    with pytest.raises(RuleViolation) as refused:
        services.give_kudos(giver=cast["rep"], recipient=cast[recipient], message=message)
    assert field in refused.value.message_dict
    assert not Kudos.objects.exists() and not Notification.objects.exists()


def test_kudos_to_someone_who_left_is_refused(cast):
    cast["teammate"].is_active = False
    cast["teammate"].save(update_fields=["is_active"])
    with pytest.raises(RuleViolation):
        services.give_kudos(giver=cast["rep"], recipient=cast["teammate"], message="Bye")


def test_kudos_tied_to_a_deal_the_giver_cannot_see_is_refused(cast, today):
    """Tom may not tie his thanks to Rita's deal (he does not see her deals); Maria may."""
    deal = won(cast["rep"], "900.00", today, title="Harbour")
    with pytest.raises(RuleViolation) as refused:
        services.give_kudos(giver=cast["teammate"], recipient=cast["rep"], message="Hi", deal=deal)
    assert "deal" in refused.value.message_dict
    kudos = services.give_kudos(
        giver=cast["manager"], recipient=cast["rep"], message="Hi", deal=deal
    )
    assert kudos.deal == deal


# Managers, directors and admins award the reps whose rows they see; reps award nobody.
AWARDS = {who: seen for who, seen in REP_ROWS_SEEN.items() if who not in REPS}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("to", ["rep", "other_team_rep", "south_rep"])
def test_only_those_who_manage_the_rep_award_them(cast, today, who, to):
    def give():
        return services.give_award(
            by=cast[who], recipient=cast[to], kind="gift", reason="Thanks", given_on=today
        )

    if to in AWARDS.get(who, set()):
        assert give().given_by == cast[who]
    elif cast[who].reviews_plans:
        with pytest.raises(RuleViolation):
            give()
    else:
        with pytest.raises(PermissionDenied):
            give()


def test_managers_are_not_awarded(cast, today):
    with pytest.raises(RuleViolation) as refused:
        services.give_award(
            by=cast["admin"], recipient=cast["manager"], kind="title", reason="x", given_on=today
        )
    assert "recipient" in refused.value.message_dict


@pytest.mark.parametrize(
    ("kind", "value", "day", "field"),
    [
        ("cash", None, 0, "value"),
        ("cash", "0", 0, "value"),
        ("gift", "-5", 0, "value"),
        ("travel", "1", -1, "given_on"),  # tomorrow
        ("travel", "1", 400, "given_on"),
        ("medal", None, 0, "kind"),
    ],
)
def test_award_rules(cast, today, kind, value, day, field):
    with pytest.raises(RuleViolation) as refused:
        services.give_award(
            by=cast["manager"],
            recipient=cast["rep"],
            kind=kind,
            value=None if value is None else Decimal(value),
            reason="For the quarter",
            given_on=today - timedelta(days=day),
        )
    assert field in refused.value.message_dict
    assert not Award.objects.exists() and not CommissionAdjustment.objects.exists()


def test_a_cash_award_is_a_line_of_the_months_statement(cast, today):
    """Rita has last month's statement (5% of 1,000 = 50.00). A cash award of 250 given on
    a day of last month is an adjustment 'Award: ...' of that month; the statement is
    rebuilt at once and totals 300.00, and it survives recomputation."""
    month = previous_month(today)
    make_plan(cast["rep"], rate="5", quota_key=None)
    won(cast["rep"], "1000.00", month.replace(day=10))
    statement = compute_statement(rep=cast["rep"], month=month)
    assert statement.total == Decimal("50.00")

    award = services.give_award(
        by=cast["manager"],
        recipient=cast["rep"],
        kind="cash",
        value=Decimal("250.00"),
        reason="Harbour deal",
        given_on=month_of(month).end,
    )
    adjustment = award.adjustment
    assert (adjustment.rep, adjustment.month, adjustment.amount, adjustment.reason) == (
        cast["rep"],
        month,
        Decimal("250.00"),
        "Award: Harbour deal",
    )
    statement.refresh_from_db()
    assert statement.total == Decimal("300.00")
    (line,) = statement.lines.filter(kind="adjustment")
    assert line.amount == Decimal("250.00") and "Award: Harbour deal" in line.description
    statement = compute_statement(rep=cast["rep"], month=month)
    assert statement.total == Decimal("300.00")
    told = Notification.objects.get(user=cast["rep"], kind=NotificationKind.AWARD)
    assert "commission statement" in told.body


def test_a_cash_award_to_a_rep_on_no_plan_is_refused_on_value(cast, today):
    """Rita is on no commission plan and has no statement: no statement would pay a
    cash bonus, so it is refused (on value) and nothing is saved or told."""
    with pytest.raises(RuleViolation) as refused:
        services.give_award(
            by=cast["manager"],
            recipient=cast["rep"],
            kind="cash",
            value=Decimal("250.00"),
            reason="Harbour deal",
            given_on=today,
        )
    assert "no active commission plan" in refused.value.message_dict["value"][0]
    assert not Award.objects.exists() and not CommissionAdjustment.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.AWARD).exists()


def test_a_cash_award_with_a_plan_but_no_statement_yet_waits_for_the_job(cast, today):
    """On a plan, no statement of the month yet: the adjustment is recorded and the
    month's statement, when computed, pays it."""
    make_plan(cast["rep"], rate="5", quota_key=None)
    award = services.give_award(
        by=cast["manager"],
        recipient=cast["rep"],
        kind="cash",
        value=Decimal("80.00"),
        reason="Harbour deal",
        given_on=today,
    )
    assert award.adjustment.amount == Decimal("80.00")
    statement = compute_statement(rep=cast["rep"], month=today.replace(day=1))
    assert statement.total == Decimal("80.00")


def test_the_admin_cannot_change_what_an_award_paid(cast, client_for, today):
    """An award's kind and value are read-only in the admin (the adjustment is what was
    paid; editing the award would not change the statement)."""
    award = services.give_award(
        by=cast["manager"], recipient=cast["rep"], kind="gift", reason="Nice", given_on=today
    )
    html = client_for(cast["admin"]).get(f"/admin/coaching/award/{award.pk}/change/")
    assert html.status_code == 200
    form = html.context["adminform"].form
    assert "kind" not in form.fields and "value" not in form.fields
    assert "reason" in form.fields


def test_a_non_cash_award_pays_nothing(cast, today):
    award = services.give_award(
        by=cast["manager"],
        recipient=cast["rep"],
        kind="time_off",
        value_text="2 days",
        reason="Trade fair weekend",
        given_on=today,
    )
    assert award.adjustment is None and award.value is None
    assert not CommissionAdjustment.objects.exists()


def _suggestion(cast, today, **fields):
    return RecognitionSuggestion.objects.create(
        manager=cast["manager"],
        rep=cast["rep"],
        reason=SuggestionReason.GOAL_BEATEN,
        key="goal:1:2025-01-01",
        text="Rita beat her goal.",
        created_on=today,
        **fields,
    )


def test_giving_from_a_suggestion_marks_it_acted(cast, today):
    suggestion = _suggestion(cast, today)
    services.give_kudos(
        giver=cast["manager"], recipient=cast["rep"], message="Bravo", suggestion=suggestion
    )
    suggestion.refresh_from_db()
    assert suggestion.acted_at is not None
    assert not RecognitionSuggestion.objects.pending().exists()


def test_dismissing_is_for_the_manager_it_was_made_for(cast, today):
    suggestion = _suggestion(cast, today)
    with pytest.raises(PermissionDenied):
        services.dismiss_suggestion(suggestion=suggestion, by=cast["other_manager"])
    services.dismiss_suggestion(suggestion=suggestion, by=cast["manager"])
    suggestion.refresh_from_db()
    assert suggestion.dismissed_at is not None
    with pytest.raises(RuleViolation):
        services.dismiss_suggestion(suggestion=suggestion, by=cast["manager"])
