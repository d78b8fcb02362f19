"""Who sees what through the API: every list endpoint x every role in the cast.

North division: Alpha (manager; rep, teammate) and Beta (other_manager;
other_team_rep); director leads North. South: Gamma (south_manager;
south_rep). Reps see their own rows, managers their team's reps' rows (and
their own), the director the North division, the admin everything. Objects
outside that answer 404, never data. The catalogue (metrics, channels,
products) and the organisation (teams, users) are written by admins only.
"""

import pytest

from activities.models import Channel, Metric, Product
from salesmgmt.models import Team, User
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.factories import ActivityFactory, WeeklyPlanFactory, days_ago

# Whose rows each role sees (activities and weekly plans belong to reps).
VISIBLE_REP_ROWS = REP_ROWS_SEEN
VISIBLE_USERS = {
    "rep": {"rep"},
    "teammate": {"teammate"},
    "other_team_rep": {"other_team_rep"},
    "south_rep": {"south_rep"},
    "manager": {"manager", "rep", "teammate"},
    "other_manager": {"other_manager", "other_team_rep"},
    "south_manager": {"south_manager", "south_rep"},
    "director": {"director", "rep", "teammate", "other_team_rep"},
    "admin": set(ROLES),
}
VISIBLE_TEAMS = {
    "rep": {"Alpha"},
    "teammate": {"Alpha"},
    "other_team_rep": {"Beta"},
    "south_rep": {"Gamma"},
    "manager": {"Alpha"},
    "other_manager": {"Beta"},
    "south_manager": {"Gamma"},
    "director": {"Alpha", "Beta"},
    "admin": {"Alpha", "Beta", "Gamma"},
}

NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}
FORBIDDEN = {
    "status": 403,
    "code": "permission_denied",
    "detail": "You do not have permission to perform this action.",
}


@pytest.fixture
def world(cast, team, other_team, south_team):
    """The cast, their teams, one activity and one plan per rep, two products."""
    Product.objects.create(sku="pro-plan", name="Pro plan")
    Product.objects.create(sku="starter", name="Starter")
    return {
        "people": cast,
        "teams": {t.name: t for t in (team, other_team, south_team)},
        "activities": {name: ActivityFactory(rep=cast[name], day=days_ago(1)) for name in REPS},
        "plans": {name: WeeklyPlanFactory(rep=cast[name]) for name in REPS},
    }


def all_ids(api, url):
    response = api.get(url, {"page_size": 500})
    assert response.status_code == 200, response.data
    assert response.data["count"] == len(response.data["results"])
    return {row["id"] for row in response.data["results"]}


