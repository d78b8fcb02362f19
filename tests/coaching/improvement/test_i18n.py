"""Improvement plans in the reader's language: the plan's page follows the request's
language and its formats; every notice (opened, checkpoint reminders) is written in the
recipient's own language, not the sender's; the CSV names its columns in the reader's
language and keeps ISO dates."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import formats, translation

from coaching.improvement import services
from salesmgmt.models import CompanySettings, Notification

pytestmark = pytest.mark.django_db


def _speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_plan_page_in_greek_with_greek_dates(cast, open_plan, client_for):
    plan = open_plan(cast["rep"], cast["manager"])
    response = client_for(cast["manager"]).get(
        reverse("improvement:detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="el"
    )
    page = response.content.decode()
    assert '<html lang="el"' in page
    assert "Στόχοι προς επίτευξη" in page and "Σημεία ελέγχου" in page
    checkpoint = plan.checkpoints.first()
    with translation.override("el"):
        assert formats.date_format(checkpoint.due, "WEEKDAY_DATE") in page
    assert f'name="version" value="{plan.version}"' in page
    assert "Goals to reach" not in page and "Add a checkpoint" not in page


def test_opened_notice_in_the_reps_language(cast, open_plan, today):
    """Maria works in English; Rita reads Indonesian, the end date in her format."""
    _speaks(cast["rep"], "id")
    with translation.override("en"):
        plan = open_plan(cast["rep"], cast["manager"])
    notice = Notification.objects.get(user=cast["rep"], key=f"improvement-opened:{plan.pk}")
    assert notice.title == f"{cast['manager']} membuka rencana perbaikan kinerja untuk Anda"
    with translation.override("id"):
        until = formats.date_format(plan.ends_on, "DATE_MEDIUM")
    assert notice.body.endswith(f"Sampai {until}. Silakan baca dan konfirmasi.")


def test_checkpoint_reminders_in_each_recipients_language(cast, open_plan, today):
    """Rita reads Greek, Maria Filipino: one reminder each, whole sentences in their
    languages."""
    _speaks(cast["rep"], "el")
    _speaks(cast["manager"], "fil")
    open_plan(cast["rep"], cast["manager"])
    moment = datetime.combine(
        today + timedelta(days=12), time(9), tzinfo=CompanySettings.load().tzinfo
    )
    with translation.override("en"):
        assert services.send_checkpoint_reminders(now=moment) == 2
    told = {n.user_id: n.title for n in Notification.objects.filter(key__startswith="checkpoint-")}
    assert told[cast["rep"].pk].startswith(
        "Το σημείο ελέγχου του πλάνου βελτίωσης απόδοσής σας έχει προθεσμία στις "
    )
    assert told[cast["manager"].pk].startswith(
        f"Ang checkpoint ng plano sa pagpapabuti ni {cast['rep']} ay due sa "
    )
    assert all(title.endswith(": Call review") for title in told.values())


def test_list_csv_in_greek_keeps_iso_dates(cast, open_plan, client_for, today):
    plan = open_plan(cast["rep"], cast["manager"])
    response = client_for(cast["manager"]).get(
        reverse("improvement:list"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,πωλητής,ομάδα,υπεύθυνος,έναρξη,λήξη,έκβαση,")
    row = next(line for line in lines if line.startswith(f"{plan.pk},"))
    assert f",{plan.starts_on.isoformat()},{plan.ends_on.isoformat()},open," in row
