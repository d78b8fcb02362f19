"""The KPI page and the deviation alerts page: who sees what, the figures, CSV, queries.

Figures are pinned on the week of Monday 3 March 2025 (5 working days, over by now),
so weekly targets apply in full: calls per rep per week 120, amber below 100, red
below 80.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope
from reporting.models import DeviationEpisode, Kpi
from salesmgmt.models import CompanySettings, Holiday
from tests.factories import ActivityFactory, UserFactory

WEEK = {"period": "custom", "start": "2025-03-03", "end": "2025-03-09"}
D = Decimal


def calls_kpi() -> Kpi:
    return Kpi.objects.get(key="calls-per-week")


def log_calls(rep, quantity, day=date(2025, 3, 4)):
    ActivityFactory(rep=rep, metric=Metric.objects.get(key="calls"), day=day, quantity=D(quantity))


def columns(response) -> list[str]:
    return [s.key for s in response.context["subjects"]]


def calls_row(response) -> dict:
    return next(r for r in response.context["rows"] if r["kpi"].key == "calls-per-week")


def cells(response) -> dict[str, tuple[str, str]]:
    return {c.subject.key: (c.text, c.value.status) for c in calls_row(response)["cells"]}


def body_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- /kpis/ -------------------------------------------------------------------------------------


@pytest.fixture
def week_of_calls(cast):
    log_calls(cast["rep"], 130)
    log_calls(cast["teammate"], 60)
    log_calls(cast["other_team_rep"], 90)
    log_calls(cast["south_rep"], 20)
    log_calls(cast["rep"], 500, day=date(2025, 3, 10))  # the week after


def test_rep_sees_themselves_and_their_team_average(cast, team, week_of_calls, client_for):
    response = client_for(cast["rep"]).get("/kpis/", WEEK)

    assert response.status_code == 200
    assert columns(response) == [f"rep:{cast['rep'].pk}", f"team:{team.pk}"]
    assert cells(response) == {
        f"rep:{cast['rep'].pk}": ("130", "green"),
        f"team:{team.pk}": ("95", "amber"),  # (130 + 60) / 2
    }
    row = calls_row(response)
    assert (row["target"], row["thresholds"]) == ("120", "amber below 100, red below 80")
    html = response.content.decode()
    assert 'title="Rita Rep: 130 vs target 120 (on track; amber below 100, red below 80)"' in html
    assert "Otto" not in html


def test_manager_sees_each_rep_of_the_team_and_the_team(cast, team, week_of_calls, client_for):
    response = client_for(cast["manager"]).get("/kpis/", WEEK)

    rep, mate = cast["rep"], cast["teammate"]
    assert columns(response) == [f"rep:{rep.pk}", f"rep:{mate.pk}", f"team:{team.pk}"]
    assert cells(response)[f"rep:{mate.pk}"] == ("60", "red")
    assert f'href="/dashboard/reps/{rep.pk}/"' in response.content.decode()


def test_director_sees_the_divisions_teams_and_the_division(
    cast, team, other_team, north, week_of_calls, client_for
):
    response = client_for(cast["director"]).get("/kpis/", WEEK)

    assert columns(response) == [f"team:{team.pk}", f"team:{other_team.pk}", f"division:{north.pk}"]
    assert cells(response) == {
        f"team:{team.pk}": ("95", "amber"),
        f"team:{other_team.pk}": ("90", "amber"),
        f"division:{north.pk}": ("93.33", "amber"),  # 280 / 3
    }


def test_admin_sees_each_division_and_the_company(cast, north, south, week_of_calls, client_for):
    response = client_for(cast["admin"]).get("/kpis/", WEEK)

    assert columns(response) == [f"division:{north.pk}", f"division:{south.pk}", "company"]
    assert cells(response)["company"] == ("75", "red")  # 300 / 4
    assert cells(response)[f"division:{south.pk}"] == ("20", "red")


def test_a_manager_without_a_team_is_told_so(cast, client_for):
    lonely = UserFactory(role="manager")
    response = client_for(lonely).get("/kpis/")
    assert response.status_code == 200
    assert "you look after no team" in response.content.decode()


def test_kpi_csv_export(cast, team, week_of_calls, client_for):
    response = client_for(cast["manager"]).get("/kpis/", WEEK | {"export": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = body_csv(response)
    assert rows[0][:6] == ["kpi", "kind", "period_start", "period_end", "subject", "value"]
    calls = [r for r in rows if r[0] == "Calls per rep per week"]
    assert calls[-1] == [
        "Calls per rep per week",
        "metric_total",
        "2025-03-03",
        "2025-03-09",
        "Team Alpha",
        "95.00",
        "120.00",
        "100.00",
        "80.00",
        "higher",
        "amber",
        "190.00",
        "2.00",
        "",  # over its own week: the week's total, not an average
    ]


def test_period_choices(cast, client_for):
    company = CompanySettings.load()
    today = company.today()
    client = client_for(cast["rep"])

    week = client.get("/kpis/", {"period": "week"}).context["period"]
    assert (week.start, week.end) == (company.week_of(today), company.week_of(today) + timedelta(6))
    month = client.get("/kpis/", {"period": "month"}).context["period"]
    assert (month.start, month.key) == (today.replace(day=1), "month")
    # By default each KPI over its own current period, as the deviation alerts judge it.
    assert client.get("/kpis/").context["period"].key == "current"
    assert client.get("/kpis/", {"period": "quarter"}).context["period"].key == "quarter"
    # A custom span that makes no sense falls back to this month, and says so.
    bad = {"period": "custom", "start": "2025-03-09", "end": "2025-03-01"}
    assert client.get("/kpis/", bad).context["period"].key == "month"
    too_long = {"period": "custom", "start": "2020-01-01", "end": "2025-03-01"}
    assert client.get("/kpis/", too_long).context["period"].key == "month"
    for query in (bad, too_long, {"period": "custom", "start": "garbage", "end": ""}):
        page = client.get("/kpis/", query)
        assert "Showing this month instead." in page.content.decode()
    assert "Showing this month instead." not in client.get("/kpis/", WEEK).content.decode()


def test_kpi_page_queries_do_not_grow_with_reps(cast, team, client_for):
    client = client_for(cast["manager"])
    CompanySettings.load(), Holiday.days()  # both cached, as between any two requests

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/kpis/", WEEK).status_code == 200
        return len(captured)

    for _ in range(3):
        log_calls(UserFactory(team=team), 50)
    few = queries()
    for _ in range(45):
        log_calls(UserFactory(team=team), 50)
    assert queries() == few
    assert few <= 16


# --- /kpis/alerts/ ------------------------------------------------------------------------------


def episode(*, severity="amber", closed_on=None, opened_on=None, **subject):
    today = CompanySettings.load().today()
    if "goal" not in subject and "kpi" not in subject:
        subject["kpi"] = calls_kpi()
    return DeviationEpisode.objects.create(
        period_start=today.replace(day=1),
        severity=severity,
        opened_on=opened_on or today,
        closed_on=closed_on,
        actual=D("31"),
        expected=D("48"),
        url="/somewhere/",
        **subject,
    )


@pytest.fixture
def alerts(cast, team, other_team, north, south):
    today = CompanySettings.load().today()
    calls = Metric.objects.get(key="calls")

    def goal(**owner):
        return Goal.objects.create(
            metric=calls,
            period=GoalPeriod.MONTH,
            start=today.replace(day=1),
            end=today.replace(day=28),
            target=D(100),
            created_by=cast["admin"],
            **owner,
        )

    return {
        "rep": episode(rep=cast["rep"], severity="red"),
        "teammate": episode(rep=cast["teammate"]),
        "other_team_rep": episode(rep=cast["other_team_rep"]),
        "south_rep": episode(rep=cast["south_rep"]),
        "alpha": episode(goal=goal(scope=GoalScope.TEAM, team=team), team=team),
        "north": episode(goal=goal(scope=GoalScope.DIVISION, division=north), division=north),
        "company": episode(goal=goal(scope=GoalScope.COMPANY)),
        "rep_closed": episode(rep=cast["rep"], closed_on=today - timedelta(days=3)),
        "rep_long_ago": episode(
            rep=cast["rep"],
            closed_on=today - timedelta(days=31),
            opened_on=today - timedelta(days=40),
        ),
    }


SEES = {
    "rep": {"rep", "alpha", "rep_closed"},
    "teammate": {"teammate", "alpha"},
    "other_team_rep": {"other_team_rep"},
    "south_rep": {"south_rep"},
    "manager": {"rep", "teammate", "alpha", "rep_closed"},
    "other_manager": {"other_team_rep"},
    "south_manager": {"south_rep"},
    "director": {"rep", "teammate", "other_team_rep", "alpha", "north", "rep_closed"},
    "admin": {
        "rep",
        "teammate",
        "other_team_rep",
        "south_rep",
        "alpha",
        "north",
        "company",
        "rep_closed",
    },
}


@pytest.mark.parametrize("who", list(SEES))
def test_each_role_sees_the_alerts_in_its_scope(who, cast, alerts, client_for):
    response = client_for(cast[who]).get("/kpis/alerts/")

    assert response.status_code == 200
    shown = {e.pk for e in response.context["page"]}
    assert shown == {alerts[name].pk for name in SEES[who]}


@pytest.mark.parametrize("who", list(SEES))
def test_every_role_opens_the_kpi_page(who, cast, client_for):
    assert client_for(cast[who]).get("/kpis/").status_code == 200


@pytest.mark.django_db  # the language of a visitor falls back on the company's
def test_pages_need_a_login(client):
    for url in ("/kpis/", "/kpis/alerts/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_alert_rows_state_figure_expected_and_link(cast, alerts, client_for):
    response = client_for(cast["manager"]).get("/kpis/alerts/")
    html = response.content.decode()

    first = response.context["page"][0]
    assert first.pk == alerts["rep"].pk  # open and red first
    assert (first.subject, first.owner, first.actual_text, first.expected_text) == (
        "Calls per rep per week",
        "Rita Rep",
        "31",
        "48",
    )
    assert '<a href="/somewhere/">Calls per rep per week</a>' in html
    assert response.context["open_count"] == 3
    assert "recovered" in html


def test_alert_filters(cast, alerts, client_for):
    client = client_for(cast["director"])

    def shown(**params):
        return {e.pk for e in client.get("/kpis/alerts/", params).context["page"]}

    assert shown(state="closed") == {alerts["rep_closed"].pk}
    assert shown(severity="red") == {alerts["rep"].pk}
    assert shown(subject="goal") == {alerts["alpha"].pk, alerts["north"].pk}
    assert shown(rep=cast["teammate"].pk) == {alerts["teammate"].pk}
    assert shown(team=cast["rep"].team_id) == {
        alerts["rep"].pk,
        alerts["teammate"].pk,
        alerts["alpha"].pk,
        alerts["rep_closed"].pk,
    }
    # A rep outside the director's division is not a valid choice: the filter says so.
    response = client.get("/kpis/alerts/", {"rep": cast["south_rep"].pk})
    assert response.context["filter"].errors


def test_alerts_csv(cast, alerts, client_for):
    rows = body_csv(client_for(cast["rep"]).get("/kpis/alerts/", {"export": "csv"}))

    assert rows[0] == [
        "subject",
        "owner",
        "severity",
        "period_start",
        "opened_on",
        "worsened_on",
        "closed_on",
        "actual",
        "expected",
        "link",
        "acknowledged_at",
        "snoozed_until",
    ]
    assert sorted((r[0], r[1], r[2]) for r in rows[1:]) == [
        ("Calls goal", "Team Alpha", "amber"),
        ("Calls per rep per week", "Rita Rep", "amber"),
        ("Calls per rep per week", "Rita Rep", "red"),
    ]


def test_alerts_page_queries_do_not_grow_with_episodes(cast, team, client_for):
    client = client_for(cast["manager"])
    CompanySettings.load(), Holiday.days()  # both cached, as between any two requests

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/kpis/alerts/").status_code == 200
        return len(captured)

    for _ in range(5):
        episode(rep=UserFactory(team=team))
    few = queries()
    for _ in range(45):
        episode(rep=UserFactory(team=team))
    assert queries() == few


def test_admin_pages_for_kpis_holidays_and_episodes(cast, alerts, client_for):
    client = client_for(cast["admin"])
    for url in (
        "/admin/reporting/kpi/",
        f"/admin/reporting/kpi/{calls_kpi().pk}/change/",
        "/admin/salesmgmt/holiday/",
        "/admin/salesmgmt/holiday/add/",
        "/admin/reporting/deviationepisode/",
        f"/admin/reporting/deviationepisode/{alerts['rep'].pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    # Episodes are the job's: nobody adds or deletes them by hand.
    assert client.get("/admin/reporting/deviationepisode/add/").status_code == 403


def test_a_weekly_kpi_over_a_month_reads_per_week_on_the_page_and_in_the_csv(
    cast, team, week_of_calls, client_for
):
    """Rita's March: 130 + 500 calls over 21 working days (4.2 weeks) is 150 a week, shown
    against the weekly 120, never the month's 630 against a target scaled to the month."""
    march = {"period": "custom", "start": "2025-03-01", "end": "2025-03-31"}
    response = client_for(cast["manager"]).get("/kpis/", march)
    row = next(r for r in response.context["rows"] if r["kpi"] == calls_kpi())
    assert row["target"] == "120 per week"
    assert row["per"] == "per week, on average over 4.2 weeks"
    rita = next(c for c in row["cells"] if c.subject.key == f"rep:{cast['rep'].pk}")
    assert rita.text == "150" and "per week, on average over 4.2 weeks" in rita.title
    html = response.content.decode()
    assert "120 per week" in html and "630" not in html

    rows = body_csv(client_for(cast["manager"]).get("/kpis/", march | {"export": "csv"}))
    rita_csv = next(r for r in rows if r[4] == str(cast["rep"]) and r[0] == calls_kpi().name)
    assert (rita_csv[5], rita_csv[6], rita_csv[-1]) == (
        "150.00",
        "120.00",
        "per week, on average over 4.2 weeks",
    )
