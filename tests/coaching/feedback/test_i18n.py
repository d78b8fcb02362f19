"""Upward feedback in the reader's language: pages, API and CSV follow the request's
language; what the job and a signed note send is written in each recipient's own
language, whatever language the sender or the job runs in. Numbers a machine reads (a
meter's value, the CSV) stay plain."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from coaching.feedback import services
from coaching.models import FeedbackPeriod
from salesmgmt.models import CompanySettings, Notification
from tests.coaching.feedback.conftest import answer, ratings

pytestmark = pytest.mark.django_db

GREEK_QUESTION = "Ο υπεύθυνός μου με βοηθά να κλείνω deals."


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def _at(year, month, day, hour=8):
    return datetime(year, month, day, hour, tzinfo=CompanySettings.load().tzinfo)


def test_results_page_in_greek_with_greek_figures(client_for, manager, alpha, period):
    """Headings, the seeded questions and the averages read Greek ("2,3"); the meter's
    value, read by the browser, stays "2.33"."""
    for user, value in zip(alpha[:3], (1, 2, 4), strict=True):
        answer(user, value)
    response = client_for(manager).get(reverse("feedback:results"), HTTP_ACCEPT_LANGUAGE="el")
    page = response.content.decode()
    assert '<html lang="el"' in page
    assert "Αποτελέσματα ανατροφοδότησης" in page
    assert GREEK_QUESTION in page
    assert "2,3</td>" in page
    assert 'value="2.33"' in page
    assert "Feedback results" not in page and "My manager helps me win deals." not in page


def test_give_page_in_indonesian(client_for, cast, alpha, period):
    """The rep's form: the promise, the questions and the closing day in Indonesian."""
    page = (
        client_for(cast["rep"])
        .get(reverse("feedback:give"), HTTP_ACCEPT_LANGUAGE="id")
        .content.decode()
    )
    assert "Kirim secara anonim" in page
    assert "Manajer saya membantu saya memenangkan deal." in page
    with translation.override("id"):
        assert formats.date_format(period.closes_on, "DATE_MEDIUM") in page
    assert "Send anonymously" not in page


def test_questions_api_gives_the_stored_name_and_the_label(api_for, cast, period):
    questions = (
        api_for(cast["rep"]).get(reverse("feedback-questions"), HTTP_ACCEPT_LANGUAGE="el").json()
    )
    helps = next(q for q in questions if q["key"] == "helps-me-win")
    assert (helps["name"], helps["label"]) == ("My manager helps me win deals.", GREEK_QUESTION)


def test_period_notices_go_out_in_each_reps_language(cast):
    """The job runs in English; Rita (Greek) and Tom (Indonesian) read their own
    language, with the closing day in their own format; the others read English."""
    _speaks(cast["rep"], "el")
    _speaks(cast["teammate"], "id")
    with translation.override("en"):
        services.open_feedback_periods(now=_at(2025, 4, 2))
    period = FeedbackPeriod.objects.get()
    told = {n.user_id: n for n in Notification.objects.filter(key=f"feedback-open:{period.pk}")}
    greek, indonesian = told[cast["rep"].pk], told[cast["teammate"].pk]
    assert greek.title.startswith("Η ανώνυμη ανατροφοδότηση για ")
    assert indonesian.title.startswith("Umpan balik anonim untuk ")
    for notice, language in ((greek, "el"), (indonesian, "id")):
        with translation.override(language):
            assert formats.date_format(period.closes_on, "DATE_MEDIUM") in notice.body
    assert told[cast["south_rep"].pk].title.startswith("Anonymous feedback for ")


def test_ready_notice_in_the_managers_language(cast, team, alpha):
    """Maria reads Filipino: "3 na sagot" (the plural form), the team's name as it is."""
    _speaks(cast["manager"], "fil")
    services.open_feedback_periods(now=_at(2025, 4, 2))
    for user in alpha[:3]:
        services.submit_feedback(by=user, ratings=ratings(3), today=_at(2025, 4, 10).date())
    services.open_feedback_periods(now=_at(2025, 4, 11))
    ready = Notification.objects.get(key__startswith="feedback-ready:")
    assert ready.title.startswith("Handa na ang feedback para sa ")
    assert ready.title.endswith(": 3 na sagot mula sa Alpha")


def test_signed_feedback_notice_in_the_managers_language(cast, period):
    """Rita writes in Greek; Maria, who reads Indonesian, is told in Indonesian."""
    _speaks(cast["manager"], "id")
    with translation.override("el"):
        services.send_signed_feedback(by=cast["rep"], text="Καλή δουλειά")
    notice = Notification.objects.get(user=cast["manager"], key__startswith="signed-feedback:")
    assert notice.title == f"{cast['rep']} mengirimi Anda umpan balik dengan nama"


def test_results_csv_in_greek_keeps_machine_numbers(client_for, manager, alpha, period):
    for user, value in zip(alpha[:3], (1, 2, 4), strict=True):
        answer(user, value)
    response = client_for(manager).get(
        reverse("feedback:results"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "περίοδος,κατηγορία,όνομα,απαντήσεις,ερώτηση,μέσος_όρος,βαθμολογίες"
    row = next(line for line in lines if GREEK_QUESTION in line)
    assert row.endswith(f"{GREEK_QUESTION},2.33,3")
