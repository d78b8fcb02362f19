"""Report packs in each recipient's language: one message per language, each with its
own words and number formats; the CSVs' figures stay machine-readable."""

import csv
import io

from django.core import mail

from reporting.packs.services import deliver_pack
from tests.reporting.company.test_selectors import catalogue, goals, march  # noqa: F401
from tests.reporting.packs.test_packs import MARCH, pack  # noqa: F401  (fixtures)


def test_each_recipient_reads_the_pack_in_their_language(pack, march, cast):  # noqa: F811
    cast["director"].language = "el"
    cast["director"].save(update_fields=["language"])
    deliver_pack(pack=pack, month=MARCH)
    by_language = {m.extra_headers["Content-Language"]: m for m in mail.outbox}
    assert sorted(by_language) == ["el", "en"]
    greek, english = by_language["el"], by_language["en"]
    assert greek.bcc == ["director@example.com"]
    assert sorted(english.bcc) == ["investor@example.com", "manager@example.com"]
    assert english.subject == "Demo Company: Board pack — March 2025"
    assert greek.subject == "Demo Company: Board pack — Μάρτιος 2025"
    assert "Συνημμένα (CSV):" in greek.body and "Attached (CSV):" in english.body
    assert "4.500,00" in greek.alternatives[0][0] and '<html lang="el">' in greek.alternatives[0][0]
    name, content, _ = next(a for a in greek.attachments if a[0].startswith("leaderboard"))
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:2] == ["κατάταξη", "πωλητής"]
    assert rows[1][5] == "2000.00"  # machine-readable, whatever the reader's language
