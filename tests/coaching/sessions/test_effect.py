"""A session's effect: the rep's focus metrics and ratio KPIs in the 28 days before the
held session and from it up to today, with exact numbers, in a fixed number of queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from coaching.models import SessionStatus
from coaching.sessions.selectors import session_effect
from reporting.models import Kpi
from salesmgmt.models import CompanySettings
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(book, cast):
    company = CompanySettings.load()
    start = company.today() - timedelta(days=10)
    at = datetime.combine(start, time(10), tzinfo=company.tzinfo)
    return book(cast["rep"], cast["manager"], status=SessionStatus.HELD, starts_at=at), start


def _log(rep, key, quantity, day):
    ActivityFactory(
        rep=rep, metric=Metric.objects.get(key=key), quantity=Decimal(quantity), day=day
    )


def _rows(effect):
    return {r.name: r for r in effect.metrics + effect.kpis}


def test_effect_before_and_after_exact(held, cast):
    session, start = held
    rep = cast["rep"]
    today = CompanySettings.load().today()
    _log(rep, "calls", 7, start - timedelta(days=28))  # first day before
    _log(rep, "calls", 5, start - timedelta(days=5))
    _log(rep, "calls", 100, start - timedelta(days=29))  # outside: not counted
    _log(rep, "calls", 9, start)  # the session's day counts after
    _log(rep, "calls", 4, today)
    _log(cast["teammate"], "calls", 50, start)  # someone else's
    _log(rep, "appointments-held", 10, start - timedelta(days=3))
    _log(rep, "sales-closed", 1, start - timedelta(days=3))
    _log(rep, "appointments-held", 8, start + timedelta(days=1))
    _log(rep, "sales-closed", 4, start + timedelta(days=2))

    effect = session_effect(session)
    assert effect.before == (start - timedelta(days=28), start - timedelta(days=1))
    assert effect.after == (start, today) and effect.after_days == 11
    rows = _rows(effect)
    # Metrics per week on average: 12 in 28 days = 3 a week; 13 in 11 days = 8.27 a week.
    calls = rows["Calls"]
    assert (calls.before_total, calls.after_total) == ("12", "13")
    assert (calls.before, calls.after, calls.change, calls.improved) == ("3", "8.27", "+5.27", True)
    held_row = rows["Appointments held"]  # 10 in 28 days = 2.5 a week; 8 in 11 days = 5.09
    assert (held_row.before, held_row.after, held_row.improved) == ("2.5", "5.09", True)
    leads = rows["Leads created"]
    assert (leads.before, leads.after, leads.change, leads.improved) == ("0", "0", "±0", None)
    hit = rows["Hit rate (sales / appointments held)"]
    assert (hit.before, hit.after, hit.change, hit.improved) == ("10.0%", "50.0%", "+40.0%", True)
    no_data = rows["Appointments held / set"]
    assert (no_data.before, no_data.after, no_data.change, no_data.improved) == (
        "—",
        "—",
        "—",
        None,
    )


def test_prompt_kpi_is_linked_and_marked(book, cast):
    kpi = Kpi.objects.get(key="calls-per-week")
    company = CompanySettings.load()
    at = datetime.combine(company.today() - timedelta(days=3), time(9), tzinfo=company.tzinfo)
    session = book(
        cast["rep"], cast["manager"], status=SessionStatus.HELD, starts_at=at, prompt_kpi=kpi
    )
    names = [r.name for r in session_effect(session).kpis]
    assert "Calls per rep per week (prompted the session)" in names


def test_no_effect_for_a_planned_session(book, cast):
    assert session_effect(book(cast["rep"], cast["manager"])) is None


def test_effect_runs_a_fixed_number_of_queries(held, cast, django_assert_max_num_queries):
    session, start = held
    with django_assert_max_num_queries(10) as few:
        session_effect(session)
    for n in range(40):
        _log(
            cast["rep"],
            ["calls", "appointments-held", "sales-closed"][n % 3],
            n + 1,
            start - timedelta(days=n % 27),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        session_effect(session)


def test_detail_page_shows_the_effect(held, cast, client_for):
    session, start = held
    _log(cast["rep"], "calls", 3, start)
    html = (
        client_for(cast["manager"])
        .get(reverse("coaching:detail", args=[session.pk]))
        .content.decode()
    )
    assert 'id="effect"' in html and "Calls" in html and "(11 of 28 days so far)" in html
