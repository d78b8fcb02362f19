"""Monthly review pages: who sees which review, the manager's writes, the rep's reply,
the team and division summaries, CSV exports and query counts.

Every rep of the cast has a review of March 2025; Rita's (rep) is shared unless a
test says otherwise. Rita's month has one gap: 10 calls of 40 planned.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Metric, Task
from coaching.models import Kudos
from plans.models import PlanStatus, PlanTarget
from reporting.models import MonthlyReview, ReviewActionItem, ReviewStatus
from reporting.reviews import selectors as reviews_selectors
from reporting.reviews import services as reviews
from salesmgmt.models import CompanySettings, Role
from tests.cast import REPS, ROLES
from tests.factories import ActivityFactory, TeamFactory, UserFactory, WeeklyPlanFactory

MARCH = date(2025, 3, 1)
VISIBLE = {
    "rep": {"rep"},
    "teammate": set(),  # their review is a draft
    "other_team_rep": set(),
    "south_rep": set(),
    "manager": {"rep", "teammate"},
    "other_manager": {"other_team_rep"},
    "south_manager": {"south_rep"},
    "director": {"rep", "teammate", "other_team_rep"},
    "admin": set(REPS),
}
ANNOTATORS = {"manager", "director", "admin"}


def planned_month(rep, calls_planned, calls_done):
    plan = WeeklyPlanFactory(
        rep=rep,
        week_start=date(2025, 3, 3),
        status=PlanStatus.APPROVED,
        submitted_at=datetime(2025, 3, 2, 12, tzinfo=CompanySettings.load().tzinfo),
    )
    PlanTarget.objects.create(
        plan=plan, metric=Metric.objects.get(key="calls"), planned=Decimal(calls_planned)
    )
    ActivityFactory(rep=rep, day=date(2025, 3, 4), quantity=Decimal(calls_done))


@pytest.fixture
def month(cast, manager):
    planned_month(cast["rep"], 40, 10)
    built = {name: reviews.build_monthly_review(rep=cast[name], month=MARCH) for name in REPS}
    built["rep"] = reviews.share_review(review=built["rep"], by=manager, version=1)
    return built


def listed(client, **query) -> set[int]:
    response = client.get("/reviews/", {"month": "2025-03", **query})
    assert response.status_code == 200
    return {r.pk for r in response.context["page"]}


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_list_shows_the_reviews_in_scope(month, cast, client_for, who):
    seen = listed(client_for(cast[who]))
    assert seen == {month[name].pk for name in VISIBLE[who]}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("owner", REPS)
def test_detail_in_scope_or_404(month, cast, client_for, who, owner):
    response = client_for(cast[who]).get(f"/reviews/{month[owner].pk}/")
    assert response.status_code == (200 if owner in VISIBLE[who] else 404)


def test_rep_list_defaults_to_all_months_and_hides_drafts(month, cast, client_for):
    response = client_for(cast["rep"]).get("/reviews/")
    assert [r.pk for r in response.context["page"]] == [month["rep"].pk]
    assert b"Rita Rep" not in response.content.split(b"<main")[1].split(b"review-list")[1]


@pytest.mark.parametrize("value", ["garbage", "2025-13", "0000-01"])
def test_malformed_month_is_a_form_error(month, cast, client_for, value):
    """A month that is not one shows an error next to the field instead of being ignored."""
    response = client_for(cast["manager"]).get("/reviews/", {"month": value})
    assert response.status_code == 200
    assert response.context["filter"]["form"].errors["month"] == ["Enter a month as YYYY-MM."]


@pytest.mark.parametrize("who", ROLES)
def test_write_endpoints_refuse_the_wrong_roles(month, cast, client_for, who):
    """Outside scope 404; a rep on their own review 403; nobody's text changes."""
    review = month["rep"]
    client = client_for(cast[who])
    response = client.post(
        f"/reviews/{review.pk}/notes/", {"version": review.version, "manager_notes": "Hi"}
    )
    if who in ANNOTATORS:
        assert response.status_code == 302
    elif who == "rep":
        assert response.status_code == 403  # sees their review, may not write the manager's part
    else:
        assert response.status_code == 404
    review.refresh_from_db()
    assert (review.manager_notes == "Hi") is (who in ANNOTATORS)


