"""Every page x every role of the cast, for objects that belong to ``rep``
(Rita, team Alpha, North division).

Rules: a rep sees their own; a manager sees their teams'; a director sees their
division's; an admin sees all. Anything outside what one sees is a 404 that
gives nothing away. Only the author writes a plan (others who see it: 403);
only reviewers who see a plan review it (the author: 403).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import PlanStatus, WeeklyPlan
from tests.factories import ActivityFactory, PlanTargetFactory, WeeklyPlanFactory, this_week

SECRET = "Win the Zephyr harbour contract (code 7731)"
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
SEES_RITA = {"rep", "manager", "director", "admin"}


@dataclass(frozen=True)
class Page:
    method: str
    url: Callable[[WeeklyPlan], str]
    plan_status: str = PlanStatus.DRAFT
    data: Callable[[WeeklyPlan], dict] = field(default=lambda plan: {})
    # For writes: did the request change the plan?
    written: Callable[[WeeklyPlan], bool] | None = None


PAGES = {
    "home": Page("get", lambda plan: reverse("home")),
    "plans list": Page("get", lambda plan: reverse("plans:list")),
    "plans team week": Page("get", lambda plan: reverse("plans:team_week")),
    "plan for week": Page("get", lambda plan: reverse("plans:for_week", args=[plan.week_start])),
    "plan detail": Page(
        "get", lambda plan: reverse("plans:detail", args=[plan.pk]), PlanStatus.SUBMITTED
    ),
    "plan edit": Page("get", lambda plan: reverse("plans:edit", args=[plan.pk])),
    "plan submit": Page(
        "post",
        lambda plan: reverse("plans:submit", args=[plan.pk]),
        data=lambda plan: {"version": plan.version},
        written=lambda plan: plan.status == PlanStatus.SUBMITTED,
    ),
    "plan review": Page(
        "post",
        lambda plan: reverse("plans:review", args=[plan.pk]),
        PlanStatus.SUBMITTED,
        data=lambda plan: {"decision": "approved", "comment": "", "version": plan.version},
        written=lambda plan: plan.status == PlanStatus.APPROVED,
    ),
    "plan note": Page(
        "post",
        lambda plan: reverse("plans:note", args=[plan.pk]),
        data=lambda plan: {
            "progress_note": "Halfway there",
            "problems_note": "",
            "version": plan.version,
        },
        written=lambda plan: plan.progress_note == "Halfway there",
    ),
    "activities list": Page("get", lambda plan: reverse("activities:list")),
    "activities log": Page("get", lambda plan: reverse("activities:log")),
    "activities log ?rep=": Page(
        "get", lambda plan: f"{reverse('activities:log')}?rep={plan.rep_id}"
    ),
    "profile": Page("get", lambda plan: reverse("profile")),
    "teams": Page("get", lambda plan: reverse("team_list")),
    "team focus": Page("get", lambda plan: reverse("team_focus", args=[plan.rep.team_id])),
}

# fmt: off
MATRIX = {
    #                        rep  mate  beta south  mgr  o-mgr s-mgr  dir admin
    "home":                 (200, 200,  200, 200,   302, 302,  302,   302, 302),  # managers land on their team week, directors and admins on the company overview
    "plans list":           (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "plans team week":      (404, 404,  404, 404,   200, 200,  200,   200, 200),
    "plan for week":        (302, 200,  200, 200,   302, 302,  302,   302, 302),  # Rita's exists; other reps write theirs
    "plan detail":          (200, 404,  404, 404,   200, 404,  404,   200, 200),
    "plan edit":            (200, 404,  404, 404,   403, 404,  404,   403, 403),
    "plan submit":          (302, 404,  404, 404,   403, 404,  404,   403, 403),
    "plan review":          (403, 404,  404, 404,   302, 404,  404,   302, 302),
    "plan note":            (302, 404,  404, 404,   403, 404,  404,   403, 403),
    "activities list":      (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "activities log":       (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "activities log ?rep=": (200, 200,  200, 200,   200, 404,  404,   200, 200),  # a rep always gets their own log
    "profile":              (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "teams":                (200, 200,  200, 200,   200, 200,  200,   200, 200),
    "team focus":           (404, 404,  404, 404,   200, 404,  404,   200, 200),
}
# fmt: on

CASES = [
    pytest.param(page, role, expected, id=f"{page}-{role}")
    for page, row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


def rita_plan(rep, status) -> WeeklyPlan:
    plan = WeeklyPlanFactory(
        rep=rep,
        week_start=this_week(),
        status=status,
        objectives=SECRET,
        submitted_at=timezone.now() if status != PlanStatus.DRAFT else None,
    )
    PlanTargetFactory(plan=plan, planned=Decimal("50"))
    return plan


def test_matrix_covers_every_page_and_role():
    assert set(MATRIX) == set(PAGES)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_page_answers_role_as_expected(client_for, cast, page, role, expected):
    spec = PAGES[page]
    rep = cast["rep"]
    plan = rita_plan(rep, spec.plan_status)
    ActivityFactory(rep=rep, quantity=Decimal("12"), note=SECRET)

    client = client_for(cast[role])
    response = getattr(client, spec.method)(spec.url(plan), spec.data(plan))

    assert response.status_code == expected
    if expected == 404 or role not in SEES_RITA:
        assert SECRET not in response.content.decode()
        assert "Rita" not in response.content.decode()  # not even her name
    if spec.written is not None:
        plan.refresh_from_db()
        assert spec.written(plan) is (expected == 302)


# --- What the list pages show -------------------------------------------------------


def _plans_list_shows_rita(response, rep):
    return any(p.rep_id == rep.pk for p in response.context["page"])


def _activities_list_shows_rita(response, rep):
    return any(a.rep_id == rep.pk for a in response.context["page"])


def _team_week_shows_rita(response, rep):
    return any(row["rep"].pk == rep.pk for row in response.context["rows"])


def _day_log_shows_rita(response, rep):
    return response.context.get("rep") == rep or rep in response.context.get("page", [])


LISTS = {
    "plans list": ("plans:list", _plans_list_shows_rita, ROLES),
    "activities list": ("activities:list", _activities_list_shows_rita, ROLES),
    "activities log": ("activities:log", _day_log_shows_rita, ROLES),
    "plans team week": (
        "plans:team_week",
        _team_week_shows_rita,
        ("manager", "other_manager", "south_manager", "director", "admin"),
    ),
}


@pytest.mark.parametrize(
    ("page", "role"),
    [
        pytest.param(page, role, id=f"{page}-{role}")
        for page, (_, _, roles) in LISTS.items()
        for role in roles
    ],
)
def test_list_page_shows_ritas_rows_only_to_those_who_see_her(client_for, cast, page, role):
    url_name, shows_rita, _ = LISTS[page]
    rep = cast["rep"]
    rita_plan(rep, PlanStatus.SUBMITTED)
    ActivityFactory(rep=rep, quantity=Decimal("12"), note=SECRET)

    response = client_for(cast[role]).get(reverse(url_name))

    assert response.status_code == 200
    assert shows_rita(response, rep) is (role in SEES_RITA)
