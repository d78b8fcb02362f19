"""Goal pages: who sees and writes what (every role of the cast), the figures shown,
the CSV, the writes with their errors, and constant query counts.

"Today" is pinned to Wednesday 18 November 2026: 12 of November's 20 working days
(Thanksgiving off) are over, today being under way (not due yet).
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Metric
from plans.goals import services as goal_services
from plans.models import Goal, GoalChange, GoalPeriod, GoalScope
from salesmgmt.models import CompanySettings, Holiday
from tests.factories import ActivityFactory, UserFactory

TODAY = date(2026, 11, 18)
ROLES = (
    "rep",
    "teammate",
    "other_team_rep",
    "south_rep",
    "manager",
    "other_manager",
    "south_manager",
    "director",
    "admin",
)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch, db):
    monkeypatch.setattr(CompanySettings, "today", lambda self: TODAY)
    Holiday.objects.create(day=date(2026, 11, 26), name="Thanksgiving")


@pytest.fixture
def calls(db):
    return Metric.objects.get(key="calls")


def make_goal(by, target, metric=None, **owner):
    scope = next(iter(owner), "company")
    return Goal.objects.create(
        scope=scope,
        metric=metric or Metric.objects.get(key="calls"),
        period=GoalPeriod.MONTH,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        target=Decimal(target),
        created_by=by,
        **owner,
    )


@pytest.fixture
def goals(cast, team, north, calls):
    """Rita's goal, team Alpha's, North's and the company's, all on calls in November."""
    admin = cast["admin"]
    ActivityFactory(rep=cast["rep"], metric=calls, day=date(2026, 11, 2), quantity=60)
    ActivityFactory(rep=cast["rep"], metric=calls, day=date(2026, 11, 18), quantity=57)
    return {
        "rita": make_goal(admin, 200, rep=cast["rep"]),
        "alpha": make_goal(admin, 300, team=team),
        "north": make_goal(admin, 500, division=north),
        "company": make_goal(admin, 1000),
    }


# Who sees each goal (else 404) and who may write it (else 403 for those who see it).
SEES = {
    "rita": {"rep", "manager", "director", "admin"},
    "alpha": {"rep", "teammate", "manager", "director", "admin"},
    "north": {"rep", "teammate", "other_team_rep", "manager", "other_manager", "director", "admin"},
    "company": set(ROLES),
}
WRITES = {
    "rita": {"manager", "director", "admin"},
    "alpha": {"manager", "director", "admin"},
    "north": {"director", "admin"},
    "company": {"admin"},
}
SETS_GOALS = {"manager", "other_manager", "south_manager", "director", "admin"}


def expected_status(role, which, *, write):
    if role not in SEES[which]:
        return 404
    if write and role not in WRITES[which]:
        return 403
    return 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["rita", "alpha", "north", "company"])
def test_goal_detail_and_edit_per_role(client_for, cast, goals, role, which):
    client = client_for(cast[role])
    pk = goals[which].pk

    detail = client.get(reverse("goals:detail", args=[pk]))
    edit = client.get(reverse("goals:edit", args=[pk]))

    assert detail.status_code == expected_status(role, which, write=False)
    assert edit.status_code == expected_status(role, which, write=True)
    if detail.status_code == 200:
        change_link = reverse("goals:edit", args=[pk])
        assert (change_link in detail.content.decode()) == (role in WRITES[which])
    else:
        assert "1,000" not in detail.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_goal_delete_per_role(client_for, cast, goals, role):
    goal = goals["rita"]
    response = client_for(cast[role]).post(
        reverse("goals:delete", args=[goal.pk]), {"reason": "Wrong metric", "version": goal.version}
    )
    status = expected_status(role, "rita", write=True)
    if status == 200:
        assert response.status_code == 302
        assert not Goal.objects.filter(pk=goal.pk).exists()
    else:
        assert response.status_code == status
        assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_goal_list_shows_what_each_role_sees(client_for, cast, goals, role):
    page = client_for(cast[role]).get(reverse("goals:list"))
    assert page.status_code == 200
    shown = {p.goal.pk for p, _roll, _w in page.context["rows"]}
    assert shown == {goals[k].pk for k in SEES if role in SEES[k]}
    can_set = reverse("goals:create") in page.content.decode()
    assert can_set == (role in SETS_GOALS)


@pytest.mark.parametrize("role", ROLES)
def test_create_and_team_grid_pages_per_role(client_for, cast, team, role):
    client = client_for(cast[role])
    create = client.get(reverse("goals:create"))
    grid = client.get(reverse("goals:team_set"))
    expected = 200 if role in SETS_GOALS else 403
    assert (create.status_code, grid.status_code) == (expected, expected)


def test_rep_cannot_post_a_goal(client_for, rep, calls):
    response = client_for(rep).post(
        reverse("goals:create"),
        {
            "scope": "rep",
            "rep": rep.pk,
            "metric": "calls",
            "period": "month",
            "day": TODAY,
            "target": "10",
        },
    )
    assert response.status_code == 403
    assert not Goal.objects.exists()


def test_list_shows_pace_attainment_projection_and_rollup(client_for, manager, goals, teammate):
    make_goal(manager, 250, rep=teammate)  # Alpha's reps: 200 + 250 = 450 vs 300

    page = client_for(manager).get(reverse("goals:list"))

    rows = {p.goal.pk: (p, roll) for p, roll, _w in page.context["rows"]}
    rita, _ = rows[goals["rita"].pk]
    assert (rita.actual, rita.expected, rita.attainment, rita.pace, rita.projection) == (
        Decimal("117.00"),
        Decimal("120.00"),
        Decimal("58.5"),
        Decimal("97.5"),
        Decimal("195.00"),
    )
    assert rita.status == "green"
    _, alpha_roll = rows[goals["alpha"].pk]
    assert (alpha_roll.children_total, alpha_roll.gap) == (Decimal("450.00"), Decimal("150.00"))
    html = page.content.decode()
    assert "58.5%" in html and "Over-allocated".lower() in html


def test_list_filters_past_and_upcoming(client_for, manager, rep, calls):
    october = Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=calls,
        period="month",
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        target=5,
        created_by=manager,
    )
    december = Goal.objects.create(
        scope=GoalScope.REP,
        rep=rep,
        metric=calls,
        period="month",
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        target=5,
        created_by=manager,
    )
    client = client_for(manager)

    def shown(query):
        page = client.get(reverse("goals:list") + query)
        return [p.goal.pk for p, _r, _w in page.context["rows"]]

    assert shown("") == []
    assert shown("?when=past") == [october.pk]
    assert shown("?when=upcoming") == [december.pk]
    assert shown("?when=any") == [december.pk, october.pk]


def test_csv_export_has_the_figures_and_is_formula_safe(client_for, admin, goals, rep):
    rep.first_name, rep.last_name = "=cmd", "Rep"
    rep.save()
    response = client_for(admin).get(reverse("goals:list") + "?export=csv&scope=rep")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["scope", "owner", "metric"]
    assert rows[1] == [
        "rep",
        "'=cmd Rep",
        "calls",
        "count",
        "month",
        "2026-11-01",
        "2026-11-30",
        "200.00",
        "",
        "117.00",
        "120.00",
        "58.5",
        "97.5",
        "195.00",
        "green",
        "",
        "",
        "",  # product: every product
        "",  # channels: every channel
    ]


@pytest.fixture
def crowd(request, team, manager, calls):
    for n in range(request.param):
        person = UserFactory(team=team)
        make_goal(manager, 10 + n, rep=person)
        ActivityFactory(rep=person, metric=calls, day=date(2026, 11, 3), quantity=3)
    make_goal(manager, 100, team=team)
    return request.param


# 17: the filter form lists products and channels too (one query each, whatever the data).
GOAL_LIST_QUERIES = 17


@pytest.mark.parametrize("crowd", [5, 50], indirect=True)
def test_goal_list_query_count_does_not_grow_with_reps(
    client_for, manager, crowd, django_assert_max_num_queries
):
    client = client_for(manager)
    with django_assert_max_num_queries(GOAL_LIST_QUERIES):
        page = client.get(reverse("goals:list"))
    assert len(page.context["rows"]) == min(crowd + 1, 50)


def test_detail_shows_chart_history_and_children(client_for, manager, goals, teammate):
    make_goal(manager, 250, rep=teammate)
    page = client_for(manager).get(reverse("goals:detail", args=[goals["alpha"].pk]))
    assert page.status_code == 200
    assert [p.goal.rep.username for p in page.context["children"]] == ["rep", "teammate"]
    assert page.context["rollup"].gap == Decimal("150.00")
    chart = page.context["chart"]
    assert chart["data"]["datasets"][0]["data"][:4] == [0.0, 60.0, 60.0, 117.0]
    assert 'data-chart="goal-progress"' in page.content.decode()


def test_detail_of_a_reps_sales_goal_shows_the_reverse_funnel(client_for, rep, manager):
    sales = Metric.objects.get(key="sales-closed")
    held = Metric.objects.get(key="appointments-held")
    ActivityFactory(rep=rep, metric=held, day=date(2026, 10, 5), quantity=30)
    ActivityFactory(rep=rep, metric=sales, day=date(2026, 10, 5), quantity=9)
    goal = make_goal(manager, 12, metric=sales, rep=rep)

    page = client_for(rep).get(reverse("goals:detail", args=[goal.pk]))

    funnel = page.context["funnel"]
    assert [(s.metric.key, s.needed) for s in funnel.steps][-2:] == [
        ("appointments-held", 40),
        ("sales-closed", 12),
    ]
    assert "What it takes" in page.content.decode()


def test_create_sets_the_goal_for_the_whole_period(client_for, manager, rep):
    response = client_for(manager).post(
        reverse("goals:create"),
        {
            "scope": "rep",
            "rep": rep.pk,
            "metric": "calls",
            "period": "quarter",
            "day": "2026-11-18",
            "target": "600",
            "stretch_target": "700",
            "note": "",
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("goals:detail", args=[goal.pk])
    assert (goal.start, goal.end, goal.stretch_target) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        Decimal("700"),
    )


def test_create_shows_errors_next_to_the_fields(client_for, manager, rep, other_team_rep):
    client = client_for(manager)
    page = client.post(
        reverse("goals:create"),
        {
            "scope": "rep",
            "rep": other_team_rep.pk,
            "metric": "calls",
            "period": "month",
            "day": "2026-11-18",
            "target": "10",
            "stretch_target": "5",
        },
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "rep" in errors  # another manager's rep is not a choice
    assert errors["stretch_target"] == ["A stretch target is above the target."]

    make_goal(manager, 10, rep=rep)
    page = client.post(
        reverse("goals:create"),
        {
            "scope": "rep",
            "rep": rep.pk,
            "metric": "calls",
            "period": "month",
            "day": "2026-11-18",
            "target": "10",
        },
    )
    assert page.context["form"].non_field_errors() == [
        "Rita Rep already has a Calls goal for November 2026; change that goal instead."
    ]


def test_edit_needs_a_reason_and_refuses_a_stale_version(client_for, manager, goals):
    goal = goals["rita"]
    url = reverse("goals:edit", args=[goal.pk])
    client = client_for(manager)

    page = client.post(url, {"target": "150", "reason": "", "version": 1})
    assert "reason" in page.context["form"].errors

    assert client.post(url, {"target": "150", "reason": "Leave", "version": 1}).status_code == 302
    page = client.post(url, {"target": "140", "reason": "Again", "version": 1})
    assert "changed by somebody else" in page.context["form"].non_field_errors()[0]
    goal.refresh_from_db()
    assert (goal.target, goal.version) == (Decimal("150"), 2)
    assert goal.changes.first().reason == "Leave"


def test_delete_needs_a_reason(client_for, manager, goals):
    goal = goals["rita"]
    response = client_for(manager).post(reverse("goals:delete", args=[goal.pk]), {"reason": ""})
    assert response.status_code == 302
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_team_grid_sets_each_reps_goal(client_for, manager, team, rep, teammate, goals):
    url = reverse("goals:team_set") + f"?team={team.pk}&metric=calls&period=month&day=2026-11-18"
    client = client_for(manager)
    page = client.get(url)
    assert [r.username for r, _f, _g in page.context["grid"].rows()] == ["rep", "teammate"]
    assert page.context["allocated"].children_total == Decimal("200.00")

    response = client.post(
        url, {f"rep_{rep.pk}": "220", f"rep_{teammate.pk}": "90", "reason": "Rebalanced"}
    )

    assert response.status_code == 302
    assert dict(Goal.objects.filter(scope="rep").values_list("rep__username", "target")) == {
        "rep": Decimal("220"),
        "teammate": Decimal("90"),
    }
    assert GoalChange.objects.filter(action="changed", reason="Rebalanced").count() == 1


def test_team_grid_offers_only_the_managers_teams(client_for, other_manager, team, rep):
    url = reverse("goals:team_set") + f"?team={team.pk}&metric=calls&period=month&day=2026-11-18"
    page = client_for(other_manager).get(url)
    assert page.status_code == 200
    assert "team" in page.context["pick"].errors
    assert "grid" not in page.context


# + 1: the goal's change history (salesmgmt.audit), whatever the team's size.
GOAL_DETAIL_QUERIES = 17
TEAM_GRID_QUERIES = 18


@pytest.mark.parametrize("crowd", [5, 50], indirect=True)
def test_team_goal_detail_query_count_does_not_grow_with_reps(
    client_for, manager, team, crowd, django_assert_max_num_queries
):
    team_goal = Goal.objects.get(scope="team", team=team)
    client = client_for(manager)
    with django_assert_max_num_queries(GOAL_DETAIL_QUERIES):
        page = client.get(reverse("goals:detail", args=[team_goal.pk]))
    assert len(page.context["children"]) == crowd
    assert page.context["rollup"].children_count == crowd


@pytest.mark.parametrize("crowd", [5, 50], indirect=True)
def test_team_grid_query_count_does_not_grow_with_reps(
    client_for, manager, team, crowd, django_assert_max_num_queries
):
    url = reverse("goals:team_set") + f"?team={team.pk}&metric=calls&period=month&day=2026-11-18"
    client = client_for(manager)
    with django_assert_max_num_queries(TEAM_GRID_QUERIES):
        page = client.get(url)
    assert len(page.context["grid"].rows()) == crowd


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_create_with_an_absurd_day_is_a_form_error_not_a_crash(client_for, manager, rep, day):
    """Year 9999 used to overflow the week arithmetic (500); year 1 set a goal for 0001."""
    page = client_for(manager).post(
        reverse("goals:create"),
        {
            "scope": "rep",
            "rep": rep.pk,
            "metric": "calls",
            "period": "week",
            "day": day,
            "target": "10",
        },
    )
    assert page.status_code == 200
    assert "day" in page.context["form"].errors
    assert not Goal.objects.exists()


def test_team_grid_with_an_absurd_day_is_a_form_error(client_for, manager, team):
    url = reverse("goals:team_set") + f"?team={team.pk}&metric=calls&period=week&day=9999-12-31"
    page = client_for(manager).get(url)
    assert page.status_code == 200
    assert "day" in page.context["pick"].errors
    assert "grid" not in page.context


def test_team_grid_does_not_overwrite_a_change_made_while_it_was_open(
    client_for, manager, director, team, rep, teammate, goals
):
    """The grid sends back the versions it showed: a goal changed meanwhile (by the
    director here) is not silently set back to the stale figure the grid still shows."""

    url = reverse("goals:team_set") + f"?team={team.pk}&metric=calls&period=month&day=2026-11-18"
    client = client_for(manager)
    grid = client.get(url).context["grid"]
    shown = {name: grid[name].value() for name in grid.fields}
    rita = goals["rita"]
    goal_services.change_goal(
        goal=rita,
        by=director,
        target=Decimal("260"),
        stretch_target=None,
        reason="Big account landed",
        version=rita.version,
    )

    data = {k: v for k, v in shown.items() if v is not None}
    data |= {f"rep_{teammate.pk}": "90", "reason": "Rebalanced"}
    page = client.post(url, data)

    assert page.status_code == 200
    assert "after you opened this grid" in " ".join(page.context["grid"].non_field_errors())
    rita.refresh_from_db()
    assert rita.target == Decimal("260")
    assert not Goal.objects.filter(rep=teammate).exists()  # nothing half-done
