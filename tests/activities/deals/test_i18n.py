"""Deal pages, the deal CSV and the stale-deal alert in the reader's language."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from activities.deals import services
from activities.deals.reminders import stale_deal_alerts
from activities.models import Deal
from salesmgmt.models import CompanySettings
from tests.factories.deals import CustomerFactory, pipeline
from tests.factories.tasks import company_day

GREEK = {"HTTP_ACCEPT_LANGUAGE": "el"}


@pytest.fixture
def deal(rep):
    return services.create_deal(
        by=rep,
        title="Acme trucks",
        customer=CustomerFactory(name="Acme Fleet", owner=rep),
        owner=rep,
        pipeline=pipeline(),
        amount=Decimal("1200.00"),
        expected_close=company_day() + timedelta(days=20),
        next_step="Send the quote",
        next_step_date=company_day() + timedelta(days=2),
    )


def test_deal_page_in_greek_with_greek_money_and_dates(client_for, rep, deal):
    """Accept-Language: el gives the Greek page: its words, 1.200,00 and Greek dates."""
    body = client_for(rep).get(reverse("deals:detail", args=[deal.pk]), **GREEK).content.decode()
    assert "Μετακίνηση σε άλλο στάδιο" in body and "Ιστορικό σταδίων" in body
    assert "Move to another stage" not in body
    assert "1.200,00" in body
    with translation.override("el"):
        assert date_format(deal.expected_close, "WEEKDAY_DATE") in body


def test_pipeline_board_in_greek_keeps_numbers_in_attributes_plain(client_for, rep, deal):
    response = client_for(rep).get(reverse("deals:pipeline"), **GREEK)
    body = response.content.decode()
    assert "Ανοιχτές ευκαιρίες" in body and "Open deals" not in body
    assert f'name="version" value="{deal.version}"' in body


def test_deal_csv_under_greek_keeps_machine_readable_numbers_and_dates(client_for, rep, deal):
    """Headers are translated; amounts stay 1200.00 and dates ISO."""
    response = client_for(rep).get(reverse("deals:list") + "?export=csv", **GREEK)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "τίτλος", "πελάτης"]
    assert rows[1][6] == "1200.00"
    assert rows[1][9] == deal.expected_close.isoformat()


def test_stale_deal_alert_is_written_in_each_recipients_language(rep, manager, deal):
    """The owner reads English, their manager Greek: each gets their own language."""
    rep.language, manager.language = "en", "el"
    rep.save(update_fields=["language"])
    manager.save(update_fields=["language"])
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    deal.refresh_from_db()
    notices = stale_deal_alerts(deal, now=timezone.now(), company=CompanySettings.load())
    by_user = {n.user.pk: n for n in notices}
    assert by_user[rep.pk].title == "Stale deal: Acme trucks"
    assert by_user[manager.pk].title == "Στάσιμη ευκαιρία: Acme trucks"
    assert "Ποσό: 1.200,00" in by_user[manager.pk].body
    assert "Amount: USD 1,200.00" in by_user[rep.pk].body
