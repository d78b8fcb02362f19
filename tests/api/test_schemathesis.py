"""Schemathesis against the OpenAPI document: every operation, as rep, manager and admin.

A few generated requests per operation (derandomised, no shrinking), each sent
through the real WSGI app with a token, and checked for: no server error, a
documented status code and content type, and a body that matches its schema.
Path ids point at an object the caller can see, so detail operations get past 404.
Each operation and role starts from fresh data (the test's transaction is rolled
back), so a fuzzed DELETE cannot empty the world for the operations after it.
"""

import os
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as openapi_checks

from activities.models import Metric
from plans.models import Goal, GoalPeriod
from reporting.commissions.services import compute_statement
from reporting.models import DeviationEpisode, Kpi
from reporting.reviews import services as reviews
from salesmgmt.models import (
    CompanySettings,
    Team,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from salesmgmt.org.services import create_api_token
from tests.factories import ActivityFactory, WeeklyPlanFactory
from tests.factories.api import (
    ContactFactory,
    CustomerFactory,
    NotificationFactory,
    TaskFactory,
    make_deal,
)
from tests.reporting.commissions.test_selectors import make_plan, won

# Examples and fuzzing only: the coverage phase would send every boundary case the
# document defines, far more than a CI run can afford.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}, "generation": {"mode": "all"}}
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = get_wsgi_application()

# Three requests per operation and role keep the SQLite run to a few minutes; a deeper
# run (say on PostgreSQL) sets SCHEMATHESIS_EXAMPLES=25.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))

CHECKS = [
    st_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def wsgi_in_test_transaction(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # schemathesis' WSGI host, APIClient's


@contextmanager
def connection_kept():
    """What the test client does around a request: the database connection is not
    recycled at request start and end, so the request runs inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(cast, wsgi_in_test_transaction):
    """A little of everything, owned by the rep, so detail paths have something to open."""
    rep, manager = cast["rep"], cast["manager"]
    today = CompanySettings.load().today()
    customer = CustomerFactory(owner=rep)
    ContactFactory(customer=customer)
    make_deal(rep, customer=customer)
    TaskFactory(assignee=rep)
    NotificationFactory(user=rep)
    WeeklyPlanFactory(rep=rep)
    ActivityFactory(rep=rep)
    Goal.objects.create(
        scope="rep",
        rep=rep,
        metric=Metric.objects.get(key="calls"),
        period=GoalPeriod.MONTH,
        start=today.replace(day=1),
        end=today.replace(day=28),
        target=Decimal("200"),
        created_by=manager,
    )
    DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        period_start=today,
        severity="red",
        opened_on=today,
        actual=Decimal("31"),
        expected=Decimal("48"),
        url="/dashboard/",
        rep=rep,
    )
    month = date(today.year, today.month, 1)
    ActivityFactory(rep=rep, day=month)
    reviews.build_monthly_review(rep=rep, month=month)
    make_plan(rep, rate="5", tiers=[("100", "8")], name="Field")
    won(rep, "500.00", month, title="Won deal")
    compute_statement(rep=rep, month=month)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/in", events=["deal.won"], secret="whsec_schemathesis"
    )
    event = WebhookEvent.objects.create(
        uuid="00000000-0000-4000-8000-000000000001",
        type="deal.won",
        object_type="deal",
        object_id="1",
        data={"id": 1},
    )
    WebhookDelivery.objects.create(event=event, endpoint=endpoint)
    return cast


@pytest.fixture(params=["rep", "manager", "admin"])
def caller(request, world):
    user = world[request.param]
    _, key = create_api_token(user=user, name="schemathesis")
    return user, key


def visible_ids(path: str, user) -> dict:
    """Ids ``user`` can see for a detail path, read from the list endpoint, so that
    detail operations open something real (or, once fuzzing deleted it, answer 404)."""
    collection = path.split("{id}")[0]
    if collection == "/api/v1/dashboards/team/":
        team = user.team or Team.objects.visible_to(user).first()
        return {"id": team.pk} if team else {}
    if collection == "/api/v1/dashboards/rep/":
        rep = User.objects.visible_to(user).sales_reps().order_by("pk").first()
        return {"id": rep.pk} if rep else {}
    api = APIClient()
    api.force_authenticate(user)
    listing = api.get(collection)
    if listing.status_code != 200:
        return {}
    rows = listing.json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    if not rows:
        return {}
    ids = {"id": rows[0]["id"]}
    if "{miss_id}" in path and rows[0].get("misses"):
        ids["miss_id"] = rows[0]["misses"][0]["id"]
    return ids


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, caller):
    user, key = caller
    if case.path_parameters:
        case.path_parameters.update(visible_ids(case.path, user))
    with connection_kept():
        response = case.call(headers={"Authorization": f"Token {key}"})
    case.validate_response(response, checks=CHECKS)