@pytest.mark.parametrize("who", ["teammate", "manager", "director", "admin", "other_manager"])
def test_only_the_rep_acknowledges(month, cast, client_for, who):
    review = month["rep"]
    response = client_for(cast[who]).post(
        f"/reviews/{review.pk}/acknowledge/", {"version": review.version}
    )
    assert response.status_code == (403 if who in ANNOTATORS else 404)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SHARED


def test_rep_cannot_open_a_draft_even_by_url(month, cast, client_for):
    draft = month["teammate"]
    assert client_for(cast["teammate"]).get(f"/reviews/{draft.pk}/").status_code == 404
    assert (
        client_for(cast["teammate"])
        .post(f"/reviews/{draft.pk}/acknowledge/", {"version": 1})
        .status_code
        == 404
    )


# --- The manager's work -------------------------------------------------------------------


def test_detail_shows_sections_and_keeps_recognition_apart(month, cast, client_for):
    """The month's kudos show in the review's own recognition section, before and apart
    from the areas to improve; it links to the separate recognition forms, and the notes
    form has no recognition field."""
    review = month["teammate"]
    Kudos.objects.create(
        giver=cast["manager"],
        recipient=cast["teammate"],
        message="Best demo of the quarter",
        created_at=datetime(2025, 3, 20, 12, tzinfo=CompanySettings.load().tzinfo),
    )
    response = client_for(cast["manager"]).get(f"/reviews/{review.pk}/")
    html = response.content.decode()
    for section in ("plans", "plan-vs-actual", "goals", "pipeline", "missed", "tasks"):
        assert f'id="{section}"' in html
    improve = html.split('id="improve"')[1].split("</article>")[0]
    recognition = html.split('id="recognition"')[1].split("</article>")[0]
    assert "Best demo of the quarter" in recognition
    assert "Best demo of the quarter" not in improve
    assert html.index('id="recognition"') < html.index('id="improve"')
    assert f"/recognition/kudos/new/?recipient={cast['teammate'].pk}" in recognition
    assert f"/recognition/awards/new/?recipient={cast['teammate'].pk}" in recognition
    coaching = html.split('id="coaching"')[1].split("</article>")[0]
    assert 'name="recognition"' not in html and "Recognition" not in coaching


