"""The reporting app's webhook events: deviation alert opened / turned red (the alerts
job, run twice, sends each once), monthly review shared / acknowledged (API), commission
statement ready (the monthly job). Data: the object as the API shows it."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from plans.models import GoalScope
from reporting.jobs import compute_commission_statements_task, send_deviation_alerts_task
from reporting.models import CommissionStatement, DeviationEpisode
from salesmgmt.models import CompanySettings, WebhookEvent
from salesmgmt.models import WebhookEventType as E
from tests.factories.webhooks import as_api_shows, events_of, subscribe, the_event
from tests.reporting.commissions.test_selectors import make_plan, won
from tests.reporting.kpis.test_deviations import goal, log, nov, november  # noqa: F401
from tests.reporting.reviews.test_api import month  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks():
    subscribe(*E.values)
    subscribe(E.DEAL_WON, url="https://other.example.com/in")
    subscribe(*E.values, active=False, url="https://off.example.com/in")


def alerts_job(day: int, hour: int = 8) -> int:
    moment = datetime(2026, 11, day, hour, tzinfo=CompanySettings.load().tzinfo)
    return send_deviation_alerts_task.delay(moment.isoformat()).get()


# --- Deviation alerts ----------------------------------------------------------------------------


@pytest.mark.usefixtures("november")
def test_alert_opened_then_turned_red_each_once(hooks, rep, manager, admin):
    goal(by=manager, scope=GoalScope.REP, rep=rep)
    log(rep, nov(2), 34)

    alerts_job(6)  # 34 of 40 expected: amber, opened
    alerts_job(6, hour=15)  # the same again: nothing new
    episode = DeviationEpisode.objects.get()
    opened = the_event(E.ALERT_OPENED, object_type="alert", object_id=episode.pk)
    assert opened.data["severity"] == "amber"
    assert events_of(E.ALERT_RED) == []

    alerts_job(7)  # 34 of 50: red
    alerts_job(8)  # still red: nothing new
    red = the_event(E.ALERT_RED, object_type="alert", object_id=episode.pk)
    assert red.data == as_api_shows(admin, f"/api/v1/alerts/{episode.pk}/")
    assert red.data["severity"] == "red"
    assert len(events_of(E.ALERT_OPENED)) == 1


@pytest.mark.usefixtures("november")
def test_alerts_job_without_endpoints_records_nothing(rep, manager):
    goal(by=manager, scope=GoalScope.REP, rep=rep)
    alerts_job(7)
    assert DeviationEpisode.objects.exists()
    assert WebhookEvent.objects.count() == 0


# --- Monthly reviews -----------------------------------------------------------------------------


def test_review_shared_and_acknowledged(month, hooks, cast, admin, api_for):  # noqa: F811
    draft = month["teammate"]
    shared = api_for(cast["manager"]).post(f"/api/v1/reviews/{draft.pk}/share/", {"version": 1})
    assert shared.status_code == 200, shared.data
    event = the_event(E.REVIEW_SHARED, object_type="monthly_review", object_id=draft.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/reviews/{draft.pk}/")
    assert event.data["status"] == "shared"

    acknowledged = api_for(cast["teammate"]).post(
        f"/api/v1/reviews/{draft.pk}/acknowledge/", {"version": 2, "comment": "Fair"}
    )
    assert acknowledged.status_code == 200, acknowledged.data
    event = the_event(E.REVIEW_ACKNOWLEDGED, object_type="monthly_review", object_id=draft.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/reviews/{draft.pk}/")
    assert (event.data["status"], event.data["rep_comment"]) == ("acknowledged", "Fair")


def test_a_refused_share_records_nothing(month, hooks, cast, api_for):  # noqa: F811
    draft = month["teammate"]
    stale = api_for(cast["manager"]).post(f"/api/v1/reviews/{draft.pk}/share/", {"version": 9})
    assert stale.status_code == 409
    assert events_of(E.REVIEW_SHARED) == []


# --- Commission statements -----------------------------------------------------------------------


def test_statement_ready_once_from_the_monthly_job(hooks, rep, teammate, admin):
    make_plan(rep, rate="5")
    won(rep, "1000.00", date(2024, 3, 12))
    april = datetime(2024, 4, 1, 10, tzinfo=CompanySettings.load().tzinfo).isoformat()

    assert compute_commission_statements_task.delay(april).get() == 1
    assert compute_commission_statements_task.delay(april).get() == 0  # made already

    statement = CommissionStatement.objects.get()
    event = the_event(E.STATEMENT_READY, object_type="commission_statement", object_id=statement.pk)
    assert event.data == as_api_shows(admin, f"/api/v1/commission-statements/{statement.pk}/")
    assert Decimal(event.data["commission"]) == Decimal("50.00")
