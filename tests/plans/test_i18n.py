"""Plans and goals in the reader's language: the rep's home page in Greek, goal money in
the locale's format and the company currency, notices written in the recipient's
language (not the sender's), and CSV exports that stay machine-readable under Greek."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from activities.models import Metric
from plans.goals import services as goal_services
from plans.models import Goal, GoalPeriod, PlanEvent, PlanStatus, WeeklyPlan
from plans.weekly import services as plan_services
from plans.weekly.reminders import plan_reminder
from salesmgmt.models import CompanySettings, Notification
from salesmgmt.notifications.services import notify
from tests.factories import PlanTargetFactory, WeeklyPlanFactory, this_week

NOVEMBER = date(2026, 11, 1), date(2026, 11, 30)


def speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


def make_goal(by, target, metric, **owner):
    return Goal.objects.create(
        scope=next(iter(owner), "company"),
        metric=metric,
        period=GoalPeriod.MONTH,
        start=NOVEMBER[0],
        end=NOVEMBER[1],
        target=Decimal(target),
        created_by=by,
        **owner,
    )


def test_my_week_is_in_greek_with_greek_dates(client_for, rep):
    """The rep's first page, asked for in Greek: Greek words, Greek day and month names."""
    plan = WeeklyPlanFactory(rep=rep, week_start=this_week(), status=PlanStatus.DRAFT)
    PlanTargetFactory(plan=plan, planned=Decimal(50))

    page = client_for(rep).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="el")

    html = page.content.decode()
    with translation.override("el"):
        week = date_format(this_week(), "WEEKDAY_DAY_MONTH")
    assert page.status_code == 200
    assert '<html lang="el"' in html
    assert f'<h1>Η εβδομάδα μου <small class="muted">από {week}</small></h1>' in html
    assert "Πλάνο έναντι πραγματικού αυτή την εβδομάδα" in html
    assert "Πρόσφατες καταγραφές" in html
    # (The top bar is the scaffold's; this page's own English is gone.)
    for english in ("Plan vs actual", "Recently logged", "Log today", "Nothing logged yet"):
        assert english not in html


def test_goal_money_follows_the_readers_locale_and_the_company_currency(client_for, admin):
    """A money goal reads "1.250,00 €" in Greek and "EUR 1,250.00" in English."""
    company = CompanySettings.load()
    company.currency = "EUR"
    company.save()
    goal = make_goal(admin, "1250", Metric.objects.get(key="sales-value"))
    url = reverse("goals:detail", args=[goal.pk])

    greek = client_for(admin).get(url, HTTP_ACCEPT_LANGUAGE="el").content.decode()
    english = client_for(admin).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "1.250,00 €" in greek
    assert "Ιστορικό" in greek
    assert "EUR 1,250.00" in english


def test_plan_submitted_notice_is_in_the_managers_language_not_the_reps(rep, manager):
    """The rep works in English, their manager reads Greek: the manager's notice is Greek."""
    speak(rep, "en")
    speak(manager, "el")
    plan = WeeklyPlanFactory(rep=rep, week_start=this_week(), objectives="Reopen Acme")
    PlanTargetFactory(plan=plan, planned=Decimal(50))

    with translation.override("en"):
        plan_services.submit_plan(plan=plan, by=rep, version=plan.version)
        event = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.SUBMITTED)
        plan_services.notify_plan_event(event_id=event.pk)

    notice = Notification.objects.get(user=manager, key=f"plan-event:{event.pk}")
    with translation.override("el"):
        week = date_format(this_week(), "DAY_MONTH")
    assert notice.title == f"Ο/Η {rep} υπέβαλε το πλάνο για την εβδομάδα {week}"
    assert "Περιμένει την αξιολόγησή σας." in notice.body


def test_plan_approved_notice_is_in_the_reps_language(rep, manager):
    speak(rep, "fil")
    speak(manager, "en")
    plan = WeeklyPlanFactory(
        rep=rep, week_start=this_week(), objectives="Reopen Acme", status=PlanStatus.SUBMITTED
    )
    PlanTargetFactory(plan=plan, planned=Decimal(50))

    with translation.override("en"):
        plan_services.approve_plan(plan=plan, by=manager, version=plan.version)
        event = PlanEvent.objects.get(plan=plan, kind=PlanEvent.Kind.APPROVED)
        plan_services.notify_plan_event(event_id=event.pk)

    notice = Notification.objects.get(user=rep, key=f"plan-event:{event.pk}")
    assert notice.title.startswith("Naaprubahan ang plano mo para sa linggo ng ")
    assert WeeklyPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_plan_reminder_is_written_when_sent_in_the_reps_language(rep):
    """The reminder's texts are lazy: notify() renders them in the rep's language."""
    speak(rep, "id")
    rep.plan_status = None
    week = this_week()

    with translation.override("en"):
        reminder = plan_reminder(rep, week)
        sent = notify(
            user=rep, kind=reminder.kind, key=reminder.key, title=reminder.title, body=reminder.body
        )

    with translation.override("id"):
        day = date_format(week, "DAY_MONTH")
    assert sent.title == f"Rencana Anda untuk minggu {day} belum dikirim"
    assert sent.body.endswith("Tulis rencana Anda lalu kirim untuk ditinjau.")


def test_goal_notice_is_in_the_reps_language_with_its_number_format(rep, manager):
    """A manager writing in English sets a goal for a rep who reads Indonesian."""
    speak(rep, "id")
    speak(manager, "en")

    with translation.override("en"):
        goal_services.set_goal(
            by=manager,
            scope="rep",
            rep=rep,
            metric=Metric.objects.get(key="calls"),
            period=GoalPeriod.MONTH,
            day=date(2026, 11, 10),
            target=Decimal("1250"),
        )

    notice = Notification.objects.get(user=rep, key__startswith="goal-change:")
    assert "Anda untuk November 2026: 1.250" in notice.title
    assert notice.body.startswith("Target ditetapkan 1.250")


@pytest.mark.parametrize("language", ["el", "id"])
def test_goal_csv_keeps_machine_readable_figures_in_any_language(client_for, admin, language):
    """Headers follow the reader; numbers keep "." decimals and dates stay ISO."""
    make_goal(admin, "1250.50", Metric.objects.get(key="sales-value"))

    response = client_for(admin).get(
        reverse("goals:list") + "?export=csv&when=any", HTTP_ACCEPT_LANGUAGE=language
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = rows[0], rows[1]
    assert header[0] == {"el": "εύρος", "id": "cakupan"}[language]
    assert row[5:8] == ["2026-11-01", "2026-11-30", "1250.50"]


def test_plan_csv_headers_translated_values_not(client_for, rep):
    WeeklyPlanFactory(rep=rep, week_start=this_week(), objectives="Acme")

    response = client_for(rep).get(
        reverse("plans:list"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="el"
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["έναρξη_εβδομάδας", "πωλητής", "ομάδα", "κατάσταση"]
    assert rows[1][0] == this_week().isoformat()
    assert rows[1][3] == "draft"
