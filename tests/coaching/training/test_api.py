"""Training on the API: the catalogue's CRUD, assignment filters, assigning to a rep or
a team (skipped reps listed), complete / confirm / reopen with versions, the matrix,
error bodies and query counts."""

import pytest

from coaching.models import AssignmentSource, TrainingAssignment, TrainingModule
from salesmgmt.models import Role
from tests.coaching.training.conftest import days, make_assignment, make_module
from tests.factories import TeamFactory, UserFactory

API = "/api/v1/"


def test_manager_creates_and_patches_a_module(cast, api_for, catalogue):
    api = api_for(cast["manager"])
    created = api.post(
        f"{API}training-modules/",
        {"title": "Negotiation", "material_url": "https://example.com/n", "recurrence_months": 6},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["recurrence_months"], body["active"]) == ("Negotiation", 6, True)

    patched = api.patch(f"{API}training-modules/{body['id']}/", {"active": False}, format="json")
    module = TrainingModule.objects.get(pk=body["id"])
    assert patched.status_code == 200
    # A PATCH leaves the other fields as they were.
    assert (module.active, module.recurrence_months, module.material_url) == (
        False,
        6,
        "https://example.com/n",
    )


def test_module_rules_answer_400_with_the_field(cast, api_for, catalogue):
    api = api_for(cast["manager"])
    taken = api.post(
        f"{API}training-modules/", {"title": "Welcome", "material_text": "x"}, format="json"
    )
    empty = api.post(f"{API}training-modules/", {"title": "Closing"}, format="json")
    assert taken.status_code == 400
    assert taken.json()["errors"]["title"] == ["A module with this title exists already."]
    assert empty.json()["errors"]["material_text"]


def test_modules_cannot_be_deleted(cast, api_for, catalogue):
    response = api_for(cast["admin"]).delete(f"{API}training-modules/{catalogue['welcome'].pk}/")
    assert response.status_code == 405


