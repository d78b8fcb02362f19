"""The feedback API: submit (reps, once per period), periods with 'answered', results
under the same threshold and scoping as the page, and signed feedback."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.feedback import services
from coaching.models import FeedbackPeriod, FeedbackSubmission, SignedFeedback
from tests.coaching.feedback.conftest import SECRET, answer, api_body, ratings

pytestmark = pytest.mark.django_db


def test_submit_answers_with_the_period_only(api_for, rep, period):
    response = api_for(rep).post(reverse("feedback-submit"), api_body(3, SECRET), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["period"]["id"] == period.pk and body["period"]["answered"] is True
    assert set(body) == {"period", "detail"}
    assert FeedbackSubmission.objects.get().text == SECRET


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b: b["ratings"].pop(), "ratings"),
        (lambda b: b["ratings"][0].update(rating=0), "ratings"),
        (lambda b: b["ratings"].append(dict(b["ratings"][0])), "ratings"),
        (lambda b: b["ratings"].append({"question": 9999, "rating": 3}), "ratings"),
        (lambda b: b.update(text="x" * 5000), "text"),
    ],
)
def test_bad_submissions_are_400_with_the_field(api_for, rep, period, change, field):
    body = api_body(3)
    change(body)
    response = api_for(rep).post(reverse("feedback-submit"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not FeedbackSubmission.objects.exists()


def test_questions_list_what_submit_rates(api_for, rep, period):
    """A client reads the questions, rates each by id, and the answer is taken."""
    questions = api_for(rep).get(reverse("feedback-questions")).json()
    assert [q["name"] for q in questions][0] and len(questions) == 5
    body = {"ratings": [{"question": q["id"], "rating": 2} for q in questions]}
    assert api_for(rep).post(reverse("feedback-submit"), body, format="json").status_code == 201


def test_submit_outside_a_period_is_400(api_for, rep, period):
    FeedbackPeriod.objects.all().delete()
    response = api_for(rep).post(reverse("feedback-submit"), api_body(), format="json")
    assert response.status_code == 400
    assert "No feedback period is open" in str(response.json()["errors"])


def test_second_submit_is_400(api_for, rep, period):
    api = api_for(rep)
    assert api.post(reverse("feedback-submit"), api_body(), format="json").status_code == 201
    response = api.post(reverse("feedback-submit"), api_body(), format="json")
    assert response.status_code == 400
    assert "already answered" in str(response.json()["errors"])
    assert FeedbackSubmission.objects.count() == 1


def test_periods_say_whether_i_answered(api_for, rep, teammate, period):
    previous = services.ensure_period(today=period.start - timedelta(days=1))
    answer(rep)
    rows = api_for(rep).get(reverse("feedback-period-list")).json()["results"]
    by_id = {r["id"]: r for r in rows}
    assert by_id[period.pk]["answered"] is True and by_id[period.pk]["is_open"] is True
    assert by_id[previous.pk]["answered"] is False and by_id[previous.pk]["is_open"] is False
    rows = api_for(teammate).get(reverse("feedback-period-list")).json()["results"]
    assert {r["id"]: r["answered"] for r in rows}[period.pk] is False


def test_results_follow_the_threshold(api_for, manager, alpha, period):
    api = api_for(manager)
    answer(alpha[0], 2, text=SECRET)
    answer(alpha[1], 2, text=SECRET)
    (team,) = api.get(reverse("feedback-results")).json()["teams"]
    assert (team["answers"], team["waiting"], team["shown"]) == (0, 2, False)
    assert (team["questions"], team["texts"]) == ([], [])
    answer(alpha[2], 5, text=SECRET)
    body = api.get(reverse("feedback-results"), {"period": period.pk}).json()
    (team,) = body["teams"]
    assert team["shown"] and team["answers"] == 3 and team["texts"] == [SECRET] * 3
    assert team["questions"][0]["average"] == 3.0 and team["questions"][0]["count"] == 3
    assert body["divisions"] == [] and body["threshold"] == 3


def test_director_results_are_figures_per_division_and_manager(api_for, cast, alpha, period):
    for user in alpha[:3]:
        answer(user, 4, text=SECRET)
    body = api_for(cast["director"]).get(reverse("feedback-results")).json()
    assert body["teams"] == []
    (north,) = body["divisions"]
    assert north["name"] == "North" and north["shown"] and "texts" not in north
    assert [m["id"] for m in north["managers"]] == [cast["manager"].pk]
    assert SECRET not in str(body)
    # One manager, by id; a manager outside the division, a division outside: 404.
    one = api_for(cast["director"]).get(
        reverse("feedback-results"), {"manager": cast["manager"].pk}
    )
    assert one.status_code == 200 and one.json()["divisions"][0]["managers"][0]["shown"]
    for params in (
        {"manager": cast["south_manager"].pk},
        {"division": cast["south_rep"].team.division_id},
        {"period": 99999},
    ):
        assert api_for(cast["director"]).get(reverse("feedback-results"), params).status_code == 404


def test_managers_cannot_look_at_other_managers(api_for, cast, alpha, period):
    for params in (
        {"manager": cast["other_manager"].pk},
        {"division": cast["rep"].team.division_id},
    ):
        response = api_for(cast["manager"]).get(reverse("feedback-results"), params)
        assert response.status_code == 404


def test_admin_sees_every_division(api_for, cast, alpha, period):
    body = api_for(cast["admin"]).get(reverse("feedback-results")).json()
    assert [d["name"] for d in body["divisions"]] == ["North", "South"]


def test_results_query_count_is_fixed(api_for, cast, alpha, period, django_assert_max_num_queries):
    """The admin's results cost the same with one period at the threshold as with two
    periods and more answers."""
    for user in alpha[:3]:
        answer(user, 3)
    with CaptureQueriesContext(connection) as ctx:
        api_for(cast["admin"]).get(reverse("feedback-results"))
    answer(alpha[3], 1, text="more")
    previous = services.ensure_period(today=period.start - timedelta(days=1))
    for user in alpha:
        services.submit_feedback(by=user, ratings=ratings(2), today=previous.start)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert api_for(cast["admin"]).get(reverse("feedback-results")).status_code == 200


def test_signed_feedback_on_the_api(api_for, cast, period):
    response = api_for(cast["rep"]).post(
        reverse("signed-feedback-list"), {"text": "Signed via API"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"] == cast["rep"].pk and body["manager"] == cast["manager"].pk
    assert body["author_name"] == "Rita Rep" and body["period"] == period.pk
    rows = api_for(cast["manager"]).get(reverse("signed-feedback-list")).json()["results"]
    assert [r["text"] for r in rows] == ["Signed via API"]
    assert (
        api_for(cast["other_manager"]).get(reverse("signed-feedback-list")).json()["results"] == []
    )
    blank = api_for(cast["rep"]).post(reverse("signed-feedback-list"), {"text": ""}, format="json")
    assert blank.status_code == 400 and "text" in blank.json()["errors"]
    assert SignedFeedback.objects.count() == 1
