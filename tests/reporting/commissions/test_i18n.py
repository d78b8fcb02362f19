"""Commissions in the reader's language: the statement page, the lines stored in the rep's
language, the "statement ready" notice in the rep's language, CSVs that stay machine-readable."""

import csv
import io
from datetime import date

from django.urls import reverse

from reporting.commissions.services import compute_commission_statements, compute_statement
from salesmgmt.models import Notification, NotificationKind
from tests.reporting.commissions.test_selectors import make_plan, won

MARCH = date(2024, 3, 1)


def _statement(rep, amount="1250.00"):
    make_plan(rep, rate="5", quota_key=None)
    won(rep, amount, date(2024, 3, 12), title="Harbour order")
    return compute_statement(rep=rep, month=MARCH)


def test_statement_page_in_greek_with_greek_figures(rep, client_for):
    """Accept-Language: el gives the Greek page, its amounts written 1.250,00 (the stored
    lines stay in the rep's own language, English here)."""
    statement = _statement(rep)
    response = client_for(rep).get(
        reverse("commissions:detail", args=[statement.pk]), HTTP_ACCEPT_LANGUAGE="el"
    )
    html = response.content.decode()
    assert '<html lang="el"' in html
    assert "Εκκαθάριση προμήθειας" in html and "Πιστωμένες πωλήσεις" in html
    assert '<span class="figure">1.250,00</span>' in html
    assert '<span class="figure">62,50 US$</span>' in html
    assert "Commission statement" not in html


def test_lines_are_stored_in_the_reps_language(rep):
    """The statement is the rep's: its lines are written in their language and formats."""
    rep.language = "el"
    rep.save(update_fields=["language"])
    statement = _statement(rep)
    texts = [line.description for line in statement.lines.order_by("position")]
    assert texts[0].startswith("Harbour order — κερδισμένη ευκαιρία, 12 Μάρ 2024")
    assert texts[1] == "Βασική προμήθεια: 5% επί 1.250,00 = 62,50"


def test_statement_ready_notice_is_in_the_reps_language(rep):
    """The monthly job writes to each rep in their own language (Indonesian here)."""
    rep.language = "id"
    rep.save(update_fields=["language"])
    make_plan(rep, rate="5", quota_key=None)
    won(rep, "1250.00", date(2024, 3, 12))
    assert compute_commission_statements(month=MARCH) == 1
    notice = Notification.objects.get(user=rep, kind=NotificationKind.STATEMENT_READY)
    assert notice.title == "Laporan komisi Anda untuk Maret 2024 sudah siap"
    assert notice.body.startswith("Total US$ 62,50: komisi 62,50")


def test_csv_keeps_machine_readable_numbers_in_greek(rep, manager, client_for):
    """Headers follow the reader's language; figures keep "." decimals and ISO months."""
    _statement(rep)
    response = client_for(manager).get(
        reverse("commissions:list"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["πωλητής", "ομάδα", "μήνας"]
    assert rows[1][2] == "2024-03"
    assert rows[1][4] == "1250.00" and rows[1][10] == "62.50"
