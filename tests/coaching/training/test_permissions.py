"""Every training endpoint (pages and API) x every role of the cast.

The world: a module, Rita's (rep) open assignment and her completed, unconfirmed one.
Rules: everyone reads the catalogue; managers, directors and admins write it (reps: 404
on pages, 403 on the API). Assignments are seen by the rep, their manager, director
and admin (others: 404); only the rep completes (others who see it: 403); only those who
manage her confirm or reopen (Rita: 403). The matrix and the assign form are for teams
one manages (others: 404).
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from coaching.models import TrainingAssignment, TrainingModule
from tests.cast import REP_ROWS_SEEN, ROLES
from tests.coaching.training.conftest import days, make_assignment, make_module

WRITERS = {"manager", "other_manager", "south_manager", "director", "admin"}
SEES_RITA = {who for who, seen in REP_ROWS_SEEN.items() if "rep" in seen}
MANAGES_RITA = SEES_RITA - {"rep"}
MANAGES_ALPHA = {"manager", "director", "admin"}


@pytest.fixture
def world(cast, team, other_team, south_team):
    module = make_module("Product knowledge", recurrence_months=3)
    other = make_module("Closing")
    return {
        "module": module,
        "other": other,
        "open": make_assignment(module, cast["rep"], due=days(5)),
        "done": make_assignment(other, cast["rep"], due=days(-5), done=True),
        "team": team,
    }


@dataclass(frozen=True)
class Call:
    method: str
    url: object  # world -> url
    data: object = None  # world -> data
    expect: object = None  # role -> status
    fmt: str = "json"


def by_role(allowed: set, ok: int, otherwise: int, *, forbidden: set = frozenset(), no: int = 403):
    def expect(role):
        if role in allowed:
            return ok
        return no if role in forbidden else otherwise

    return expect


def module_data(w):
    return {
        "title": "Negotiation",
        "material_text": "How to negotiate",
        "duration_minutes": 30,
        "onboarding_due_days": 30,
        "active": "on",
    }


def assign_data(w):
    return {"team": w["team"].pk, "module": w["module"].pk, "due": days(20).isoformat()}


PAGES = {
    "modules": Call("get", lambda w: reverse("training:modules"), expect=lambda r: 200),
    "module": Call(
        "get", lambda w: reverse("training:module", args=[w["module"].pk]), expect=lambda r: 200
    ),
    "module create form": Call(
        "get", lambda w: reverse("training:module_create"), expect=by_role(WRITERS, 200, 404)
    ),
    "module create": Call(
        "post",
        lambda w: reverse("training:module_create"),
        module_data,
        by_role(WRITERS, 302, 404),
    ),
    "module edit form": Call(
        "get",
        lambda w: reverse("training:module_edit", args=[w["module"].pk]),
        expect=by_role(WRITERS, 200, 404),
    ),
    "module edit": Call(
        "post",
        lambda w: reverse("training:module_edit", args=[w["module"].pk]),
        module_data,
        by_role(WRITERS, 302, 404),
    ),
    "mine": Call("get", lambda w: reverse("training:mine"), expect=lambda r: 200),
    "mine ?rep=": Call(
        "get",
        lambda w: reverse("training:mine") + f"?rep={w['open'].rep_id}",
        expect=by_role(SEES_RITA, 200, 404),
    ),
    "matrix": Call("get", lambda w: reverse("training:matrix"), expect=by_role(WRITERS, 200, 404)),
    "matrix ?team=Alpha": Call(
        "get",
        lambda w: reverse("training:matrix") + f"?team={w['team'].pk}",
        expect=by_role(MANAGES_ALPHA, 200, 404),
    ),
    "matrix csv": Call(
        "get",
        lambda w: reverse("training:matrix_csv") + f"?team={w['team'].pk}",
        expect=by_role(MANAGES_ALPHA, 200, 404),
    ),
    "assign form": Call(
        "get", lambda w: reverse("training:assign"), expect=by_role(WRITERS, 200, 404)
    ),
    "assign to Alpha": Call(
        "post", lambda w: reverse("training:assign"), assign_data, by_role(MANAGES_ALPHA, 302, 404)
    ),
    "assignment": Call(
        "get",
        lambda w: reverse("training:assignment", args=[w["open"].pk]),
        expect=by_role(SEES_RITA, 200, 404),
    ),
    "complete": Call(
        "post",
        lambda w: reverse("training:complete", args=[w["open"].pk]),
        lambda w: {"version": 1, "score": 80},
        by_role({"rep"}, 302, 404, forbidden=MANAGES_RITA),
    ),
    "confirm": Call(
        "post",
        lambda w: reverse("training:confirm", args=[w["done"].pk]),
        lambda w: {"version": 1},
        by_role(MANAGES_RITA, 302, 404, forbidden={"rep"}),
    ),
    "reopen": Call(
        "post",
        lambda w: reverse("training:reopen", args=[w["done"].pk]),
        lambda w: {"version": 1},
        by_role(MANAGES_RITA, 302, 404, forbidden={"rep"}),
    ),
}

API = "/api/v1/"
APIS = {
    "list modules": Call("get", lambda w: f"{API}training-modules/", expect=lambda r: 200),
    "create module": Call(
        "post",
        lambda w: f"{API}training-modules/",
        lambda w: {"title": "Negotiation", "material_text": "How"},
        by_role(WRITERS, 201, 403),
    ),
    "read module": Call(
        "get", lambda w: f"{API}training-modules/{w['module'].pk}/", expect=lambda r: 200
    ),
    "patch module": Call(
        "patch",
        lambda w: f"{API}training-modules/{w['module'].pk}/",
        lambda w: {"duration_minutes": 45},
        by_role(WRITERS, 200, 403),
    ),
    "put module": Call(
        "put",
        lambda w: f"{API}training-modules/{w['module'].pk}/",
        lambda w: {"title": "Product knowledge", "material_text": "New text"},
        by_role(WRITERS, 200, 403),
    ),
    "list assignments": Call("get", lambda w: f"{API}training-assignments/", expect=lambda r: 200),
    "read assignment": Call(
        "get",
        lambda w: f"{API}training-assignments/{w['open'].pk}/",
        expect=by_role(SEES_RITA, 200, 404),
    ),
    "assign rep": Call(
        "post",
        lambda w: f"{API}training-assignments/",
        lambda w: {"module": w["other"].pk, "rep": w["open"].rep_id, "due": days(9).isoformat()},
        # Rita outside one's scope is "no such rep" (400), never "forbidden".
        by_role(
            MANAGES_RITA, 201, 400, forbidden={"rep", "teammate", "other_team_rep", "south_rep"}
        ),
    ),
    "complete": Call(
        "post",
        lambda w: f"{API}training-assignments/{w['open'].pk}/complete/",
        lambda w: {"version": 1, "score": 70},
        by_role({"rep"}, 200, 404, forbidden=MANAGES_RITA),
    ),
    "confirm": Call(
        "post",
        lambda w: f"{API}training-assignments/{w['done'].pk}/confirm/",
        lambda w: {"version": 1},
        by_role(MANAGES_RITA, 200, 404, forbidden={"rep"}),
    ),
    "reopen": Call(
        "post",
        lambda w: f"{API}training-assignments/{w['done'].pk}/reopen/",
        lambda w: {"version": 1},
        by_role(MANAGES_RITA, 200, 404, forbidden={"rep"}),
    ),
    "matrix of Alpha": Call(
        "get",
        lambda w: f"{API}training-matrix/?team={w['team'].pk}",
        expect=by_role(MANAGES_ALPHA, 200, 404),
    ),
}


def _effect_ok(name, world, role):
    """What a successful write changed (and a refused one did not)."""
    done = TrainingAssignment.objects.get(pk=world["done"].pk)
    opened = TrainingAssignment.objects.get(pk=world["open"].pk)
    return {
        "complete": opened.completed_at is not None,
        "confirm": done.confirmed_at is not None,
        "reopen": done.completed_at is None,
        "module create": TrainingModule.objects.filter(title="Negotiation").exists(),
        "create module": TrainingModule.objects.filter(title="Negotiation").exists(),
    }.get(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_pages(world, cast, client_for, name, role):
    call = PAGES[name]
    client = client_for(cast[role])
    data = call.data(world) if call.data else None
    response = (
        getattr(client, call.method)(call.url(world), data)
        if data
        else getattr(client, call.method)(call.url(world))
    )
    expected = call.expect(role)
    assert response.status_code == expected, (name, role)
    effect = _effect_ok(name, world, role)
    if effect is not None:
        assert effect is (expected in (200, 201, 302)), (name, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(APIS))
def test_api(world, cast, api_for, name, role):
    call = APIS[name]
    api = api_for(cast[role])
    data = call.data(world) if call.data else None
    response = getattr(api, call.method)(call.url(world), data, format="json")
    expected = call.expect(role)
    assert response.status_code == expected, (name, role, response.content[:300])
    effect = _effect_ok(name, world, role)
    if effect is not None:
        assert effect is (expected in (200, 201)), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_assignment_list_is_scoped(world, cast, api_for, role):
    for name in ("teammate", "other_team_rep", "south_rep"):
        make_assignment(world["module"], cast[name], due=days(3))
    response = api_for(cast[role]).get(f"{API}training-assignments/")
    owners = {row["rep"] for row in response.json()["results"]}
    assert owners == {cast[name].pk for name in REP_ROWS_SEEN[role]}