# --- lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_activities_visible_by_role(role, world, api_for):
    api = api_for(world["people"][role])

    seen = all_ids(api, "/api/v1/activities/")

    assert seen == {world["activities"][name].pk for name in VISIBLE_REP_ROWS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_weekly_plans_visible_by_role(role, world, api_for):
    api = api_for(world["people"][role])

    seen = all_ids(api, "/api/v1/weekly-plans/")

    assert seen == {world["plans"][name].pk for name in VISIBLE_REP_ROWS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_users_visible_by_role(role, world, api_for):
    api = api_for(world["people"][role])

    seen = all_ids(api, "/api/v1/users/")

    assert seen == {world["people"][name].pk for name in VISIBLE_USERS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_teams_visible_by_role(role, world, api_for):
    api = api_for(world["people"][role])

    seen = all_ids(api, "/api/v1/teams/")

    assert seen == {world["teams"][name].pk for name in VISIBLE_TEAMS[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "model", "count"),
    [
        ("/api/v1/metrics/", Metric, 10),
        ("/api/v1/channels/", Channel, 7),
        ("/api/v1/products/", Product, 2),
    ],
)
def test_catalogue_visible_to_every_role(url, model, count, role, world, api_for):
    api = api_for(world["people"][role])

    seen = all_ids(api, url)

    assert len(seen) == count
    assert seen == set(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/metrics/",
        "/api/v1/channels/",
        "/api/v1/products/",
        "/api/v1/teams/",
        "/api/v1/users/",
        "/api/v1/activities/",
        "/api/v1/weekly-plans/",
    ],
)
def test_list_query_count_is_small(url, world, api_for, django_assert_max_num_queries):
    api = api_for(world["people"]["admin"])

    with django_assert_max_num_queries(4):
        response = api.get(url)

    assert response.status_code == 200


# --- details: out of scope is 404 ----------------------------------------------------------


def assert_detail_scope(api, url_prefix, objects, visible):
    for name, obj in objects.items():
        response = api.get(f"{url_prefix}{obj.pk}/")
        if name in visible:
            assert response.status_code == 200, (name, response.data)
            assert response.data["id"] == obj.pk
        else:
            assert response.status_code == 404, name
            assert response.data == NOT_FOUND, name


@pytest.mark.parametrize("role", ROLES)
def test_activity_detail_outside_scope_is_404(role, world, api_for):
    api = api_for(world["people"][role])

    assert_detail_scope(api, "/api/v1/activities/", world["activities"], VISIBLE_REP_ROWS[role])


@pytest.mark.parametrize("role", ROLES)
def test_weekly_plan_detail_outside_scope_is_404(role, world, api_for):
    api = api_for(world["people"][role])

    assert_detail_scope(api, "/api/v1/weekly-plans/", world["plans"], VISIBLE_REP_ROWS[role])


@pytest.mark.parametrize("role", ROLES)
def test_weekly_plan_history_outside_scope_is_404(role, world, api_for):
    api = api_for(world["people"][role])

    for name, plan in world["plans"].items():
        response = api.get(f"/api/v1/weekly-plans/{plan.pk}/history/")
        expected = 200 if name in VISIBLE_REP_ROWS[role] else 404
        assert response.status_code == expected, name


@pytest.mark.parametrize("role", ROLES)
def test_user_detail_outside_scope_is_404(role, world, api_for):
    api = api_for(world["people"][role])

    assert_detail_scope(api, "/api/v1/users/", world["people"], VISIBLE_USERS[role])


@pytest.mark.parametrize("role", ROLES)
def test_team_detail_outside_scope_is_404(role, world, api_for):
    api = api_for(world["people"][role])

    assert_detail_scope(api, "/api/v1/teams/", world["teams"], VISIBLE_TEAMS[role])


@pytest.mark.parametrize("role", ROLES)
def test_activity_writes_outside_scope_are_404(role, world, api_for):
    """PATCH and DELETE on an invisible activity never reach the rules: 404."""
    api = api_for(world["people"][role])

    for name, activity in world["activities"].items():
        if name in VISIBLE_REP_ROWS[role]:
            continue
        url = f"/api/v1/activities/{activity.pk}/"
        assert api.patch(url, {"quantity": "1"}).status_code == 404, name
        assert api.delete(url).status_code == 404, name
        activity.refresh_from_db()
        assert activity.quantity == 10


# --- catalogue and organisation writes: admins only ---------------------------------------


def new_objects(world):
    north = world["teams"]["Alpha"].division_id
    return {
        "/api/v1/metrics/": {"key": "demos", "name": "Demos", "unit": "count"},
        "/api/v1/channels/": {"key": "trade-fair", "name": "Trade fair"},
        "/api/v1/products/": {"sku": "enterprise", "name": "Enterprise"},
        "/api/v1/teams/": {
            "name": "Delta",
            "division": north,
            "manager": world["people"]["manager"].pk,
            "sales_model": "island",
            "focus_metrics": ["calls", "meetings"],
        },
        "/api/v1/users/": {
            "username": "newbie",
            "first_name": "Nina",
            "last_name": "New",
            "email": "newbie@example.com",
            "role": "rep",
            "team": world["teams"]["Alpha"].pk,
        },
    }


CATALOGUE_URLS = [
    "/api/v1/metrics/",
    "/api/v1/channels/",
    "/api/v1/products/",
    "/api/v1/teams/",
    "/api/v1/users/",
]
MODELS = {
    "/api/v1/metrics/": Metric,
    "/api/v1/channels/": Channel,
    "/api/v1/products/": Product,
    "/api/v1/teams/": Team,
    "/api/v1/users/": User,
}


@pytest.mark.parametrize("role", ["rep", "manager", "director"])
@pytest.mark.parametrize("url", CATALOGUE_URLS)
def test_catalogue_create_is_403_for_non_admins(url, role, world, api_for):
    before = MODELS[url].objects.count()

    response = api_for(world["people"][role]).post(url, new_objects(world)[url])

    assert response.status_code == 403
    assert response.data == FORBIDDEN
    assert MODELS[url].objects.count() == before


@pytest.mark.parametrize("url", CATALOGUE_URLS)
def test_admin_creates_catalogue_entries(url, world, api_for):
    body = new_objects(world)[url]

    response = api_for(world["people"]["admin"]).post(url, body)

    assert response.status_code == 201, response.data
    created = MODELS[url].objects.get(pk=response.data["id"])
    for field, value in body.items():
        assert response.data[field] == value, field
    assert created.pk == response.data["id"]


def test_admin_created_team_has_its_focus_metrics(world, api_for):
    url = "/api/v1/teams/"

    response = api_for(world["people"]["admin"]).post(url, new_objects(world)[url])

    team = Team.objects.get(name="Delta")
    assert response.status_code == 201
    assert set(team.focus_metrics.values_list("key", flat=True)) == {"calls", "meetings"}


@pytest.mark.parametrize("role", ["rep", "manager", "director"])
def test_catalogue_update_is_403_for_non_admins(role, world, api_for):
    calls = Metric.objects.get(key="calls")

    response = api_for(world["people"][role]).patch(
        f"/api/v1/metrics/{calls.pk}/", {"name": "Dials"}
    )

    assert response.status_code == 403
    assert response.data == FORBIDDEN
    calls.refresh_from_db()
    assert calls.name == "Calls"


def test_manager_cannot_rename_own_team(world, api_for):
    team = world["teams"]["Alpha"]

    response = api_for(world["people"]["manager"]).patch(
        f"/api/v1/teams/{team.pk}/", {"name": "Alpha Prime"}
    )

    assert response.status_code == 403
    team.refresh_from_db()
    assert team.name == "Alpha"


def test_rep_cannot_promote_themselves(world, api_for):
    rep = world["people"]["rep"]

    response = api_for(rep).patch(f"/api/v1/users/{rep.pk}/", {"role": "admin"})

    assert response.status_code == 403
    rep.refresh_from_db()
    assert rep.role == "rep"


def test_admin_updates_catalogue(world, api_for):
    calls = Metric.objects.get(key="calls")

    response = api_for(world["people"]["admin"]).patch(
        f"/api/v1/metrics/{calls.pk}/", {"name": "Dials"}
    )

    assert response.status_code == 200, response.data
    calls.refresh_from_db()
    assert calls.name == "Dials"


@pytest.mark.parametrize("url", CATALOGUE_URLS)
def test_catalogue_entries_cannot_be_deleted_even_by_admin(url, world, api_for):
    obj = MODELS[url].objects.order_by("pk").first()

    response = api_for(world["people"]["admin"]).delete(f"{url}{obj.pk}/")

    assert response.status_code == 405
    assert MODELS[url].objects.filter(pk=obj.pk).exists()


def test_team_manager_must_be_manager_director_or_admin(world, api_for):
    body = {**new_objects(world)["/api/v1/teams/"], "manager": world["people"]["rep"].pk}

    response = api_for(world["people"]["admin"]).post("/api/v1/teams/", body)

    assert response.status_code == 400
    assert response.data["errors"] == {
        "manager": [f'Invalid pk "{world["people"]["rep"].pk}" - object does not exist.']
    }
    assert not Team.objects.filter(name="Delta").exists()


def test_director_created_through_api_needs_a_division(world, api_for):
    body = {**new_objects(world)["/api/v1/users/"], "role": "director", "team": None}

    response = api_for(world["people"]["admin"]).post("/api/v1/users/", body)

    assert response.status_code == 400
    assert response.data["errors"] == {"division": ["A director leads a division."]}
    assert not User.objects.filter(username="newbie").exists()
