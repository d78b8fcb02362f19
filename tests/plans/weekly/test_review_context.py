"""The review of a plan: the rep's last week (plan vs actual) and goal pace beside the
plan, and on a resubmitted plan what changed since it was returned; the same through
the API's `changes_since_return`; who may see it (every role of the cast); and constant
query counts.

"Today" is pinned to Wednesday 18 November 2026, under way, so not due yet: two of the
week of 16 November's five working days are over (progress 0.4); the plan under review
is for the week of 23 November; 12 of November's 20 working days (Thanksgiving off) are
over.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.models import Goal, GoalPeriod, GoalScope, PlanEvent, PlanStatus
from plans.weekly import services
from salesmgmt.models import CompanySettings, Holiday
from tests.cast import ROLES
from tests.factories import ActivityFactory, PlanTargetFactory, WeeklyPlanFactory

TODAY = date(2026, 11, 18)
LAST_WEEK = date(2026, 11, 16)
NEXT_WEEK = date(2026, 11, 23)
SEES_RITAS_PLAN = {"rep", "manager", "director", "admin"}


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


@pytest.fixture
def meetings(db):
    return Metric.objects.get(key="meetings")


def plan_for(rep, week, status, **planned):
    plan = WeeklyPlanFactory(rep=rep, week_start=week, status=status, key_accounts="Acme, Borealis")
    for key, value in planned.items():
        PlanTargetFactory(plan=plan, metric=Metric.objects.get(key=key), planned=Decimal(value))
    return plan


def goal(rep, metric, period, start, end, target, by):
    return Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=metric,
        period=period,
        start=start,
        end=end,
        target=Decimal(target),
        created_by=by,
    )


@pytest.fixture
def last_week(rep, teammate, calls, meetings):
    """Rita planned 50 calls and 4 meetings for the week of 16 Nov and, by Wednesday,
    logged 35 calls and 1 meeting (Tom's calls and her calls outside the week don't count)."""
    plan = plan_for(rep, LAST_WEEK, PlanStatus.APPROVED, calls=50, meetings=4)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 16), quantity=20)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 17), quantity=15)
    ActivityFactory(rep=rep, metric=meetings, day=date(2026, 11, 18), quantity=1)
    ActivityFactory(rep=rep, metric=calls, day=date(2026, 11, 2), quantity=70)
    ActivityFactory(rep=teammate, metric=calls, day=date(2026, 11, 16), quantity=40)
    return plan


@pytest.fixture
def goals(rep, teammate, admin, calls):
    """Rita's November calls goal (200) and her fiscal-year calls goal (5,000); an October
    goal of hers and Tom's November goal must not show."""
    return {
        "month": goal(
            rep, calls, GoalPeriod.MONTH, date(2026, 11, 1), date(2026, 11, 30), 200, admin
        ),
        "year": goal(
            rep, calls, GoalPeriod.YEAR, date(2026, 11, 1), date(2027, 10, 31), 5000, admin
        ),
        "october": goal(
            rep, calls, GoalPeriod.MONTH, date(2026, 10, 1), date(2026, 10, 31), 200, admin
        ),
        "toms": goal(
            teammate, calls, GoalPeriod.MONTH, date(2026, 11, 1), date(2026, 11, 30), 200, admin
        ),
    }


@pytest.fixture
def submitted(rep, calls):
    """Rita's plan for next week, submitted and never returned."""
    return plan_for(rep, NEXT_WEEK, PlanStatus.SUBMITTED, calls=159, meetings=5)


RETURN_COMMENT = "159 calls is more than you ever made; be realistic and add Cobalt."


@pytest.fixture
def resubmitted(submitted, rep, manager, calls, meetings):
    """Returned by Maria, then Rita lowered calls 159 -> 139, added Cobalt Mining as a key
    account, rewrote her risks and resubmitted; meetings stayed at 5."""
    plan = services.return_plan(
        plan=submitted, by=manager, comment=RETURN_COMMENT, version=submitted.version
    )
    plan = services.update_plan(
        plan=plan,
        by=rep,
        version=plan.version,
        content={"key_accounts": "Acme, Borealis\nCobalt Mining", "risks": "Half day off"},
        targets={calls.pk: Decimal("139"), meetings.pk: Decimal("5")},
    )
    return services.submit_plan(plan=plan, by=rep, version=plan.version)