def test_module_filters(cast, api_for, catalogue):
    rows = api_for(cast["rep"]).get(f"{API}training-modules/", {"onboarding": "true"}).json()
    assert [m["title"] for m in rows["results"]] == ["Welcome"]
    bad = api_for(cast["rep"]).get(f"{API}training-modules/", {"active": "maybe"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", {"overdue", "due"}), ("overdue", {"overdue"}), ("done", {"done"})],
)
def test_assignment_status_filter(catalogue, cast, api_for, status, expected):
    made = {
        "overdue": make_assignment(catalogue["product"], cast["rep"], due=days(-1)),
        "due": make_assignment(catalogue["competition"], cast["rep"], due=days(1)),
        "done": make_assignment(catalogue["welcome"], cast["rep"], due=days(-1), done=True),
    }
    rows = api_for(cast["manager"]).get(f"{API}training-assignments/", {"status": status}).json()
    assert {row["id"] for row in rows["results"]} == {made[n].pk for n in expected}
    shown = {row["id"]: row["status"] for row in rows["results"]}
    if status == "overdue":
        assert shown == {made["overdue"].pk: "overdue"}


def test_assignment_filters_by_rep_module_team(catalogue, cast, team, api_for):
    mine = make_assignment(catalogue["product"], cast["rep"], due=days(1))
    make_assignment(catalogue["competition"], cast["rep"], due=days(1))
    make_assignment(catalogue["product"], cast["other_team_rep"], due=days(1))
    api = api_for(cast["director"])

    rows = api.get(
        f"{API}training-assignments/",
        {"rep": cast["rep"].pk, "module": catalogue["product"].pk, "team": team.pk},
    ).json()["results"]

    assert [row["id"] for row in rows] == [mine.pk]
    outside = api_for(cast["manager"]).get(
        f"{API}training-assignments/", {"rep": cast["other_team_rep"].pk}
    )
    assert outside.status_code == 400  # a rep outside one's scope is not a valid choice


def test_assign_a_team_lists_created_and_skipped(catalogue, cast, team, api_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(3))
    response = api_for(cast["manager"]).post(
        f"{API}training-assignments/",
        {"module": catalogue["product"].pk, "team": team.pk, "due": days(10).isoformat()},
        format="json",
    )
    body = response.json()
    assert response.status_code == 201
    assert [row["rep"] for row in body["created"]] == [cast["teammate"].pk]
    assert body["created"][0]["source"] == AssignmentSource.TEAM
    assert body["skipped"] == [cast["rep"].pk]


def test_assign_needs_rep_or_team_not_both(catalogue, cast, team, api_for):
    api = api_for(cast["manager"])
    both = api.post(
        f"{API}training-assignments/",
        {
            "module": catalogue["product"].pk,
            "team": team.pk,
            "rep": cast["rep"].pk,
            "due": days(10).isoformat(),
        },
        format="json",
    )
    neither = api.post(
        f"{API}training-assignments/",
        {"module": catalogue["product"].pk, "due": days(10).isoformat()},
        format="json",
    )
    other_team = api.post(
        f"{API}training-assignments/",
        {"module": catalogue["product"].pk, "team": 999999, "due": days(10).isoformat()},
        format="json",
    )
    assert both.status_code == neither.status_code == other_team.status_code == 400
    assert "non_field_errors" in both.json()["errors"]
    assert "team" in other_team.json()["errors"]
    assert not TrainingAssignment.objects.exists()


def test_complete_confirm_reopen_through_the_api(catalogue, cast, api_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(3))
    url = f"{API}training-assignments/{assignment.pk}/"

    done = api_for(cast["rep"]).post(f"{url}complete/", {"version": 1, "score": 88}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["score"], done.json()["version"]) == ("done", 88, 2)

    reopened = api_for(cast["manager"]).post(f"{url}reopen/", {"version": 2}, format="json")
    assert reopened.json()["status"] == "open"
    api_for(cast["rep"]).post(f"{url}complete/", {"version": 3}, format="json")
    confirmed = api_for(cast["manager"]).post(f"{url}confirm/", {"version": 4}, format="json")
    assert confirmed.json()["confirmed_by"] == cast["manager"].pk


def test_stale_version_is_409_and_changes_nothing(catalogue, cast, api_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(3), version=4)
    response = api_for(cast["rep"]).post(
        f"{API}training-assignments/{assignment.pk}/complete/", {"version": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_bad_score_is_400_with_the_field(catalogue, cast, api_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(3))
    response = api_for(cast["rep"]).post(
        f"{API}training-assignments/{assignment.pk}/complete/",
        {"version": 1, "score": -1},
        format="json",
    )
    assert response.status_code == 400
    assert "score" in response.json()["errors"]


def test_matrix_api_cells(catalogue, cast, team, api_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(-2))
    make_assignment(catalogue["competition"], cast["teammate"], due=days(-9), done=True)

    body = api_for(cast["manager"]).get(f"{API}training-matrix/").json()

    assert body["team"] == team.pk
    assert [m["title"] for m in body["modules"]] == [
        "Competitive intelligence",
        "Product knowledge",
        "Welcome",
    ]
    cells = {row["name"]: [c["status"] for c in row["cells"]] for row in body["rows"]}
    assert cells == {
        "Rita Rep": ["none", "overdue", "none"],
        "Tom Teammate": ["done", "none", "none"],
    }
    assert body["rows"][0]["cells"][1]["due"] == days(-2).isoformat()


def test_matrix_api_bad_team_is_400_and_unknown_404(cast, api_for, team):
    api = api_for(cast["manager"])
    assert api.get(f"{API}training-matrix/", {"team": "x"}).status_code == 400
    assert api.get(f"{API}training-matrix/", {"team": 999999}).status_code == 404


def test_list_queries_do_not_grow(db, api_for, django_assert_max_num_queries):
    boss = UserFactory(role=Role.ADMIN, is_superuser=True)
    for reps in (2, 10):
        team = TeamFactory(manager=boss)
        module = make_module(f"Module for {reps}")
        for _ in range(reps):
            make_assignment(module, UserFactory(team=team), due=days(2))
        api = api_for(boss)
        with django_assert_max_num_queries(6):
            assert api.get(f"{API}training-assignments/").status_code == 200
        with django_assert_max_num_queries(6):
            assert api.get(f"{API}training-matrix/", {"team": team.pk}).status_code == 200
