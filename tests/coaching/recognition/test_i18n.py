"""Recognition in the reader's language: the feed in Greek with the award's amount in
Greek money format, kudos and award notices in the recipient's language, the nightly
suggestions written in their manager's language and number format, and the CSV's
machine-readable amounts under Greek."""

import csv
import io
from decimal import Decimal

from django.urls import reverse

from coaching.models import RecognitionSuggestion
from coaching.recognition import services
from coaching.recognition.services import suggest_recognition
from salesmgmt.models import CompanySettings, Notification, NotificationKind
from tests.coaching.recognition.test_jobs import TODAY, at, wins  # noqa: F401 - fixture

FEED = reverse("recognition:feed")


def main_of(html: str) -> str:
    """The page's own content (the top bar and its menu belong to the base template)."""
    return html[html.index("<main") : html.index("</main>")]


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _eur():
    company = CompanySettings.load()
    company.currency = "EUR"
    company.save()


def test_feed_in_greek_shows_greek_words_and_greek_money(given, cast, client_for):
    """Rita's cash bonus of 250 reads "250,00 €" to her in Greek."""
    _eur()
    html = client_for(cast["rep"]).get(FEED, HTTP_ACCEPT_LANGUAGE="el").content.decode()
    assert '<html lang="el"' in html
    assert "Δώστε έπαινο" in html and "Χρηματικό μπόνους" in html
    assert "250,00\xa0€" in html or "250,00 €" in html
    for english in ("Give kudos", "Cash bonus", "Recognition feed"):
        assert english not in main_of(html)


def test_award_page_in_indonesian(given, cast, client_for):
    award = given["cash_to_rita"]
    html = (
        client_for(cast["rep"])
        .get(reverse("recognition:award", args=[award.pk]), HTTP_ACCEPT_LANGUAGE="id")
        .content.decode()
    )
    assert "Diberikan oleh" in html and "Bonus tunai" in html
    assert "Given by" not in main_of(html)


def test_kudos_and_award_notices_are_in_the_recipients_language(cast):
    """Maria (English) thanks Rita (Filipino) and gives her a day off: both notices are
    in Filipino."""
    _speaks(cast["rep"], "fil")
    kudos = services.give_kudos(giver=cast["manager"], recipient=cast["rep"], message="Galing!")
    award = services.give_award(
        by=cast["manager"],
        recipient=cast["rep"],
        kind="time_off",
        value_text="1 day",
        reason="Covered the trade fair",
        given_on=CompanySettings.load().today(),
    )
    thanks = Notification.objects.get(key=f"kudos:{kudos.pk}")
    awarded = Notification.objects.get(key=f"award:{award.pk}")
    assert thanks.title == "Kudos mula kay Maria Manager"
    assert awarded.title == "Binigyan ka ni Maria Manager ng parangal: Day off"


def test_suggestions_are_written_in_the_managers_language(wins, cast):  # noqa: F811
    """Maria reads Greek: her nudges and the stored suggestion texts are Greek, with
    Greek number formats (120,00 από 100,00)."""
    _speaks(cast["manager"], "el")
    assert suggest_recognition(now=at(TODAY, 12)) == 4
    texts = {
        s.reason: s.text for s in RecognitionSuggestion.objects.filter(manager=cast["manager"])
    }
    assert "ξεπέρασε τον στόχο" in texts["goal_beaten"]
    assert "120,00 από 100,00" in texts["goal_beaten"]
    assert "Μαΐου 2025" in texts["biggest_deal"] or "Μάιος 2025" in texts["biggest_deal"]
    assert "5.000,00" in texts["biggest_deal"]
    assert "3 συνεχόμενες εβδομάδες" in texts["kpi_streak"]
    nudge = Notification.objects.filter(
        user=cast["manager"], kind=NotificationKind.RECOGNITION_NUDGE
    ).first()
    assert nudge.title.startswith("Αξίζει έπαινο:")
    # Oscar (English) gets his in English.
    other = RecognitionSuggestion.objects.get(manager=cast["other_manager"])
    assert "biggest deal" in other.text and "1,000.00" in other.text


def test_feed_csv_under_greek_keeps_amounts_machine_readable(given, cast, client_for):
    response = client_for(cast["manager"]).get(FEED, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["χρόνος", "είδος", "από"]
    amounts = [r[6] for r in rows[1:] if r[6]]
    assert "250.00" in amounts  # "." decimals, no grouping, whatever the language
    assert all(Decimal(a) for a in amounts)