def text(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def section(response, start: str, end: str) -> str:
    html = response.content.decode()
    return html[html.index(start) : html.index(end, html.index(start))]


def detail(client, plan):
    return client.get(reverse("plans:detail", args=[plan.pk]))


# --- Last week's plan vs actual and goal pace -----------------------------------------------


def test_review_shows_last_weeks_plan_vs_actual(client_for, manager, submitted, last_week, goals):
    """Last week's targets against what Rita logged by today, pro-rated as on My week."""
    page = detail(client_for(manager), submitted)

    review = page.context["review"]
    assert review.last_week == LAST_WEEK and review.last_progress == Decimal("0.4")
    assert [
        (r.metric.key, r.planned, r.actual, r.expected, r.attainment, r.pace)
        for r in review.last_rows
    ] == [
        ("calls", Decimal("50"), Decimal("35"), Decimal("20.0"), Decimal("70.0"), "good"),
        ("meetings", Decimal("4"), Decimal("1"), Decimal("1.6"), Decimal("25.0"), "low"),
    ]
    html = section(page, 'id="last-week"', 'id="goal-pace"')
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', html) == ["50", "35", "4", "1"]
    assert re.findall(r'<td class="num muted"[^>]*>([^<]*)</td>', html) == ["20", "2"]
    assert ">70.0%</span>" in html and ">25.0%</span>" in html


def test_review_shows_goal_pace_with_too_early_to_tell(
    client_for, manager, submitted, last_week, goals
):
    """November: 105 calls against 120 expected (200 x 12/20), 87.5% of pace: behind.
    The fiscal year is 12 of 259 working days in, too young to call 105 of 231.66 behind."""
    page = detail(client_for(manager), submitted)

    rows = [(p.goal.pk, p.actual, p.expected, p.status) for p in page.context["review"].goals]
    assert rows == [
        (goals["month"].pk, Decimal("105.00"), Decimal("120.00"), "amber"),
        (goals["year"].pk, Decimal("105.00"), Decimal("231.66"), "early"),
    ]
    html = section(page, 'id="goal-pace"', "</article>")
    assert re.findall(r'<span class="actual">([^<]*)</span>', html) == ["105", "105"]
    assert re.findall(r'<small class="muted expected">([^<]*)</small>', html) == ["120", "231.7"]
    assert '<span class="goal-status status-amber">Behind</span>' in html
    assert '<span class="goal-status status-early">Too early to tell</span>' in html


def test_a_future_weeks_plan_shows_planned_numbers_not_zero_actuals(client_for, manager, submitted):
    page = detail(client_for(manager), submitted)

    html = page.content.decode()
    assert 'id="planned-numbers"' in html and 'id="plan-vs-actual"' not in html
    assert re.findall(
        r'<td class="num">([^<]*)</td>', section(page, 'id="planned-numbers"', "</article>")
    ) == ["159", "5"]
    assert "no plan" in section(page, 'id="last-week"', 'id="goal-pace"')
    assert "No current goals for Rita." in html


def test_this_weeks_plan_keeps_its_own_plan_vs_actual(client_for, manager, last_week, goals):
    """A plan whose week has begun is reviewed against its own actuals, as before."""
    page = detail(client_for(manager), last_week)

    html = page.content.decode()
    assert 'id="plan-vs-actual"' in html and 'id="planned-numbers"' not in html
    assert [(r.metric.key, r.actual) for r in page.context["rows"]] == [
        ("calls", Decimal("35")),
        ("meetings", Decimal("1")),
    ]
    assert page.context["review"].last_week == date(2026, 11, 9)
    assert len(page.context["review"].goals) == 2


def test_the_rep_reads_their_own_plan_without_the_review_context(client_for, rep, submitted):
    page = detail(client_for(rep), submitted)

    assert page.status_code == 200
    assert page.context["review"] is None
    assert 'id="goal-pace"' not in page.content.decode()


# --- Changed since returned ---------------------------------------------------------------


def test_resubmitted_plan_shows_what_changed_since_it_was_returned(
    client_for, manager, resubmitted
):
    page = detail(client_for(manager), resubmitted)

    changes = text(page)
    assert "Changed since returned" in changes
    assert RETURN_COMMENT in changes
    assert "Calls 159 → 139" in changes
    assert "Meetings" not in section(page, 'id="changes-since-return"', "</article>")
    assert "Key account added: Cobalt Mining" in changes
    assert "Key account removed" not in changes
    assert "Risks and blockers rewritten" in changes
    assert "Objectives rewritten" not in changes


def test_the_rep_sees_the_same_changes_on_their_plan(client_for, rep, resubmitted):
    page = detail(client_for(rep), resubmitted)

    assert "Calls 159 → 139" in text(page)
    assert RETURN_COMMENT in text(page)


def test_a_plan_never_returned_shows_no_change_section(client_for, manager, submitted):
    page = detail(client_for(manager), submitted)

    assert page.context["changes"] is None
    assert "Changed since returned" not in page.content.decode()


def test_the_return_keeps_the_plan_as_it_stood(resubmitted):
    event = resubmitted.events.get(kind=PlanEvent.Kind.RETURNED)
    assert event.snapshot == {
        "objectives": resubmitted.objectives,
        "priorities": "",
        "risks": "",
        "key_accounts": "Acme, Borealis",
        "targets": [
            {"metric": "calls", "name": "Calls", "money": False, "planned": "159.00"},
            {"metric": "meetings", "name": "Meetings", "money": False, "planned": "5.00"},
        ],
    }


def test_a_metric_dropped_after_the_return_reads_as_dropped(
    client_for, manager, rep, submitted, calls
):
    plan = services.return_plan(plan=submitted, by=manager, comment="Too many numbers.")
    services.update_plan(
        plan=plan, by=rep, version=plan.version, content={}, targets={calls.pk: Decimal("159")}
    )

    page = detail(client_for(manager), submitted)

    assert "Meetings dropped (was 5)" in text(page)
    assert "Calls" not in section(page, 'id="changes-since-return"', "</article>")


@pytest.mark.parametrize("who", ROLES)
def test_who_opens_the_review_of_ritas_plan(client_for, cast, who, resubmitted, last_week, goals):
    """The review page and its context are seen by those who see Rita's plans; for
    everyone else the plan does not exist."""
    page = detail(client_for(cast[who]), resubmitted)

    if who not in SEES_RITAS_PLAN:
        assert page.status_code == 404
        return
    assert page.status_code == 200
    assert "Calls 159 → 139" in text(page)
    has_context = who != "rep"
    assert ('id="goal-pace"' in page.content.decode()) is has_context
    if has_context:
        assert len(page.context["review"].goals) == 2


# --- The API ----------------------------------------------------------------------------


def test_api_plan_exposes_changes_since_return(api_for, manager, resubmitted):
    body = api_for(manager).get(f"/api/v1/weekly-plans/{resubmitted.pk}/").json()

    changes = body["changes_since_return"]
    assert changes["comment"] == RETURN_COMMENT
    assert changes["returned_by"] == manager.pk
    assert changes["returned_by_name"] == str(manager)
    assert changes["targets"] == [
        {"metric": "calls", "metric_name": "Calls", "old": "159.00", "new": "139.00"}
    ]
    assert changes["key_accounts_added"] == ["Cobalt Mining"]
    assert changes["key_accounts_removed"] == []
    assert changes["fields_changed"] == [{"field": "risks", "old": "", "new": "Half day off"}]


def test_api_plan_never_returned_has_no_changes(api_for, rep, submitted):
    body = api_for(rep).get(f"/api/v1/weekly-plans/{submitted.pk}/").json()
    assert body["changes_since_return"] is None


def test_api_changes_since_return_is_read_only(api_for, rep, manager, submitted):
    plan = services.return_plan(plan=submitted, by=manager, comment="Fewer calls.")
    response = api_for(rep).patch(
        f"/api/v1/weekly-plans/{plan.pk}/",
        {"version": plan.version, "changes_since_return": None, "risks": "Rain"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["changes_since_return"]["fields_changed"] == [
        {"field": "risks", "old": "", "new": "Rain"}
    ]


@pytest.mark.parametrize("who", ROLES)
def test_who_reads_changes_since_return_through_the_api(api_for, cast, who, resubmitted):
    response = api_for(cast[who]).get(f"/api/v1/weekly-plans/{resubmitted.pk}/")

    if who not in SEES_RITAS_PLAN:
        assert response.status_code == 404
        return
    assert response.json()["changes_since_return"]["targets"][0]["new"] == "139.00"


def test_schema_documents_changes_since_return(api_for, rep):
    schema = api_for(rep).get("/api/schema/", {"format": "json"}).json()
    plan = schema["components"]["schemas"]["WeeklyPlan"]["properties"]
    assert plan["changes_since_return"]["readOnly"] is True
    changes = schema["components"]["schemas"]["PlanChanges"]["properties"]
    assert {"comment", "targets", "key_accounts_added", "key_accounts_removed"} <= set(changes)


# --- Query counts ---------------------------------------------------------------------------


@pytest.fixture(params=[1, 12])
def crowd(request, rep, manager, admin, resubmitted, last_week):
    """More of everything the review reads: goals, activity, return-and-resubmit rounds."""
    n = request.param
    metrics = list(Metric.objects.exclude(key__in=["calls", "meetings"])[:n])
    for metric in metrics:
        goal(rep, metric, GoalPeriod.MONTH, date(2026, 11, 1), date(2026, 11, 30), 10, admin)
        ActivityFactory(rep=rep, metric=metric, day=LAST_WEEK, quantity=3)
        PlanTargetFactory(plan=last_week, metric=metric, planned=Decimal(5))
    plan = resubmitted
    for round_ in range(n):
        plan = services.return_plan(plan=plan, by=manager, comment=f"Round {round_}")
        plan = services.submit_plan(plan=plan, by=rep, version=plan.version)
    return len(metrics)


REVIEW_QUERIES = 11


def test_review_page_query_count_does_not_grow(
    client_for, manager, resubmitted, crowd, django_assert_max_num_queries
):
    client = client_for(manager)
    Holiday.days()  # cached, as between any two requests

    with django_assert_max_num_queries(REVIEW_QUERIES):
        page = detail(client, resubmitted)

    assert len(page.context["review"].goals) == crowd
    assert len(page.context["review"].last_rows) == crowd + 2


API_LIST_QUERIES = 5


def test_api_plan_list_query_count_does_not_grow(
    api_for, manager, crowd, django_assert_max_num_queries
):
    api = api_for(manager)
    with django_assert_max_num_queries(API_LIST_QUERIES):
        body = api.get("/api/v1/weekly-plans/").json()
    assert len(body["results"]) == 2
