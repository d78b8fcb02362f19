"""Who sees and changes which customers, contacts, deals and tasks through the API.

The cast: North division has Alpha (manager; rep, teammate) and Beta
(other_manager; other_team_rep), led by the director; South has Gamma
(south_manager; south_rep). Every rep owns one customer (with a contact), one
deal and one task. Reps see their own, managers their team's, the director
North, the admin everything; anything else answers 404 and stays unchanged.
Lost reasons, pipelines and stages are read by all and written by admins.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from activities.models import Contact, Customer, Deal, LostReason, Pipeline, Stage, Task
from tests.cast import REP_ROWS_SEEN, REPS, ROLES
from tests.factories.api import ContactFactory, CustomerFactory, TaskFactory, make_deal

VISIBLE = REP_ROWS_SEEN
NOT_FOUND = {"status": 404, "code": "not_found", "detail": "Not found."}
FORBIDDEN = {
    "status": 403,
    "code": "permission_denied",
    "detail": "You do not have permission to perform this action.",
}


@pytest.fixture
def world(cast, team, other_team, south_team):
    customers = {name: CustomerFactory(owner=cast[name], name=f"{name} Ltd") for name in REPS}
    return {
        "people": cast,
        "teams": {t.name: t for t in (team, other_team, south_team)},
        "customers": customers,
        "contacts": {name: ContactFactory(customer=customers[name]) for name in REPS},
        "deals": {name: make_deal(cast[name], customer=customers[name]) for name in REPS},
        "tasks": {name: TaskFactory(assignee=cast[name]) for name in REPS},
    }


def seen(api, url, **query):
    response = api.get(url, {"page_size": 500, **query})
    assert response.status_code == 200, response.data
    assert response.data["count"] == len(response.data["results"])
    return {row["id"] for row in response.data["results"]}


KINDS = {
    "customers": "/api/v1/customers/",
    "contacts": "/api/v1/contacts/",
    "deals": "/api/v1/deals/",
    "tasks": "/api/v1/tasks/",
}


# --- lists and details --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_lists_show_exactly_the_visible_rows(kind, role, world, api_for):
    api = api_for(world["people"][role])

    assert seen(api, KINDS[kind]) == {world[kind][name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_details_outside_scope_are_404(kind, role, world, api_for):
    api = api_for(world["people"][role])

    for name, obj in world[kind].items():
        response = api.get(f"{KINDS[kind]}{obj.pk}/")
        if name in VISIBLE[role]:
            assert response.status_code == 200, (name, response.data)
            assert response.data["id"] == obj.pk
        else:
            assert response.status_code == 404, name
            assert response.data == NOT_FOUND, name


@pytest.mark.parametrize("role", ROLES)
def test_transitions_outside_scope_are_404(role, world, api_for):
    api = api_for(world["people"][role])

    for name, deal in world["deals"].items():
        response = api.get(f"/api/v1/deals/{deal.pk}/transitions/")
        assert response.status_code == (200 if name in VISIBLE[role] else 404), name


# --- writes outside scope never reach the rules ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_writes_outside_scope_are_404_and_change_nothing(role, world, api_for):
    api = api_for(world["people"][role])

    for name in set(REPS) - VISIBLE[role]:
        customer, contact = world["customers"][name], world["contacts"][name]
        deal, task = world["deals"][name], world["tasks"][name]
        attempts = [
            api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "Taken"}),
            api.patch(f"/api/v1/contacts/{contact.pk}/", {"name": "Taken"}),
            api.delete(f"/api/v1/contacts/{contact.pk}/"),
            api.patch(f"/api/v1/deals/{deal.pk}/", {"amount": "1"}),
            api.post(f"/api/v1/deals/{deal.pk}/move/", {"stage": "won"}),
            api.patch(f"/api/v1/tasks/{task.pk}/", {"title": "Taken"}),
            api.post(f"/api/v1/tasks/{task.pk}/done/"),
            api.post(f"/api/v1/tasks/{task.pk}/reopen/"),
        ]
        assert [r.status_code for r in attempts] == [404] * len(attempts), name
        assert Customer.objects.get(pk=customer.pk).name == f"{name} Ltd"
        assert Contact.objects.filter(pk=contact.pk).exclude(name="Taken").exists()
        deal = Deal.objects.get(pk=deal.pk)
        assert (deal.amount, deal.stage.key, deal.transitions.count()) == (
            Decimal("1000.00"),
            "lead",
            1,
        )
        assert Task.objects.get(pk=task.pk).done_at is None


@pytest.mark.parametrize("role", ["rep", "manager", "director", "admin"])
def test_writes_inside_scope_succeed(role, world, api_for):
    people = world["people"]
    api = api_for(people[role])
    owner = "rep"

    customer = api.patch(
        f"/api/v1/customers/{world['customers'][owner].pk}/",
        {"city": "Port", "version": world["customers"][owner].version},
    )
    moved = api.post(f"/api/v1/deals/{world['deals'][owner].pk}/move/", {"stage": "contacted"})
    done = api.post(f"/api/v1/tasks/{world['tasks'][owner].pk}/done/")

    assert (customer.status_code, moved.status_code, done.status_code) == (200, 200, 200)
    assert world["deals"][owner].transitions.last().by == people[role]


@pytest.mark.parametrize(
    ("role", "owner", "allowed"),
    [
        ("manager", "teammate", True),
        ("manager", "other_team_rep", False),
        ("other_manager", "rep", False),
        ("director", "other_team_rep", True),
        ("director", "south_rep", False),
        ("admin", "south_rep", True),
        ("rep", "teammate", False),
    ],
)
def test_who_may_create_customers_deals_and_tasks_for_whom(role, owner, allowed, world, api_for):
    people = world["people"]
    api = api_for(people[role])
    rep = people[owner]
    customer = world["customers"][owner]

    responses = [
        api.post("/api/v1/customers/", {"name": "New", "owner": rep.pk}),
        api.post(
            "/api/v1/deals/",
            {
                "title": "New",
                "customer": customer.pk,
                "owner": rep.pk,
                "pipeline": "new-business",
                "amount": "10",
                "expected_close": "2026-12-01",
            },
        ),
        api.post(
            "/api/v1/tasks/", {"title": "New", "assignee": rep.pk, "due_at": "2026-12-01T10:00Z"}
        ),
    ]

    expected = 201 if allowed else 400
    assert [r.status_code for r in responses] == [expected] * 3
    if not allowed:
        assert responses[0].data["errors"] == {
            "owner": [f'Invalid pk "{rep.pk}" - object does not exist.']
        }
        assert responses[1].data["errors"] == {
            "customer": [f'Invalid pk "{customer.pk}" - object does not exist.'],
            "owner": [f'Invalid pk "{rep.pk}" - object does not exist.'],
        }
        assert not Customer.objects.filter(name="New").exists()
        assert not Deal.objects.filter(title="New").exists()
        assert not Task.objects.filter(title="New").exists()


# --- filter choices are scoped ----------------------------------------------------------------


NOT_A_CHOICE = ["Select a valid choice. That choice is not one of the available choices."]


@pytest.mark.parametrize(
    ("role", "url", "field", "target"),
    [
        ("rep", "/api/v1/customers/", "owner", "teammate"),
        ("manager", "/api/v1/deals/", "owner", "other_team_rep"),
        ("manager", "/api/v1/tasks/", "assignee", "south_rep"),
        ("director", "/api/v1/customers/", "team", "Gamma"),
        ("other_manager", "/api/v1/deals/", "team", "Alpha"),
        ("rep", "/api/v1/tasks/", "customer", "teammate"),
        ("rep", "/api/v1/tasks/", "deal", "teammate"),
        ("manager", "/api/v1/deals/", "customer", "south_rep"),
        ("other_manager", "/api/v1/contacts/", "customer", "rep"),
    ],
)
def test_filter_choices_outside_scope_are_invalid(role, url, field, target, world, api_for):
    if field == "team":
        value = world["teams"][target].pk
    elif field in ("customer", "deal"):
        value = world[f"{field}s"][target].pk
    else:
        value = world["people"][target].pk

    response = api_for(world["people"][role]).get(url, {field: value})

    assert response.status_code == 400
    assert response.data["errors"] == {field: NOT_A_CHOICE}


def test_filter_choice_inside_scope_works(world, api_for):
    api = api_for(world["people"]["director"])

    assert seen(api, "/api/v1/deals/", team=world["teams"]["Beta"].pk) == {
        world["deals"]["other_team_rep"].pk
    }


# --- configuration: everyone reads, admins write ------------------------------------------------

CONFIG = {
    "/api/v1/lost-reasons/": (LostReason, {"key": "delivery", "name": "Delivery delays"}),
    "/api/v1/pipelines/": (Pipeline, {"key": "upsell", "name": "Up-sell"}),
    "/api/v1/stages/": (
        Stage,
        {"pipeline": "renewals", "key": "signed", "name": "Signed", "probability": 95},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "count"),
    [("/api/v1/lost-reasons/", 7), ("/api/v1/pipelines/", 2), ("/api/v1/stages/", 13)],
)
def test_configuration_is_read_by_everyone(url, count, role, world, api_for):
    assert len(seen(api_for(world["people"][role]), url)) == count


@pytest.mark.parametrize("role", ["rep", "manager", "director"])
@pytest.mark.parametrize("url", list(CONFIG))
def test_configuration_writes_are_403_for_non_admins(url, role, world, api_for):
    model, body = CONFIG[url]
    before = model.objects.count()
    first = model.objects.order_by("pk").first()
    api = api_for(world["people"][role])

    created = api.post(url, body)
    changed = api.patch(f"{url}{first.pk}/", {"name": "Renamed"})

    assert (created.status_code, changed.status_code) == (403, 403)
    assert created.data == changed.data == FORBIDDEN
    assert model.objects.count() == before
    assert model.objects.get(pk=first.pk).name != "Renamed"


@pytest.mark.parametrize("url", list(CONFIG))
def test_admin_writes_configuration_but_never_deletes_it(url, world, api_for):
    model, body = CONFIG[url]
    api = api_for(world["people"]["admin"])

    created = api.post(url, body)
    renamed = api.patch(f"{url}{created.data['id']}/", {"name": "Renamed"})
    deleted = api.delete(f"{url}{created.data['id']}/")

    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 405)
    assert model.objects.get(pk=created.data["id"]).name == "Renamed"


# --- funnel and forecast: only scopes one may look at ---------------------------------------


def scope_query(world, scope, target):
    if scope == "team":
        return {"scope": "team", "team": world["teams"][target].pk}
    if scope == "division":
        return {"scope": "division", "division": world["teams"][target].division_id}
    if scope == "rep":
        return {"scope": "rep", "rep": world["people"][target].pk}
    return {"scope": scope}


@pytest.mark.parametrize("url", ["/api/v1/reports/funnel/", "/api/v1/reports/forecast/"])
@pytest.mark.parametrize(
    ("role", "scope", "target", "allowed"),
    [
        ("rep", "me", None, True),
        ("rep", "rep", "rep", True),
        ("rep", "rep", "teammate", False),
        ("rep", "team", "Alpha", False),
        ("manager", "team", "Alpha", True),
        ("manager", "team", "Beta", False),
        ("manager", "rep", "teammate", True),
        ("manager", "rep", "other_team_rep", False),
        ("other_manager", "team", "Alpha", False),
        ("director", "division", "Alpha", True),
        ("director", "division", "Gamma", False),
        ("director", "team", "Beta", True),
        ("director", "team", "Gamma", False),
        ("director", "company", None, True),  # their division, as on /company/
        ("south_manager", "division", "Gamma", False),
        ("admin", "company", None, True),
        ("admin", "team", "Gamma", True),
    ],
)
def test_report_scopes(url, role, scope, target, allowed, world, api_for):
    response = api_for(world["people"][role]).get(url, scope_query(world, scope, target))

    if allowed:
        assert response.status_code == 200, response.data
    else:
        assert response.status_code == 404
        assert response.data == NOT_FOUND


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("rep", "me"),
        ("manager", "team:Alpha"),
        ("director", "division:North"),
        ("admin", "company"),
    ],
)
def test_reports_default_to_the_widest_own_scope(role, expected, world, api_for):
    kind, _, name = expected.partition(":")
    if kind == "team":
        expected = f"team:{world['teams'][name].pk}"
    elif kind == "division":
        expected = f"division:{world['teams']['Alpha'].division_id}"

    response = api_for(world["people"][role]).get("/api/v1/reports/forecast/")

    assert response.data["scope"]["key"] == expected


def test_funnel_counts_only_the_scope(world, api_for):
    """Each rep has one new deal; a manager's team funnel counts their two."""
    manager = api_for(world["people"]["manager"])
    admin = api_for(world["people"]["admin"])

    team = manager.get("/api/v1/reports/funnel/").data
    company = admin.get("/api/v1/reports/funnel/").data

    assert team["stages"][0]["entered"] == 2
    assert company["stages"][0]["entered"] == 4


# --- every new endpoint needs credentials ------------------------------------------------------

NOT_AUTHENTICATED = {
    "status": 401,
    "code": "not_authenticated",
    "detail": "Authentication credentials were not provided.",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/customers/"),
        ("get", "/api/v1/contacts/"),
        ("get", "/api/v1/lost-reasons/"),
        ("get", "/api/v1/pipelines/"),
        ("get", "/api/v1/stages/"),
        ("get", "/api/v1/deals/"),
        ("post", "/api/v1/deals/bulk/"),
        ("get", "/api/v1/tasks/"),
        ("get", "/api/v1/notifications/"),
        ("post", "/api/v1/notifications/read-all/"),
        ("get", "/api/v1/notifications/preferences/"),
        ("get", "/api/v1/reports/funnel/"),
        ("get", "/api/v1/reports/forecast/"),
    ],
)
def test_anonymous_requests_get_401(method, url):
    response = getattr(APIClient(), method)(url)

    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
