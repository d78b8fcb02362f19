"""Weekly plan pages: writing, the read-only and conflict rules, reviewing,
plan vs actual, the team week and the plan list.

One file because every page test uses the same team focus (`calls`, `meetings`,
`focus`) and plan helpers (`make_plan`, `flash`); splitting it would copy them.
"""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import Metric
from coaching.models import CoachingSettings
from plans.models import PlanEvent, PlanStatus, WeeklyPlan
from salesmgmt.models import CompanySettings, Holiday
from tests.factories import (
    ActivityFactory,
    PlanTargetFactory,
    UserFactory,
    WeeklyPlanFactory,
    this_week,
)

CONTENT = {
    "objectives": "Reopen dormant accounts",
    "priorities": "Harbour district first",
    "risks": "Two reps on leave",
    "key_accounts": "Acme, Borealis",
}


def flash(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


@pytest.fixture
def meetings(db):
    return Metric.objects.get(key="meetings")


@pytest.fixture
def focus(team, calls, meetings):
    """Alpha plans calls and meetings."""
    team.focus_metrics.set([calls, meetings])


def make_plan(rep, status=PlanStatus.DRAFT, *, week=None, calls_planned=50, **fields):
    plan = WeeklyPlanFactory(
        rep=rep,
        week_start=week or this_week(),
        status=status,
        submitted_at=timezone.now() if status != PlanStatus.DRAFT else None,
        **fields,
    )
    if calls_planned is not None:
        PlanTargetFactory(plan=plan, planned=Decimal(calls_planned))
    return plan


def form_data(plan_or_version, **overrides) -> dict:
    version = getattr(plan_or_version, "version", plan_or_version)
    return {
        **CONTENT,
        "target_calls": "50",
        "target_meetings": "4",
        "version": str(version),
        "then": "save",
        **overrides,
    }


# --- Writing a plan ---------------------------------------------------------------


@pytest.mark.parametrize(
    "who, lands_on",
    [
        ("rep", None),  # My week, in place
        ("manager", "plans:team_week"),
        ("director", "company:dashboard"),  # their division's overview
        ("admin", "company:dashboard"),  # the company's
    ],
)
def test_each_role_lands_where_its_day_starts(client_for, cast, who, lands_on):
    response = client_for(cast[who]).get(reverse("home"))
    if lands_on is None:
        assert response.status_code == 200
        assert response.templates[0].name == "plans/weekly/my_week.html"
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse(lands_on)
        landing = client_for(cast[who]).get(response["Location"])
        assert landing.status_code == 200
    if who == "director":
        assert landing.context["data"].scope.division == cast["director"].division


def test_new_plan_form_is_prefilled_from_the_previous_weeks_plan(client_for, rep, focus, meetings):
    previous = make_plan(rep, week=this_week() - timedelta(weeks=1), calls_planned=40, **CONTENT)
    PlanTargetFactory(plan=previous, metric=meetings, planned=Decimal("3"))

    page = client_for(rep).get(reverse("plans:for_week", args=[this_week()]))

    form = page.context["form"]
    assert page.status_code == 200
    assert page.context["prefilled"] is True
    assert {name: form[name].value() for name in CONTENT} == CONTENT
    assert form["target_calls"].value() == Decimal("40")
    assert form["target_meetings"].value() == Decimal("3")
    assert "Started from your previous plan" in page.content.decode()
    assert WeeklyPlan.objects.filter(rep=rep).count() == 1


def test_first_plan_form_starts_empty(client_for, rep, focus):
    page = client_for(rep).get(reverse("plans:for_week", args=[this_week()]))

    form = page.context["form"]
    assert page.context["prefilled"] is False
    values = [form[name].value() for name in [*CONTENT, "target_calls", "target_meetings"]]
    assert values == [None] * 6


@pytest.mark.parametrize("method", ["get", "post"])
def test_rep_cannot_open_a_plan_five_weeks_ahead(client_for, rep, focus, method):
    company = CompanySettings.load()
    week = this_week() + timedelta(weeks=5)
    latest = this_week() + timedelta(weeks=company.plan_weeks_ahead)

    response = getattr(client_for(rep), method)(
        reverse("plans:for_week", args=[week]), form_data(1)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:list")
    assert flash(response) == [
        (
            "error",
            f"Plans can be written at most 4 weeks ahead (up to the week of {date_format(latest, 'DATE_MEDIUM')}).",
        )
    ]
    assert WeeklyPlan.objects.count() == 0


def test_rep_writes_a_plan_four_weeks_ahead(client_for, rep, focus):
    week = this_week() + timedelta(weeks=4)

    response = client_for(rep).post(reverse("plans:for_week", args=[week]), form_data(1))

    plan = WeeklyPlan.objects.get(rep=rep)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert (plan.week_start, plan.status, plan.objectives) == (week, "draft", CONTENT["objectives"])
    assert {t.metric.key: t.planned for t in plan.targets.all()} == {
        "calls": Decimal("50"),
        "meetings": Decimal("4"),
    }


@pytest.mark.parametrize("status", [PlanStatus.SUBMITTED, PlanStatus.APPROVED])
def test_submitted_or_approved_plan_is_read_only_on_the_edit_page(client_for, rep, focus, status):
    plan = make_plan(rep, status, objectives="Original objective")
    client = client_for(rep)

    page = client.get(reverse("plans:edit", args=[plan.pk]))
    post = client.post(
        reverse("plans:edit", args=[plan.pk]),
        form_data(plan, objectives="Sneaky change", target_calls="99"),
    )

    detail = reverse("plans:detail", args=[plan.pk])
    assert (page.status_code, page["Location"]) == (302, detail)
    assert flash(page) == [
        ("info", "This plan is read-only while it is submitted or approved."),
    ]
    assert (post.status_code, post["Location"]) == (302, detail)
    fresh = WeeklyPlan.objects.get(pk=plan.pk)
    assert (fresh.objectives, fresh.version, fresh.status) == ("Original objective", 1, status)
    assert [t.planned for t in fresh.targets.all()] == [Decimal("50")]


def test_save_from_a_stale_tab_is_refused_and_the_first_save_kept(client_for, rep, focus):
    plan = make_plan(rep)
    client = client_for(rep)
    url = reverse("plans:edit", args=[plan.pk])
    tab_1 = client.get(url).context["form"]["version"].value()
    tab_2 = client.get(url).context["form"]["version"].value()

    first = client.post(url, form_data(tab_1, objectives="Saved from tab 1", target_calls="60"))
    second = client.post(url, form_data(tab_2, objectives="Saved from tab 2", target_calls="70"))

    assert tab_1 == tab_2 == 1
    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].non_field_errors() == [
        "This plan was changed elsewhere (another tab or device) after you opened it. "
        "Your changes were not saved; reload to see the latest version."
    ]
    assert "changed elsewhere" in second.content.decode()
    plan.refresh_from_db()
    assert (plan.objectives, plan.version) == ("Saved from tab 1", 2)
    assert {t.metric.key: t.planned for t in plan.targets.all()} == {
        "calls": Decimal("60"),
        "meetings": Decimal("4"),
    }


def test_manager_cannot_open_or_post_the_edit_page_of_a_reps_plan(client_for, rep, manager, focus):
    plan = make_plan(rep, objectives="Rita's own words")
    client = client_for(manager)

    page = client.get(reverse("plans:edit", args=[plan.pk]))
    post = client.post(reverse("plans:edit", args=[plan.pk]), form_data(plan, objectives="Hm"))
    detail = client.get(reverse("plans:detail", args=[plan.pk]))

    assert page.status_code == 403
    assert 'name="objectives"' not in page.content.decode()
    assert post.status_code == 403
    plan.refresh_from_db()
    assert (plan.objectives, plan.version) == ("Rita's own words", 1)
    assert detail.status_code == 200
    assert detail.context["is_author"] is False
    assert detail.context["note_form"] is None
    assert reverse("plans:edit", args=[plan.pk]) not in detail.content.decode()
    assert reverse("plans:submit", args=[plan.pk]) not in detail.content.decode()
    assert 'name="objectives"' not in detail.content.decode()


# --- Reviewing --------------------------------------------------------------------


def test_returning_a_plan_without_a_comment_is_refused(client_for, rep, manager, focus):
    plan = make_plan(rep, PlanStatus.SUBMITTED)

    response = client_for(manager).post(
        reverse("plans:review", args=[plan.pk]),
        {"decision": "returned", "comment": "  ", "version": plan.version},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert flash(response) == [("error", "Say what should change when returning a plan.")]
    plan.refresh_from_db()
    assert (plan.status, plan.version, plan.reviewed_by) == (PlanStatus.SUBMITTED, 1, None)
    assert not PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.RETURNED).exists()


def test_htmx_approve_from_team_week_returns_the_row_with_approved_badge(
    client_for, rep, manager, focus
):
    plan = make_plan(rep, PlanStatus.SUBMITTED)
    client = client_for(manager)
    week_page = client.get(reverse("plans:team_week"))
    assert reverse("plans:review", args=[plan.pk]) in week_page.content.decode()

    response = client.post(
        reverse("plans:review", args=[plan.pk]),
        {"decision": "approved", "comment": "", "version": plan.version},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "plans/weekly/_team_week_row.html"
    assert html.lstrip().startswith(f'<tr id="rep-{rep.pk}">')
    assert "<html" not in html
    assert '<span class="badge badge-approved">Approved</span>' in html
    assert "hx-post" not in html
    plan.refresh_from_db()
    assert (plan.status, plan.reviewed_by, plan.version) == (PlanStatus.APPROVED, manager, 2)


def test_htmx_approve_of_a_stale_row_shows_the_conflict_in_the_row(client_for, rep, manager, focus):
    plan = make_plan(rep, PlanStatus.SUBMITTED)
    rendered_version = plan.version
    # Meanwhile the rep saves an end-of-week note, which raises the version.
    client_for(rep).post(
        reverse("plans:note", args=[plan.pk]),
        {"progress_note": "Going well", "problems_note": "", "version": plan.version},
    )

    response = client_for(manager).post(
        reverse("plans:review", args=[plan.pk]),
        {"decision": "approved", "comment": "", "version": rendered_version},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.context["error"] == (
        "This plan was changed elsewhere (another tab or device) after you opened it. "
        "Your changes were not saved; reload to see the latest version."
    )
    assert '<span class="badge badge-submitted">Submitted</span>' in response.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.version, plan.progress_note) == (
        PlanStatus.SUBMITTED,
        2,
        "Going well",
    )


# --- Plan vs actual and the end-of-week note ---------------------------------------


def test_plan_detail_shows_plan_vs_actual_exactly(client_for, rep, teammate, focus, calls):
    plan = make_plan(rep, PlanStatus.APPROVED, calls_planned=50)
    week = plan.week_start
    ActivityFactory(rep=rep, metric=calls, day=week, quantity=20)
    ActivityFactory(rep=rep, metric=calls, day=week + timedelta(days=1), quantity=15)
    ActivityFactory(rep=rep, metric=calls, day=week - timedelta(days=1), quantity=99)
    ActivityFactory(rep=rep, metric=calls, day=week + timedelta(days=7), quantity=99)
    ActivityFactory(rep=teammate, metric=calls, day=week, quantity=40)

    page = client_for(rep).get(reverse("plans:detail", args=[plan.pk]))

    assert page.status_code == 200
    assert [(r.metric.key, r.planned, r.actual, r.attainment) for r in page.context["rows"]] == [
        ("calls", Decimal("50"), Decimal("35"), Decimal("70"))
    ]
    html = page.content.decode()
    assert '<td class="num" data-label="Planned">50</td>' in html
    assert '<td class="num" data-label="Actual">35</td>' in html
    assert ">70.0%</span>" in html


def test_rep_saves_the_end_of_week_note(client_for, rep, focus):
    plan = make_plan(rep, PlanStatus.APPROVED)
    client = client_for(rep)
    detail = client.get(reverse("plans:detail", args=[plan.pk]))
    version = detail.context["note_form"]["version"].value()

    response = client.post(
        reverse("plans:note", args=[plan.pk]),
        {
            "progress_note": "Two dormant accounts reopened.",
            "problems_note": "Need pricing help for Acme.",
            "version": version,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert flash(response) == [("success", "End-of-week note saved.")]
    plan.refresh_from_db()
    assert (plan.progress_note, plan.problems_note, plan.status, plan.version) == (
        "Two dormant accounts reopened.",
        "Need pricing help for Acme.",
        PlanStatus.APPROVED,
        2,
    )


# --- Team week ----------------------------------------------------------------------


@pytest.fixture
def alpha_week(rep, teammate, team, focus, calls, meetings):
    """Five reps in Alpha, one per plan status, and a Beta rep who must not appear."""
    week = this_week()
    make_plan(rep, PlanStatus.SUBMITTED, calls_planned=50)
    make_plan(teammate, PlanStatus.APPROVED, calls_planned=None)
    make_plan(UserFactory(first_name="Uma", last_name="Draft", team=team), calls_planned=10)
    make_plan(UserFactory(first_name="Vic", last_name="Returned", team=team), "returned")
    UserFactory(first_name="Wes", last_name="None", team=team)
    ActivityFactory(rep=rep, metric=calls, day=week, quantity=20)
    ActivityFactory(rep=rep, metric=calls, day=week + timedelta(days=1), quantity=15)
    ActivityFactory(rep=teammate, metric=meetings, day=week, quantity=3)
    return week


def test_team_week_counts_plans_per_status_and_fills_the_grid(
    client_for, manager, other_team_rep, alpha_week
):
    make_plan(other_team_rep, PlanStatus.SUBMITTED)

    page = client_for(manager).get(reverse("plans:team_week"))

    assert page.status_code == 200
    assert page.context["week"] == alpha_week
    assert page.context["counts"] == {
        "none": 1,
        "draft": 1,
        "submitted": 1,
        "approved": 1,
        "returned": 1,
    }
    assert [m.key for m in page.context["grid_metrics"]] == ["calls", "meetings"]
    grid = {
        str(row["rep"]): [(m.key, c.planned, c.actual, c.attainment) for m, c in row["cells"]]
        for row in page.context["rows"]
    }
    assert grid == {
        "Rita Rep": [
            ("calls", Decimal("50"), Decimal("35"), Decimal("70")),
            ("meetings", None, Decimal("0"), None),
        ],
        "Tom Teammate": [
            ("calls", None, Decimal("0"), None),
            ("meetings", None, Decimal("3"), None),
        ],
        "Uma Draft": [
            ("calls", Decimal("10"), Decimal("0"), Decimal("0")),
            ("meetings", None, Decimal("0"), None),
        ],
        "Vic Returned": [
            ("calls", Decimal("50"), Decimal("0"), Decimal("0")),
            ("meetings", None, Decimal("0"), None),
        ],
        "Wes None": [
            ("calls", None, Decimal("0"), None),
            ("meetings", None, Decimal("0"), None),
        ],
    }
    html = page.content.decode()
    assert '<span class="figure">1</span>waiting for review' in html
    assert "Otto Beta" not in html


def test_team_week_for_the_previous_week_has_no_plans(client_for, manager, alpha_week):
    page = client_for(manager).get(
        reverse("plans:team_week"), {"week": (alpha_week - timedelta(days=3)).isoformat()}
    )

    assert page.context["week"] == alpha_week - timedelta(weeks=1)
    assert page.context["counts"] == {
        "none": 5,
        "draft": 0,
        "submitted": 0,
        "approved": 0,
        "returned": 0,
    }


# --- Plan list --------------------------------------------------------------------


def test_plan_list_filters_by_status(client_for, manager, alpha_week):
    client = client_for(manager)

    submitted = client.get(reverse("plans:list"), {"status": "submitted"})
    open_ones = client.get(reverse("plans:list"), {"status": ["draft", "returned"]})

    assert [str(p.rep) for p in submitted.context["page"]] == ["Rita Rep"]
    assert sorted(str(p.rep) for p in open_ones.context["page"]) == ["Uma Draft", "Vic Returned"]


def test_plan_list_csv_export_keeps_the_filter(client_for, rep, manager, alpha_week):
    plan = WeeklyPlan.objects.get(rep=rep)
    WeeklyPlan.objects.filter(pk=plan.pk).update(objectives="=cmd|' /C calc'!A0")

    response = client_for(manager).get(
        reverse("plans:list"), {"status": "submitted", "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="weekly-plans.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["week_start", "rep", "team", "status", "submitted_at", "reviewed_by", "objectives"],
        [
            alpha_week.isoformat(),
            "Rita Rep",
            "Alpha",
            "submitted",
            f"{plan.submitted_at:%Y-%m-%d %H:%M}",  # the viewer's timezone is UTC
            "",
            "'=cmd|' /C calc'!A0",
        ],
    ]


def test_rep_plan_list_and_export_show_only_their_own_plans(client_for, rep, alpha_week):
    client = client_for(rep)

    page = client.get(reverse("plans:list"))
    export = client.get(reverse("plans:list"), {"export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [str(p.rep) for p in page.context["page"]] == ["Rita Rep"]
    assert [r[1] for r in rows[1:]] == ["Rita Rep"]


# --- Query counts -----------------------------------------------------------------

# Measured with 5 reps; 50 reps must not need a single query more. 11 of the page's own
# and 2 of the coaching panel (the team's sessions in the next 7 days, the reps not coached).
TEAM_WEEK_QUERIES = 13
PLAN_LIST_QUERIES = 7


@pytest.fixture
def crowd(request, team, focus, calls):
    """``request.param`` reps in Alpha, each with a submitted plan, a target and activity."""
    week = this_week()
    for n in range(request.param):
        rep = UserFactory(team=team)
        make_plan(rep, PlanStatus.SUBMITTED, calls_planned=10 + n)
        ActivityFactory(rep=rep, metric=calls, day=week, quantity=n)
    return request.param


@pytest.mark.parametrize("crowd", [5, 50], indirect=True)
def test_team_week_query_count_does_not_grow_with_reps(
    client_for, manager, crowd, django_assert_max_num_queries
):
    client = client_for(manager)
    Holiday.days()  # cached, as between any two requests
    CoachingSettings.load()

    with django_assert_max_num_queries(TEAM_WEEK_QUERIES):
        page = client.get(reverse("plans:team_week"))

    assert len(page.context["rows"]) == crowd
    assert page.context["counts"]["submitted"] == crowd


@pytest.mark.parametrize("crowd", [5, 50], indirect=True)
def test_plan_list_query_count_does_not_grow_with_reps(
    client_for, manager, crowd, django_assert_max_num_queries
):
    client = client_for(manager)

    with django_assert_max_num_queries(PLAN_LIST_QUERIES):
        page = client.get(reverse("plans:list"))

    assert len(page.context["page"]) == crowd
