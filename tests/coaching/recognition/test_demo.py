"""The demo's month of recognition: kudos between teammates and from managers, awards of
several kinds (the cash one paid through this month's statement), suggestions waiting,
and the thanks once written on reviews as kudos linked to them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F

from coaching.models import Award, AwardKind, Kudos, RecognitionSuggestion
from salesmgmt.calendar import month_of
from salesmgmt.models import CompanySettings


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_a_month_of_kudos_between_teammates_and_from_managers():
    today = CompanySettings.load().today()
    start, end = month_of(today).bounds(CompanySettings.load().tzinfo)
    month = Kudos.objects.filter(created_at__gte=start, created_at__lt=end, review__isnull=True)
    assert month.filter(giver__role="rep", giver__team=F("recipient__team")).count() >= 10
    assert month.filter(giver__managed_teams=F("recipient__team")).exists()
    assert not Kudos.objects.filter(giver=F("recipient")).exists()


def test_awards_of_several_kinds_and_the_cash_one_is_paid():
    kinds = set(Award.objects.values_list("kind", flat=True))
    assert {AwardKind.CASH, AwardKind.TIME_OFF, AwardKind.TITLE} <= kinds
    for award in Award.objects.select_related("recipient__team", "adjustment"):
        assert award.recipient.team.manager_id == award.given_by_id
        assert (award.adjustment is not None) is (award.kind == AwardKind.CASH)
    cash = Award.objects.get(kind=AwardKind.CASH)
    assert cash.adjustment.amount == cash.value
    assert cash.adjustment.reason == f"Award: {cash.reason}"


def test_suggestions_wait_and_one_was_answered():
    assert RecognitionSuggestion.objects.pending().count() >= 3
    answered = RecognitionSuggestion.objects.filter(acted_at__isnull=False)
    assert answered.count() == 1
    assert Kudos.objects.filter(goal=answered.get().goal, recipient=answered.get().rep).exists()


def test_thanks_from_reviews_are_kudos_on_those_reviews():
    moved = Kudos.objects.filter(review__isnull=False).select_related("review")
    assert moved.exists()
    for kudos in moved:
        assert kudos.recipient_id == kudos.review.rep_id
        assert kudos.created_at.date() > month_of(kudos.review.month).end
