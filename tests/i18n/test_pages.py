"""Every main page, for every role, in Greek, Indonesian and Filipino: ``<html lang>``
and Content-Language name the language, and no English interface text is left.

Data a person typed stays as typed, so the page's data here is named in a way no
interface word matches (customers "Κάππα Α.Ε.", a deal "Ζήτα", a task "Ήτα").
"""

import json
import re
from html.parser import HTMLParser

import pytest

from tests.factories import WeeklyPlanFactory, this_week
from tests.factories.customers import CustomerFactory, DealFactory, TaskFactory

PAGES = {
    "rep": [
        "/",
        "/dashboard/",
        "/plans/",
        "/activities/log/",
        "/activities/",
        "/tasks/",
        "/pipeline/",
        "/deals/",
        "/customers/",
        "/customers/lost/",
        "/goals/",
        "/kpis/",
        "/reviews/",
        "/commissions/",
        "/funnel/",
        "/notifications/",
        "/notifications/preferences/",
        "/profile/",
        "/search/?q=zeta",
        "/feedback/",
        "/improvement-plans/",
        "/training/mine/",
        "/recognition/",
        "/recognition/kudos/new/",
        "/coaching/",
        "/coaching/sessions/",
        "/imports/",
        "/imports/activities/",
        "/imports/tasks/",
    ],
    "manager": [
        "/plans/team/",
        "/dashboard/team/",
        "/goals/",
        "/goals/new/",
        "/goals/team/",
        "/kpis/",
        "/kpis/alerts/",
        "/reviews/",
        "/reviews/team/",
        "/tasks/team/",
        "/tasks/history/",
        "/deals/",
        "/customers/",
        "/customers/new/",
        "/customers/import/",
        "/pipeline/",
        "/commissions/",
        "/commissions/plans/",
        "/feedback/results/",
        "/improvement-plans/",
        "/improvement-plans/new/",
        "/training/",
        "/training/matrix/",
        "/training/assign/",
        "/recognition/",
        "/recognition/awards/new/",
        "/recognition/suggestions/",
        "/coaching/",
        "/coaching/sessions/new/",
        "/teams/",
        "/imports/",
        "/imports/deals/",
        "/imports/goals/",
    ],
    "director": ["/company/", "/reviews/division/", "/reports/company/", "/feedback/results/"],
    "admin": [
        "/company/",
        "/reports/packs/",
        "/reports/company/",
        "/deals/",
        "/customers/",
        "/webhooks/",
        "/webhooks/new/",
        "/audit/",
    ],
}

# Words of the English interface that no translation keeps (Indonesian and Greek teams
# say "pipeline", "deal", "target", "KPI", "coaching" and "feedback" in English, and
# "filter" and "status" are Indonesian words too, so those are not here), and English
# function words, which only an untranslated sentence brings.
ENGLISH_UI = [
    "Save", "Cancel", "Submit", "Approve", "Delete", "Edit", "Search", "Notifications",
    "Profile", "Log out", "Overdue", "Today", "This week", "Week", "Month", "Plans", "Goals",
    "Customers", "Reviews", "Tasks", "Dashboard", "Settings", "Export", "Download", "Actual",
    "Planned", "Nothing", "Show", "More", "Activity", "Commissions", "Training",
    "Recognition", "Language", "Previous", "Next", "New", "Add", "Apply", "Clear",
]  # fmt: skip
ENGLISH_WORDS = ["the", "and", "your", "with", "this", "from", "for", "has", "have", "was", "will"]
# Filipino keeps many English sales words (Taglish), but not English sentences.
FILIPINO_CHECK = ["the", "your", "with", "this", "from", "have", "will", "Log out", "Cancel"]
LANGUAGES = {
    "el": ENGLISH_UI + ENGLISH_WORDS,
    "id": ENGLISH_UI + ENGLISH_WORDS,
    "fil": FILIPINO_CHECK,
}


class VisibleText(HTMLParser):
    """The text a person reads: element text (choices in a select too) plus title,
    placeholder, aria-label, alt and value of buttons; not scripts or styles."""

    SKIP = {"script", "style"}
    READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        attrs = dict(attrs)
        for name in self.READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_left(text: str, words: list[str]) -> list[str]:
    found = []
    for word in words:
        for match in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            start = max(0, match.start() - 40)
            found.append(f"{word!r} in …{text[start : match.end() + 40]!r}…")
    return found


@pytest.fixture
def named_data(cast):
    """A customer, a deal, a task and this week's plan, named so no check word matches."""
    rep = cast["rep"]
    customer = CustomerFactory(owner=rep, name="Κάππα Α.Ε.")
    DealFactory(customer=customer, title="Ζήτα")
    TaskFactory(assignee=rep, title="Ήτα")
    WeeklyPlanFactory(rep=rep, week_start=this_week(), objectives="Θήτα")
    return cast


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_main_page_is_in_the_language_asked_for(client, named_data, language):
    problems = []
    for who, urls in PAGES.items():
        client.force_login(named_data[who])
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (who, url, response.status_code)
            html = response.content.decode()
            if f'<html lang="{language}"' not in html:
                problems.append(f"{who} {url}: <html lang> is not {language}")
            if response.headers["Content-Language"] != language:
                problems.append(
                    f"{who} {url}: Content-Language {response.headers['Content-Language']}"
                )
            problems += [
                f"{who} {url}: {p}" for p in english_left(visible_text(html), LANGUAGES[language])
            ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_sign_in_page_is_in_the_language_asked_for(client, db, language):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)

    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    # Filipino says "username" and "password" as English does.
    extra = [] if language == "fil" else ["Password", "Log in"]
    assert english_left(visible_text(html), LANGUAGES[language] + extra) == []


def test_a_saved_language_beats_the_browsers(client, cast):
    rep = cast["rep"]
    rep.language = "id"
    rep.save()
    client.force_login(rep)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="el")

    assert '<html lang="id"' in response.content.decode()
    assert response.headers["Content-Language"] == "id"


def test_the_javascript_catalogue_is_the_pages_language_and_kept_by_the_browser(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="el").content.decode()
    url = re.search(r'src="(/jsi18n/\?[^"]+)"', page).group(1).replace("&amp;", "&")

    assert "l=el" in url and "v=" in url  # a new language or catalogue is a new URL
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="el")
    assert response.status_code == 200
    assert "max-age=86400" in response.headers["Cache-Control"]
    # The catalogue writes its strings as JSON (\u escapes).
    assert f'"No match": {json.dumps("Κανένα αποτέλεσμα")}' in response.content.decode()


def test_the_switcher_names_each_language_in_its_own_language(client, db):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="el").content.decode()

    names = re.findall(
        r'<button type="submit" name="language" value="(\w+)" lang="\1"[^>]*>([^<]+)<', html
    )
    assert names == [
        ("en", "English"),
        ("id", "Bahasa Indonesia"),
        ("fil", "Filipino"),
        ("el", "Ελληνικά"),
    ]
    assert 'aria-current="true">Ελληνικά<' in html
