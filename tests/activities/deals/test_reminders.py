"""Stale deal alerts.

The company runs on Berlin time (UTC+1 in March 2025).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from activities.deals.reminders import send_stale_deal_alerts
from activities.models import Deal
from salesmgmt.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.factories.reminders import CustomerFactory, DealFactory, set_company, stage, told

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def deals(db, rep, teammate, other_team_rep, south_rep, manager, south_manager):
    """Berlin company, stale after 14 days; now is Monday 17 March 2025 10:00 Berlin."""
    set_company(timezone="Europe/Berlin", stale_deal_days=14)
    acme = CustomerFactory(name="Acme Hardware", owner=rep)
    return {
        # In Proposal since 3 March 09:00: 14 days and one hour without a move.
        "stuck": DealFactory(
            owner=rep,
            customer=acme,
            title="Acme fleet",
            stage_entered_at=berlin(3, 9),
            next_step_date=date(2025, 3, 20),
        ),
        # Moved 13 days 23 hours ago, but its next step was due yesterday.
        "late_step": DealFactory(
            owner=rep,
            title="Harbour lights",
            stage_entered_at=berlin(3, 11),
            next_step="Call the buyer",
            next_step_date=date(2025, 3, 16),
        ),
        "fresh": DealFactory(
            owner=teammate, stage_entered_at=berlin(14, 9), next_step_date=date(2025, 3, 17)
        ),
        "won": DealFactory(
            owner=other_team_rep,
            stage=stage("won"),
            stage_entered_at=berlin(1, 9),
            next_step_date=date(2025, 3, 1),
        ),
        # Both reasons at once: one alert each for owner and manager.
        "both": DealFactory(
            owner=south_rep,
            title="Old tender",
            amount=4500,
            stage=stage("negotiation"),
            stage_entered_at=berlin(1, 8),
            next_step="",
            next_step_date=date(2025, 3, 10),
        ),
    }


def test_stale_deals_alert_owner_and_owners_manager(deals):
    assert send_stale_deal_alerts(now=berlin(17, 10)) == 6
    assert told() == [
        ("manager", "Stale deal: Acme fleet"),
        ("manager", "Stale deal: Harbour lights"),
        ("rep", "Stale deal: Acme fleet"),
        ("rep", "Stale deal: Harbour lights"),
        ("south_manager", "Stale deal: Old tender"),
        ("south_rep", "Stale deal: Old tender"),
    ]
    stuck, late, both = deals["stuck"], deals["late_step"], deals["both"]
    alerts = {
        n.title: (n.key, n.body, n.url)
        for n in Notification.objects.filter(user__username__in=["rep", "south_rep"])
    }
    assert alerts == {
        "Stale deal: Acme fleet": (
            f"stale-deal:{stuck.pk}:2025-03-03",
            "Customer: Acme Hardware. Stage: Proposal. Amount: USD 12,500.00. Owner: Rita Rep.\n"
            "No stage change for 14 days (in Proposal since 3 Mar 2025).",
            f"/deals/{stuck.pk}/",
        ),
        "Stale deal: Harbour lights": (
            f"stale-deal:{late.pk}:next-step:2025-03-16",
            f"Customer: {late.customer}. Stage: Proposal. Amount: USD 12,500.00. "
            "Owner: Rita Rep.\n"
            "“Call the buyer” was due on 16 Mar 2025.",
            f"/deals/{late.pk}/",
        ),
        "Stale deal: Old tender": (
            f"stale-deal:{both.pk}:2025-03-01",
            f"Customer: {both.customer}. Stage: Negotiation. Amount: USD 4,500.00. "
            "Owner: Sofia Gamma.\n"
            "No stage change for 16 days (in Negotiation since 1 Mar 2025).\n"
            "The next step was due on 10 Mar 2025.",
            f"/deals/{both.pk}/",
        ),
    }
    assert set(Notification.objects.values_list("kind", flat=True)) == {NotificationKind.STALE_DEAL}


def test_the_stale_line_is_exact_to_the_hour(deals):
    """'Acme fleet' entered its stage at 09:00 on 3 March: stale from 09:00 on the 17th."""
    send_stale_deal_alerts(now=berlin(17, 8, 59))
    assert ("rep", "Stale deal: Acme fleet") not in told()
    send_stale_deal_alerts(now=berlin(17, 9))
    assert ("rep", "Stale deal: Acme fleet") in told()


def test_one_alert_per_deal_per_episode(deals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_stale_deal_alerts(now=berlin(17, 10)) == 6
        assert send_stale_deal_alerts(now=berlin(17, 10, 30)) == 0
    assert len(mail.outbox) == 6

    stuck, late, fresh = deals["stuck"], deals["late_step"], deals["fresh"]
    # A new next step on the stuck deal, passed too: it still has not moved, nothing new.
    Deal.objects.filter(pk=stuck.pk).update(next_step_date=date(2025, 3, 17))
    sent = send_stale_deal_alerts(now=berlin(18, 10))
    # New since yesterday: 'Harbour lights' has not moved for 14 days now (a new
    # reason), and the next step of the fresh deal passed (its first episode).
    assert sent == 4
    assert sorted(Notification.objects.order_by("-pk")[:4].values_list("key", flat=True)) == [
        f"stale-deal:{late.pk}:2025-03-03",
        f"stale-deal:{late.pk}:2025-03-03",
        f"stale-deal:{fresh.pk}:next-step:2025-03-17",
        f"stale-deal:{fresh.pk}:next-step:2025-03-17",
    ]
    # The fresh deal gets a new next step; once that passes too, a new episode.
    Deal.objects.filter(pk=fresh.pk).update(next_step_date=date(2025, 3, 20))
    assert send_stale_deal_alerts(now=berlin(20, 23, 59)) == 0
    assert send_stale_deal_alerts(now=berlin(21, 0, 1)) == 2
    assert told()[-1] == ("teammate", f"Stale deal: {fresh.title}")
    assert (
        Notification.objects.filter(key=f"stale-deal:{fresh.pk}:next-step:2025-03-20").count() == 2
    )


def test_a_deal_that_moves_ends_its_episode(deals, rep):
    stuck = deals["stuck"]
    send_stale_deal_alerts(now=berlin(17, 10))
    Deal.objects.filter(pk=stuck.pk).update(
        stage=stage("negotiation"), stage_entered_at=berlin(17, 11), next_step_date=None
    )

    def alerts_on_stuck():
        return list(
            Notification.objects.filter(user=rep, key__startswith=f"stale-deal:{stuck.pk}:")
            .order_by("pk")
            .values_list("key", flat=True)
        )

    # Stuck again 14 x 24 hours after the move: 12:00 on 31 March, in summer time.
    send_stale_deal_alerts(now=berlin(31, 11, 59))
    assert alerts_on_stuck() == [f"stale-deal:{stuck.pk}:2025-03-03"]
    send_stale_deal_alerts(now=berlin(31, 12))
    assert alerts_on_stuck() == [
        f"stale-deal:{stuck.pk}:2025-03-03",
        f"stale-deal:{stuck.pk}:2025-03-17",
    ]


def test_stale_deal_queries_do_not_grow_with_the_number_of_deals(
    db, team, django_assert_max_num_queries
):
    set_company(timezone="Europe/Berlin", stale_deal_days=14)
    for size in (2, 10):
        for _ in range(size):
            DealFactory(owner=UserFactory(team=team), stage_entered_at=berlin(1, 9))
        send_stale_deal_alerts(now=berlin(17, 10))
        with django_assert_max_num_queries(3):
            assert send_stale_deal_alerts(now=berlin(17, 11)) == 0
