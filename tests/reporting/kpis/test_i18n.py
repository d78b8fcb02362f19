"""KPIs and deviation alerts in the reader's language: pages, CSV and the alert notices."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.kpis.services import send_deviation_alerts
from reporting.models import Kpi
from salesmgmt.models import CompanySettings, Notification
from tests.factories import ActivityFactory

WEEK = {"period": "custom", "start": "2025-03-03", "end": "2025-03-09"}


def body_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_kpi_page_in_greek_shows_greek_words_names_and_figures(cast, client_for):
    """Accept-Language el: Greek headings, the seeded KPI names in Greek, figures with
    Greek separators (the average deal size target, 3000, reads 3.000,00)."""
    response = client_for(cast["manager"]).get("/kpis/", HTTP_ACCEPT_LANGUAGE="el")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="el"' in page
    assert "Ειδοποιήσεις απόκλισης" in page
    assert "Κλήσεις ανά πωλητή την εβδομάδα" in page  # "Calls per rep per week"
    assert "Calls per rep per week" not in page
    assert "3.000,00" in page
    assert "εντός στόχου" in page  # the legend


def test_kpi_csv_keeps_machine_readable_numbers_under_greek(cast, client_for):
    """Headers follow the language; numbers stay plain (. decimal, no grouping), dates ISO."""
    ActivityFactory(
        rep=cast["rep"], metric=Metric.objects.get(key="calls"), day=date(2025, 3, 4),
        quantity=Decimal("1234.5"),
    )  # fmt: skip
    response = client_for(cast["manager"]).get(
        "/kpis/", {**WEEK, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )
    header, *rows = body_csv(response)
    assert header[2] == "έναρξη_περιόδου"
    deal_size = next(r for r in rows if r[0] == "Μέσο μέγεθος ευκαιρίας")
    assert deal_size[2] == "2025-03-03"
    assert deal_size[6] == "3000.00"  # target: no "3.000,00" in a CSV
    calls = next(r for r in rows if r[0] == "Κλήσεις ανά πωλητή την εβδομάδα" and r[5])
    assert "," not in calls[5]


@pytest.mark.parametrize(
    ("language", "words"),
    [("id", "Peringatan deviasi"), ("fil", "Mga babala sa paglihis"), ("el", "Ειδοποιήσεις")],
)
def test_alert_list_in_each_language(cast, client_for, language, words):
    response = client_for(cast["manager"]).get("/kpis/alerts/", HTTP_ACCEPT_LANGUAGE=language)
    assert words in response.content.decode()


def test_a_deviation_notice_is_written_in_each_recipients_language(rep, manager, db):
    """The rep reads Greek, the manager English: the same alert, two languages, each
    with its own number and date formats."""
    Kpi.objects.update(active=False)
    rep.language, manager.language = "el", "en"
    rep.save(update_fields=["language"])
    manager.save(update_fields=["language"])
    Goal.objects.create(
        metric=Metric.objects.get(key="sales-value"),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal("20000"),
        created_by=manager,
        scope=GoalScope.REP,
        rep=rep,
    )
    ActivityFactory(
        rep=rep, metric=Metric.objects.get(key="sales-value"), day=date(2026, 11, 2),
        quantity=Decimal("1250.50"),
    )  # fmt: skip
    moment = datetime(2026, 11, 13, 9, tzinfo=CompanySettings.load().tzinfo)
    assert send_deviation_alerts(now=moment) == 2

    greek = Notification.objects.get(user=rep)
    english = Notification.objects.get(user=manager)
    assert greek.title.startswith("Σε μεγάλη καθυστέρηση: ")
    assert "καταγεγραμμένα" in greek.body
    assert "1.250,50" in greek.body  # Greek separators
    assert english.title.startswith("Far behind: ")
    assert "logged" in english.body
    assert "1,250.50" in english.body
