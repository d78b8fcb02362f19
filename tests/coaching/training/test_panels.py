"""Training on lower pages: the team dashboard (overdue count and who, due this month),
a monthly review (training completed in its month, with scores) and a rep's home (due
soon or overdue). Each panel's query count stays fixed as the team grows."""

from datetime import datetime, time, timedelta

import pytest
from django.test import RequestFactory

from coaching.training import panels
from reporting.models import MonthlyReview
from salesmgmt.calendar import month_of, previous_month
from salesmgmt.models import CompanySettings
from tests.coaching.training.conftest import days, make_assignment, make_module, today
from tests.factories import TeamFactory, UserFactory


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_team_dashboard_shows_overdue_and_due_this_month(catalogue, cast, team, client_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(-3))
    make_assignment(catalogue["competition"], cast["teammate"], due=days(-1))
    make_assignment(catalogue["welcome"], cast["rep"], due=month_of(today()).end)
    make_assignment(
        catalogue["welcome"], cast["teammate"], due=month_of(today()).end + timedelta(days=1)
    )
    make_assignment(catalogue["product"], cast["other_team_rep"], due=days(-3))

    page = client_for(cast["manager"]).get("/dashboard/team/").content.decode()

    assert 'id="team-training"' in page
    assert "2 overdue" in page
    assert "1 due this month" in page
    assert "Rita Rep</a> · Product knowledge" in page
    assert "Otto Beta" not in page


def test_team_panel_is_for_reviewers_only(catalogue, cast, team):
    assert panels.team_training(_request(cast["rep"]), team=team, today=today()) == ""


def test_team_panel_query_count_is_fixed(db, django_assert_num_queries):
    for reps in (2, 12):
        boss = UserFactory(role="manager")
        team = TeamFactory(manager=boss)
        module = make_module(f"M{reps}")
        for i in range(reps):
            make_assignment(module, UserFactory(team=team), due=days(i - reps // 2))
        with django_assert_num_queries(1):
            panels.team_training(_request(boss), team=team, today=today())


@pytest.fixture
def review(cast, catalogue):
    month = previous_month(today())
    return MonthlyReview.objects.create(
        rep=cast["rep"],
        month=month,
        generated_at=datetime.now(CompanySettings.load().tzinfo),
        figures={},
    )


def _done_on(assignment, day):
    zone = CompanySettings.load().tzinfo
    assignment.completed_at = datetime.combine(day, time(12), zone)
    assignment.save(update_fields=["completed_at"])


def test_review_lists_the_months_completed_training_with_scores(review, catalogue, cast):
    month = review.month
    inside = make_assignment(catalogue["product"], cast["rep"], due=month, score=84)
    _done_on(inside, month + timedelta(days=3))
    before = make_assignment(catalogue["competition"], cast["rep"], due=month, score=50)
    _done_on(before, month - timedelta(days=1))
    other = make_assignment(catalogue["product"], cast["teammate"], due=month, score=99)
    _done_on(other, month + timedelta(days=3))

    html = panels.review_training(_request(cast["manager"]), review=review)

    assert 'id="review-training"' in html
    assert "Product knowledge" in html and ">84<" in html
    assert "Competitive intelligence" not in html and ">99<" not in html


def test_review_panel_on_the_review_page(review, catalogue, cast, client_for):
    review.status = "shared"
    review.save()
    page = client_for(cast["rep"]).get(f"/reviews/{review.pk}/")
    assert b"No training completed this month." in page.content


def test_review_panel_query_count(review, catalogue, cast, django_assert_num_queries):
    for n in range(5):
        done = make_assignment(make_module(f"R{n}"), cast["rep"], due=review.month)
        _done_on(done, review.month + timedelta(days=n))
    with django_assert_num_queries(1):
        panels.review_training(_request(cast["manager"]), review=review)


def test_rep_home_shows_due_soon_and_overdue(catalogue, cast, client_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(-2))
    make_assignment(catalogue["competition"], cast["rep"], due=days(10))
    make_assignment(catalogue["welcome"], cast["rep"], due=days(30))

    page = client_for(cast["rep"]).get("/").content.decode()

    assert 'id="my-training"' in page
    assert "Product knowledge" in page and "Competitive intelligence" in page
    assert "Welcome" not in page


def test_rep_home_panel_is_empty_without_training(cast):
    assert panels.rep_training(_request(cast["rep"]), user=cast["rep"]) == ""
