"""`manage.py run_jobs` (make jobs): every beat entry, once, in this process."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from salesmgmt.celery import app
from salesmgmt.models import Notification


def run(*args) -> str:

    out = StringIO()
    call_command("run_jobs", *args, stdout=out)
    return out.getvalue()


def test_every_scheduled_job_runs_and_a_second_run_changes_nothing(cast, mailoutbox):
    """An e-mail left in the outbox (its worker died) is due whatever the clock says: the
    first run sends it, the second finds nothing left to do."""
    Notification.objects.create(
        user=cast["rep"], kind="plan_reminder", key="left-behind", title="Plan your week"
    )
    first = run()
    told, mailed = Notification.objects.count(), len(mailoutbox)
    second = run()

    ran = [line.split(":")[0] for line in first.splitlines()]
    assert ran == list(app.conf.beat_schedule)
    assert [line.split(":")[0] for line in second.splitlines()] == ran
    assert [m.subject for m in mailoutbox].count("Plan your week") == 1
    assert Notification.objects.count() == told
    assert len(mailoutbox) == mailed


def test_only_runs_the_named_jobs(db):
    out = run("--only", "send-plan-reminders", "send-review-reminders")

    assert [line.split(":")[0] for line in out.splitlines()] == [
        "send-plan-reminders",
        "send-review-reminders",
    ]


def test_an_unknown_job_is_refused_by_name(db):
    with pytest.raises(CommandError, match="No such job: send-nothing"):
        run("--only", "send-nothing")


def test_list_names_every_entry_with_its_task(db):
    out = run("--list")

    lines = {line.split()[0]: line for line in out.splitlines()}
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in lines[name]
