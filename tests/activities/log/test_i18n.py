"""The day log, the activity list and its CSV in the reader's language."""

import csv
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from activities.models import SALES_VALUE, Metric
from tests.factories import ActivityFactory, days_ago

GREEK = {"HTTP_ACCEPT_LANGUAGE": "el"}


def test_day_log_in_greek_with_a_greek_date(client_for, rep):
    day = days_ago(1)
    url = f"{reverse('activities:log')}?day={day.isoformat()}"
    body = client_for(rep).get(url, **GREEK).content.decode()
    assert "Αποθήκευση ημέρας" in body and "Ιστορικό αλλαγών της ημέρας" in body
    assert "Save the day" not in body
    with translation.override("el"):
        assert date_format(day, "LONG_WEEKDAY_DATE") in body
    # The day in links and the date field stays ISO.
    assert f'value="{day.isoformat()}"' in body


def test_activity_list_in_indonesian_names_metrics_in_indonesian_totals(client_for, rep):
    ActivityFactory(rep=rep, day=days_ago(1), quantity=Decimal("1250"))
    body = (
        client_for(rep).get(reverse("activities:list"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    )
    assert "Aktivitas saya" in body and "Ekspor CSV" in body
    assert "1.250" in body  # Indonesian thousands separator


def test_activity_csv_under_greek_keeps_numbers_machine_readable(client_for, rep):
    value = Metric.objects.get(key=SALES_VALUE)
    ActivityFactory(rep=rep, day=days_ago(1), metric=value, quantity=Decimal("1234.50"))
    response = client_for(rep).get(reverse("activities:list") + "?export=csv", **GREEK)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["ημέρα", "πωλητής", "ομάδα", "μετρική", "ποσότητα"]
    assert rows[1][0] == days_ago(1).isoformat()
    assert rows[1][4] == "1234.50"