def test_manager_sets_a_root_cause_in_place(month, cast, client_for):
    review = month["rep"]
    miss = review.misses.get()
    assert miss.key == "metric:calls"
    response = client_for(cast["manager"]).post(
        f"/reviews/{review.pk}/misses/{miss.pk}/",
        {"root_cause": "skill", "note": "Needs call openers", "version": miss.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.templates[0].name == "reporting/reviews/_miss.html"
    assert "Saved." in response.content.decode()
    miss.refresh_from_db()
    assert (miss.root_cause, miss.note) == ("skill", "Needs call openers")


def test_unknown_root_cause_is_refused_in_place(month, cast, client_for):
    review = month["rep"]
    miss = review.misses.get()
    response = client_for(cast["manager"]).post(
        f"/reviews/{review.pk}/misses/{miss.pk}/", {"root_cause": "weather"}, HTTP_HX_REQUEST="true"
    )
    assert "Select a valid choice" in response.content.decode()
    miss.refresh_from_db()
    assert miss.root_cause == ""


def test_stale_version_shows_a_form_error(month, cast, client_for):
    review = month["rep"]
    response = client_for(cast["manager"]).post(
        f"/reviews/{review.pk}/notes/", {"version": 1, "coaching_remarks": "Late"}
    )
    assert response.status_code == 400
    assert "Somebody changed this review" in response.content.decode()


def test_action_item_creates_the_task(month, cast, client_for):
    review = month["rep"]
    client = client_for(cast["manager"])
    response = client.post(f"/reviews/{review.pk}/actions/", {"text": "Role-play", "due": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(
        f"/reviews/{review.pk}/actions/", {"text": "Role-play openers", "due": "2999-01-04"}
    )
    assert response.status_code == 302
    action = ReviewActionItem.objects.get(review=review)
    assert Task.objects.get(pk=action.task_id).assignee == cast["rep"]
    response = client.post(f"/reviews/{review.pk}/actions/{action.pk}/remove/")
    assert not ReviewActionItem.objects.exists()


def test_share_and_regenerate(month, cast, client_for):
    review = month["teammate"]
    client = client_for(cast["manager"])
    assert client.post(f"/reviews/{review.pk}/share/", {"version": 1}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SHARED
    ActivityFactory(rep=cast["teammate"], day=date(2025, 3, 5), quantity=Decimal("3"))
    assert client.post(f"/reviews/{review.pk}/regenerate/").status_code == 302
    review.refresh_from_db()
    assert review.figures["metrics"][0]["actual"] == "3.00"
    assert client_for(cast["teammate"]).post(f"/reviews/{review.pk}/regenerate/").status_code == 403


def test_rep_acknowledges_then_comments(month, cast, client_for):
    review = month["rep"]
    client = client_for(cast["rep"])
    response = client.post(
        f"/reviews/{review.pk}/acknowledge/", {"version": review.version, "comment": "Agreed"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.rep_comment) == (ReviewStatus.ACKNOWLEDGED, "Agreed")
    response = client.post(
        f"/reviews/{review.pk}/comment/", {"version": review.version, "comment": "And thanks"}
    )
    review.refresh_from_db()
    assert review.rep_comment == "And thanks"
    page = client_for(cast["manager"]).get(f"/reviews/{review.pk}/").content.decode()
    assert "Acknowledged by Rita Rep" in page and "And thanks" in page


# --- Exports ------------------------------------------------------------------------------


def test_list_csv_is_formula_safe(month, cast, client_for):
    cast["rep"].first_name = "=HYPERLINK(1)"
    cast["rep"].save()
    response = client_for(cast["manager"]).get("/reviews/", {"month": "2025-03", "export": "csv"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("month,rep,team,status,plans_submitted,weeks")
    assert len(lines) == 3
    rita = next(line for line in lines if "HYPERLINK" in line)
    assert rita.startswith("2025-03,'=HYPERLINK(1) Rep,Alpha,Shared with the rep,1,5,")
    assert rita.split(",")[-4:-2] == ["1", "0"]  # one miss, no cause yet


# --- Summaries ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_team_summary_for_reviewers_only(month, cast, client_for, who):
    response = client_for(cast[who]).get("/reviews/team/", {"month": "2025-03"})
    assert response.status_code == (404 if who in REPS else 200)


@pytest.mark.parametrize("who", ROLES)
def test_division_summary_for_directors_and_admins(month, cast, client_for, who):
    response = client_for(cast[who]).get("/reviews/division/", {"month": "2025-03"})
    assert response.status_code == (200 if who in ("director", "admin") else 404)


def test_team_summary_figures(month, cast, client_for):
    reviews.set_miss_cause(miss=month["rep"].misses.get(), by=cast["manager"], root_cause="effort")
    response = client_for(cast["manager"]).get("/reviews/team/", {"month": "2025-03"})
    ctx = response.context
    assert ctx["team"].name == "Alpha"
    assert [r.rep.username for r in ctx["rows"]] == ["rep", "teammate"]
    totals = ctx["totals"]
    assert (totals["reviews"], totals["draft"], totals["shared"], totals["acknowledged"]) == (
        2,
        1,
        1,
        0,
    )
    assert (totals["plans_submitted"], totals["weeks"], totals["gaps"]) == (1, 10, 1)
    assert dict(ctx["causes"])["Rep effort"] == 1
    # Another manager's team cannot be picked.
    other = cast["other_team_rep"].team
    response = client_for(cast["manager"]).get("/reviews/team/", {"team": other.pk})
    assert response.context["team"].name == "Alpha"


def test_division_summary_figures(month, cast, client_for):
    response = client_for(cast["director"]).get("/reviews/division/", {"month": "2025-03"})
    rows = {r["rep__team__name"]: r for r in response.context["rows"]}
    assert set(rows) == {"Alpha", "Beta"}
    assert (rows["Alpha"]["reviews"], rows["Alpha"]["shared"], rows["Alpha"]["gaps"]) == (2, 1, 1)
    assert rows["Alpha"]["causes"][0] == 1  # one miss without a cause yet
    # The page names the causes a team has, in one cell, instead of a column per cause.
    assert rows["Alpha"]["named_causes"][0] == ("Not decided yet", 1)
    assert "Not decided yet <strong>1</strong>" in response.content.decode()
    assert response.context["totals"]["reviews"] == 3
    csv = b"".join(
        client_for(cast["director"])
        .get("/reviews/division/", {"month": "2025-03", "export": "csv"})
        .streaming_content
    ).decode()
    assert csv.splitlines()[1].startswith("Alpha,2,1,1,0,1,10,0,0.00,1,1,")


def _team_with_reps(manager, n):
    team = TeamFactory(manager=manager)
    for _ in range(n):
        rep = UserFactory(team=team)
        figures = reviews_selectors.compute_figures(rep, MARCH)
        figures["gaps"] = [
            {"key": "metric:calls", "label": "Calls", "expected": "5", "actual": "1"}
        ]
        review = MonthlyReview.objects.create(
            rep=rep,
            month=MARCH,
            generated_at=datetime(2025, 4, 1, tzinfo=CompanySettings.load().tzinfo),
            figures=figures,
        )
        reviews._sync_misses([review])
    return team


@pytest.mark.parametrize(
    "url", ["/reviews/team/", "/reviews/", "/reviews/division/"], ids=["team", "list", "division"]
)
def test_query_counts_do_not_grow_with_reps(db, url, client_for):

    counts = []
    for n in (5, 50):
        boss = UserFactory(role=Role.ADMIN, is_superuser=True)
        team = _team_with_reps(boss, n)
        client = client_for(boss)
        query = {"team": team.pk, "division": team.division_id, "month": "2025-03"}
        client.get(url, query)  # warm the session and the company settings cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, query).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 14


def test_detail_query_count(month, cast, client_for, django_assert_max_num_queries):
    client = client_for(cast["manager"])
    # With coaching's sections (sessions, training, recognition, improvement plans).
    with django_assert_max_num_queries(14):
        client.get(f"/reviews/{month['rep'].pk}/")


def test_division_summary_for_a_director_without_a_division(db, client_for):
    """Linked from the nav: a director not yet given a division reads why the page is empty."""
    director = UserFactory(role="director", division=None)
    response = client_for(director).get("/reviews/division/")
    assert response.status_code == 200
    assert b'id="no-division"' in response.content


def test_action_item_with_an_absurd_due_date_is_a_form_error(month, cast, client_for):
    company = CompanySettings.load()
    company.timezone = "America/Los_Angeles"
    company.save()
    response = client_for(cast["manager"]).post(
        f"/reviews/{month['rep'].pk}/actions/", {"text": "Typo", "due": "9999-12-31"}
    )
    assert response.status_code == 400
    assert response.context["action_form"].errors["due"] == ["Pick a due date up to 31 Dec 2999."]
    assert not ReviewActionItem.objects.filter(text="Typo").exists()
