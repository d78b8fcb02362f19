"""The fixed cast every test uses.

North division: team Alpha (manager, rep, teammate), team Beta (other_manager,
other_team_rep); director leads North. South division: team Gamma
(south_manager, south_rep). admin sees everything.
"""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from salesmgmt.models import Role
from tests.factories import DivisionFactory, TeamFactory, UserFactory


def pytest_configure(config):
    # The suite reads the compiled catalogues (.mo), which are built, not committed.
    from salesmgmt.i18n import compile_catalogues  # noqa: PLC0415 - Django is set up by now

    compile_catalogues()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request activates its language for the thread (as Django's LocaleMiddleware
    # does); the next test starts from English again.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttling and lockouts live in the cache; each test starts fresh.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def real_queue():
    """Tasks go to the real Celery worker (``.ci/run`` starts one) instead of running
    eagerly. Before the test's database is flushed, wait until the worker has finished
    everything the test queued: a task still reading while the flush truncates the
    tables deadlocks with it."""
    from celery.result import allow_join_result  # noqa: PLC0415

    from salesmgmt.celery import app as celery_app  # noqa: PLC0415

    celery_app.conf.task_always_eager = False
    # Celery marks "inside a task, never block on a result" in one process-wide flag that
    # each eager call sets and restores; eager tasks run by the race tests' threads at
    # once can leave it set. This test process is no task: let it wait for results.
    with allow_join_result():
        yield
    celery_app.conf.task_always_eager = True
    _wait_until_worker_idle(celery_app)


def _wait_until_worker_idle(celery_app, timeout=60.0):
    """Idle = nothing waiting in the broker and nothing active, reserved or scheduled
    on any worker, seen twice in a row (a finishing task may queue a follow-up)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        with celery_app.connection_for_write() as connection:
            waiting = connection.default_channel.client.llen(celery_app.conf.task_default_queue)
        # CI runs one worker: its answer is all there is to wait for.
        inspect = celery_app.control.inspect(timeout=1.0, limit=1)
        busy = waiting or any(
            tasks
            for answer in (inspect.active(), inspect.reserved(), inspect.scheduled())
            for tasks in (answer or {}).values()
        )
        quiet = 0 if busy else quiet + 1
        if busy:
            time.sleep(0.2)


@pytest.fixture
def north(db):
    return DivisionFactory(name="North")


@pytest.fixture
def south(db):
    return DivisionFactory(name="South")


@pytest.fixture
def manager(north):
    return UserFactory(
        username="manager", first_name="Maria", last_name="Manager", role=Role.MANAGER
    )


@pytest.fixture
def other_manager(north):
    return UserFactory(
        username="other_manager", first_name="Oscar", last_name="Other", role=Role.MANAGER
    )


@pytest.fixture
def south_manager(south):
    return UserFactory(
        username="south_manager", first_name="Sam", last_name="South", role=Role.MANAGER
    )


@pytest.fixture
def team(north, manager):
    return TeamFactory(name="Alpha", division=north, manager=manager)


@pytest.fixture
def other_team(north, other_manager):
    return TeamFactory(name="Beta", division=north, manager=other_manager)


@pytest.fixture
def south_team(south, south_manager):
    return TeamFactory(name="Gamma", division=south, manager=south_manager)


@pytest.fixture
def rep(team):
    return UserFactory(username="rep", first_name="Rita", last_name="Rep", team=team)


@pytest.fixture
def teammate(team):
    return UserFactory(username="teammate", first_name="Tom", last_name="Teammate", team=team)


@pytest.fixture
def other_team_rep(other_team):
    return UserFactory(username="other_rep", first_name="Otto", last_name="Beta", team=other_team)


@pytest.fixture
def south_rep(south_team):
    return UserFactory(username="south_rep", first_name="Sofia", last_name="Gamma", team=south_team)


@pytest.fixture
def director(north):
    return UserFactory(
        username="director",
        first_name="Dana",
        last_name="Director",
        role=Role.DIRECTOR,
        division=north,
    )


@pytest.fixture
def admin(db):
    return UserFactory(
        username="admin",
        first_name="Ada",
        last_name="Admin",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def cast(
    rep, teammate, other_team_rep, south_rep, manager, other_manager, south_manager, director, admin
):
    """Everyone, by name."""
    return {
        "rep": rep,
        "teammate": teammate,
        "other_team_rep": other_team_rep,
        "south_rep": south_rep,
        "manager": manager,
        "other_manager": other_manager,
        "south_manager": south_manager,
        "director": director,
        "admin": admin,
    }


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def api_for():

    def sign_in(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return sign_in
