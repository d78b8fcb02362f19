"""Fixtures for the browser tests: headless Chromium against pytest-django's live server.

Every test here drives the Debian ``chromium`` binary through Playwright's sync API. No
browser is ever downloaded: when ``chromium`` is not on PATH (or the playwright package is
missing) every test in this directory is skipped, and the run says so in its summary.

- ``browser``: Playwright and one headless Chromium per test (see the fixture for why
  not per session).
- ``page``: a fresh context (cookies, storage) per test, 1280x900; console errors, uncaught
  page errors and 5xx responses are collected and fail the test when it otherwise passed.
- ``login`` / ``logout``: through the real login form and the nav's "Log out" button.
- ``screenshot``: full-page PNGs into ``test-artifacts/screenshots/`` (git-ignored); a
  failing test also leaves ``FAILED-<test name>.png`` there.

Test modules here mark themselves ``browser`` and
``django_db(transaction=True, serialized_rollback=True)``: live_server needs a
transactional database, which is flushed after each test and so would lose the metrics
and channels the data migrations seed; the serialized rollback reloads them per test.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium")
SKIP_REASON = "chromium not installed: browser tests skipped"
try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    HAVE_PLAYWRIGHT = False
else:
    HAVE_PLAYWRIGHT = True
if CHROMIUM and not HAVE_PLAYWRIGHT:  # pragma: no cover
    SKIP_REASON = "playwright package not installed: browser tests skipped"

CAN_RUN = bool(CHROMIUM and HAVE_PLAYWRIGHT)
HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"  # what tests/factories.py gives every user
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _in_this_directory(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items):
    # Skipping from a conftest at import time would skip (or break) far more than this
    # directory, so the tests are marked skipped one by one instead.
    if CAN_RUN:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _in_this_directory(item):
            item.add_marker(skip)
            config._browser_tests_skipped = True  # read by pytest_terminal_summary


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if getattr(config, "_browser_tests_skipped", False):
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(f"SKIPPED: {SKIP_REASON} (looked for `chromium` on PATH)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Runs after the test body: a test that passed but made the browser log an error
    # (console.error, an uncaught exception, a failed request, a 5xx) fails here.
    result = yield
    errors = getattr(item, "browser_errors", None)
    if errors:
        pytest.fail(
            "The browser reported errors during the test:\n  " + "\n  ".join(errors),
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so the page fixture knows the test failed.
    # tryfirst makes this the outermost wrapper: it sees the report after xfail handling.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser():
    """Playwright and a headless Chromium, started for one test and stopped after it."""

    # Playwright's sync API keeps an asyncio event loop "running" in this (the main)
    # thread from start() to stop(). Django notices a running loop in two ways:
    # - its async-safety check refuses every ORM call from this thread (factories,
    #   fixtures, assertions on the database) with SynchronousOnlyOperation, although
    #   nothing here is really async: ORM calls and Playwright never interleave. The
    #   DJANGO_ALLOW_ASYNC_UNSAFE flag turns that check off, only while Playwright runs.
    # - django.db.connections keeps per-thread connections in a thread-local store, but
    #   switches to a separate context-local store while a loop runs: the test body gets
    #   a second connection object to the same test database. The test database set-up
    #   and the serialized-rollback reload (see the module docstring) must use the usual
    #   one, so Playwright must not outlive the test. That is why this fixture is per
    #   test, not per session: a session-wide browser left the loop running through the
    #   rest of the run, the reload went to the wrong connection and later tests found
    #   no metrics (nor would later non-browser tests see the connection they expect).
    # The live server answers the browser from its own thread, which has no loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        # Close the loop-context connections before the loop goes, or they linger
        # until the end of the run and block dropping the PostgreSQL test database.
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: <repo>/test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def screenshot(artifacts):
    """screenshot(page, "01-login") -> full-page PNG under test-artifacts/screenshots/."""

    def take(page, name: str) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def page(request, browser, live_server, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    request.node.browser_errors = errors

    def on_console(message):
        if message.type == "error":
            errors.append(f"console.error at {message.location.get('url', '?')}: {message.text}")

    def on_response(response):
        if response.status >= 500:
            errors.append(f"HTTP {response.status} from {response.request.method} {response.url}")

    tab = context.new_page()
    tab.on("console", on_console)
    tab.on("pageerror", lambda exc: errors.append(f"uncaught page error: {exc}"))

    def on_request_failed(req):
        # ERR_ABORTED is the browser cancelling a request because the page navigated
        # away (a favicon, a slow stylesheet): normal, not an application error.
        if "ERR_ABORTED" not in (req.failure or ""):
            errors.append(f"request failed: {req.method} {req.url} ({req.failure})")

    tab.on("requestfailed", on_request_failed)
    tab.on("response", on_response)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not tab.is_closed():
        # What the browser showed when the test failed, for the person reading the log.
        path = artifacts / f"FAILED-{request.node.name}.png"
        tab.screenshot(path=str(path), full_page=True)
        print(f"\nbrowser screenshot at failure: {path} (url {tab.url})")
    context.close()


@pytest.fixture
def login(screenshot):
    """login(page, user, shot=None): sign in through the login form, wait to leave it."""

    def sign_in(page, user, shot: str | None = None):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        if shot:
            screenshot(page, shot)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in


@pytest.fixture
def logout():
    """logout(page): the nav's "Log out" button; lands back on the login page."""

    def sign_out(page):
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/accounts/login/")

    return sign_out
