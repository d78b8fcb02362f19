"""Task pages and the notices about tasks in the reader's language."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from activities.tasks import services
from activities.tasks.reminders import send_overdue_digests, send_task_reminders
from salesmgmt.models import Notification, NotificationKind
from tests.factories.reminders import TaskFactory, set_company


def speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_my_day_in_greek(client_for, rep):
    body = client_for(rep).get(reverse("tasks:my_day"), HTTP_ACCEPT_LANGUAGE="el").content.decode()
    assert "Η μέρα μου" in body and "<h2>Εκπρόθεσμες</h2>" in body
    assert "<h1>My day" not in body  # (the top bar is not this page's)
    with translation.override("el"):
        assert date_format(timezone.localdate(), "LONG_WEEKDAY_DAY_MONTH").split()[0] in body


def test_a_task_given_by_an_english_manager_reaches_a_greek_rep_in_greek(manager, rep):
    speaks(manager, "en")
    speaks(rep, "el")
    with translation.override("en"):  # the manager's request
        services.create_task(
            by=manager,
            assignee=rep,
            title="Call Anna",
            notes="",
            customer=None,
            deal=None,
            due_at=timezone.now() + timedelta(days=1),
            priority="normal",
        )
    notice = Notification.objects.get(user=rep, kind=NotificationKind.TASK_ASSIGNED)
    assert notice.title == "Ο/Η Maria Manager σάς ανέθεσε μια εργασία: Call Anna"


@pytest.mark.parametrize(
    ("language", "title"),
    [("id", "Jatuh tempo pukul 15.30: Call Anna"), ("el", "Λήγει στις 15:30: Call Anna")],
)
def test_task_reminder_in_the_assignees_language_and_time_format(db, rep, language, title):
    set_company(timezone="Europe/Berlin", task_reminder_minutes=60)
    rep.timezone = "Europe/Berlin"
    rep.save(update_fields=["timezone"])
    speaks(rep, language)
    TaskFactory(assignee=rep, title="Call Anna", due_at=datetime(2025, 3, 3, 14, 30, tzinfo=UTC))
    assert send_task_reminders(now=datetime(2025, 3, 3, 14, tzinfo=UTC)) == 1
    assert Notification.objects.get(user=rep).title == title


def test_overdue_digests_in_each_readers_language(db, rep, manager):
    """The rep reads Filipino, the manager Greek."""
    set_company(timezone="Europe/Berlin")
    speaks(rep, "fil")
    speaks(manager, "el")
    for title in ("Call Anna", "Send quote"):
        TaskFactory(assignee=rep, title=title, due_at=datetime(2025, 3, 2, 9, tzinfo=UTC))
    send_overdue_digests(now=datetime(2025, 3, 3, 8, tzinfo=UTC))
    assert (
        Notification.objects.get(user=rep).title == "May 2 gawain kang lampas na sa takdang petsa"
    )
    team = Notification.objects.get(user=manager)
    assert team.title == "Η ομάδα σας έχει 2 εκπρόθεσμες εργασίες"
    assert team.body.startswith("Εκπρόθεσμες ανά πωλητή: Rita Rep: 2.")
