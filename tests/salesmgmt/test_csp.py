"""The Content-Security-Policy: every page carries it, enforced, and no template
needs what it refuses (inline scripts, on*= handlers, inline styles).

The browser side (moved scripts still work with the policy on) is in
tests/browser/test_csp_pages.py.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Template comments never reach the browser.
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def policy(response) -> dict[str, list[str]]:
    """The enforced policy of a response as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(response):
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert {"base-uri", "form-action", "connect-src", "font-src"} <= set(csp)
    # Nothing relaxes scripts or styles anywhere, not through a more specific directive.
    relaxed = [d for d in csp if d.startswith(("script-src", "style-src")) and len(csp[d]) > 1]
    assert not relaxed, relaxed
    assert "Content-Security-Policy-Report-Only" not in response.headers


# --- Every page carries the enforced policy ------------------------------------


def test_login_page_carries_the_policy(client, db):
    """Anonymous pages too: the login form is the first page anyone sees."""
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("profile"),
        reverse("plans:my_week"),
        reverse("activities:log"),
        reverse("goals:list"),
        reverse("goals:create"),
        reverse("goals:team_set"),
        reverse("dashboards:team"),
        reverse("funnel:page"),
        reverse("tasks:team"),
        reverse("reviews:team_summary"),
        reverse("notifications:list"),
        reverse("api-docs"),
        reverse("api-docs") + "?script",
        reverse("admin:index"),
        reverse("admin:salesmgmt_user_changelist"),
    ],
)
def test_pages_carry_the_enforced_policy(client, admin, manager, team, url):
    """Pages, the API docs (and the script they load) and the admin, for an admin
    who may open them all."""
    client.force_login(admin)

    response = client.get(url, follow=True)

    assert response.status_code == 200, url
    assert_strict(response)


def test_api_docs_load_swagger_set_up_as_a_script_file(client, admin):
    """The docs page has no inline script: Swagger UI's set-up comes from ?script."""
    client.force_login(admin)

    page = client.get(reverse("api-docs")).content.decode()
    script = client.get(reverse("api-docs") + "?script")

    assert f'<script src="{reverse("api-docs")}?script="></script>' in page
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
    assert_no_inline_code(page, "api docs")


# --- No template needs what the policy refuses -----------------------------------


class InlineCodeFinder(HTMLParser):
    """Collects, from template source, what a strict policy would refuse to run.

    Template tags inside a start tag ({% if %}selected{% endif %}) come through as
    stray attribute names without values, which none of the rules below match.
    """

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.in_inline_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            if name.startswith("on") and value is not None:
                self.problems.append(f"line {line}: {name}= handler on <{tag}>")
            if name == "style" and value is not None:
                self.problems.append(f"line {line}: style= attribute on <{tag}>")
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self.problems.append(f"line {line}: inline <script> without src")
        if tag == "style":
            self.problems.append(f"line {line}: inline <style> element")


def assert_no_inline_code(source: str, name: str):
    finder = InlineCodeFinder()
    finder.feed(source)
    assert not finder.problems, f"{name}: " + "; ".join(finder.problems)


def page_templates() -> list[Path]:
    # E-mail bodies are read in mail clients, not under this site's policy.
    return sorted(
        p for p in TEMPLATES.rglob("*.html") if "email" not in p.relative_to(TEMPLATES).parts
    )


def test_template_scan_covers_the_templates():
    names = {p.relative_to(TEMPLATES).as_posix() for p in page_templates()}

    assert {"base.html", "plans/weekly/form.html", "activities/log/day_log.html"} <= names
    assert len(names) > 100


@pytest.mark.parametrize(
    "template", page_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix()
)
def test_template_has_no_inline_script_handler_or_style(template):
    """Scripts are files (<script src>), data is json_script (type application/json),
    behaviour hangs on data-* attributes (static/js/app.js), styles are in stylesheets."""
    source = TEMPLATE_COMMENT.sub("", template.read_text())
    assert_no_inline_code(source, template.relative_to(TEMPLATES).as_posix())


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">go()</script>',
        '<select name="team" onchange="this.form.submit()">',
        '<button ONCLICK="window.print()">',
        '<span style="width: 40%">',
        "<style>p { color: red }</style>",
    ],
)
def test_template_scan_catches_what_the_policy_refuses(snippet):
    with pytest.raises(AssertionError):
        assert_no_inline_code(snippet, "snippet")


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<script id="chart" type="application/json">{"a": 1}</script>',
        '<select name="team" data-autosubmit>',
        '<option value="1" {% if t.pk == team.pk %}selected{% endif %}>',
        '<span class="pace-fill" data-bar-width="40"></span>',
        "<details {% if open %}open{% endif %}>",
    ],
)
def test_template_scan_accepts_what_the_policy_allows(snippet):
    assert_no_inline_code(snippet, "snippet")
