"""Training in the reader's language: a rep's page in Greek with Greek dates, reminders
in each recipient's own language (the rep's Greek, the manager's English), the
assignment notice in Indonesian, and the CSVs' translated column names over
machine-readable cells."""

import csv
import io

from django.urls import reverse
from django.utils import formats, translation

from coaching.training.services import assign_module, send_training_reminders
from salesmgmt.models import Notification
from tests.coaching.training.conftest import days, make_assignment
from tests.coaching.training.test_jobs import morning


def main_of(html: str) -> str:
    """The page's own content (the top bar and its menu belong to the base template)."""
    return html[html.index("<main") : html.index("</main>")]


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_my_training_in_greek(catalogue, cast, client_for):
    """Rita asked for Greek: section headings, columns and the due day in Greek."""
    due = days(-2)
    make_assignment(catalogue["product"], cast["rep"], due=due)
    html = client_for(cast["rep"]).get(reverse("training:mine"), HTTP_ACCEPT_LANGUAGE="el")
    html = html.content.decode()
    assert '<html lang="el"' in html
    assert "Η εκπαίδευσή μου" in html and "Εκπρόθεσμες" in html and "Προθεσμία" in html
    with translation.override("el"):
        assert formats.date_format(due, "WEEKDAY_DAY_MONTH") in html
    for english in ("My training", "Overdue", "Mark done", "Record as done"):
        assert english not in main_of(html)


def test_module_catalogue_in_filipino(catalogue, cast, client_for):
    html = (
        client_for(cast["manager"])
        .get(reverse("training:modules"), HTTP_ACCEPT_LANGUAGE="fil")
        .content.decode()
    )
    assert "Mga training module" in html and "Kada quarter" in html
    assert "Every quarter" not in main_of(html)


def test_overdue_reminder_goes_to_each_in_their_own_language(catalogue, cast):
    """Rita reads Greek and Maria English: one overdue assignment, two languages."""
    _speaks(cast["rep"], "el")
    overdue = make_assignment(catalogue["product"], cast["rep"], due=days(-1))
    assert send_training_reminders(now=morning()) == 2
    to_rep = Notification.objects.get(user=cast["rep"], key=f"training-overdue:{overdue.pk}")
    to_manager = Notification.objects.get(
        user=cast["manager"], key=f"training-overdue:{overdue.pk}"
    )
    assert to_rep.title == "Εκπρόθεσμη εκπαίδευση: Product knowledge"
    with translation.override("el"):
        assert formats.date_format(overdue.due, "LONG_WEEKDAY_DATE") in to_rep.body
    assert to_manager.title == "Rita Rep's training is overdue: Product knowledge"


def test_assignment_notice_in_indonesian(catalogue, cast):
    _speaks(cast["rep"], "id")
    done = assign_module(
        module=catalogue["competition"], by=cast["manager"], due=days(10), reps=[cast["rep"]]
    )
    note = Notification.objects.get(key=f"training-assigned:{done.created[0].pk}")
    assert note.title.startswith("Pelatihan: Competitive intelligence, jatuh tempo")
    assert "Maria Manager menugaskan Anda" in note.body


def test_csvs_under_greek_keep_cells_machine_readable(catalogue, cast, team, client_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(-4))
    client = client_for(cast["manager"])
    modules = _rows(
        client.get(reverse("training:modules"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el")
    )
    assert modules[0][:3] == ["τίτλος", "θέμα", "διάρκεια_λεπτά"]
    product = next(r for r in modules if r[0] == "Product knowledge")
    assert product[2:6] == ["60", "3", "όχι", "ναι"]
    matrix = _rows(
        client.get(reverse("training:matrix_csv"), {"team": team.pk}, HTTP_ACCEPT_LANGUAGE="el")
    )
    assert matrix[0][0] == "πωλητής"
    rita = next(r for r in matrix if r[0] == "Rita Rep")
    assert f"εκπρόθεσμη από {days(-4).isoformat()}" in rita
