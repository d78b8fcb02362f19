"""The threshold: a manager sees a period's figures and texts for a team only from its
third answer; small teams count only toward the division; directors see the division
and per-manager figures (never text) without any figure that would reveal a smaller
group by subtraction; trends per period; a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.feedback import selectors, services
from coaching.models import FeedbackPeriod
from tests.coaching.feedback.conftest import SECRET, answer, ratings
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _results(client, **params):
    return client.get(reverse("feedback:results"), params).content.decode()


def test_two_answers_show_nothing_but_the_count(client_for, manager, alpha, period):
    """Below the threshold the manager reads '2 of 3 answers so far' and no figure, no
    text."""
    answer(alpha[0], 1, text=f"{SECRET} one")
    answer(alpha[1], 5, text=f"{SECRET} two")
    page = _results(client_for(manager))
    assert "2 of 3 answers so far" in page
    assert SECRET not in page
    assert "Average (1-5)" not in page


def test_the_third_answer_shows_averages_and_texts(client_for, manager, alpha, period):
    """With the third answer the team's averages per question and the three texts appear."""
    answer(alpha[0], 1, text=f"{SECRET} one")
    answer(alpha[1], 2, text=f"{SECRET} two")
    answer(alpha[2], 3, text=f"{SECRET} three")
    page = _results(client_for(manager))
    assert "of 3 answers so far" not in page
    assert "<strong>3</strong> answers" in page
    assert page.count(SECRET) == 3
    assert page.count("2.0</td>") >= len(list(selectors.questions()))  # mean of 1, 2, 3


def test_figures_per_question_are_the_mean_and_count(manager, alpha, period):
    """Average and number of ratings per question, computed by the database."""
    question = selectors.questions().first()
    for user, value in zip(alpha[:3], (5, 4, 2), strict=True):
        ratings = {q.pk: 3 for q in selectors.questions()} | {question.pk: value}
        services.submit_feedback(by=user, ratings=ratings)
    (team,) = selectors.team_figures(manager, period)
    first = team.questions[0]
    assert (first["question"], first["average"], first["count"]) == (question.pk, 3.67, 3)
    assert team.texts == []  # blank texts are not shown as comments


def test_texts_come_in_random_order_and_alone(manager, alpha, period):
    """The texts are not in the order given (the order is random per read), and carry
    nothing but themselves."""
    texts = [f"answer {i}" for i in range(3)]
    for user, text in zip(alpha[:3], texts, strict=True):
        answer(user, text=text)
    orders = {tuple(selectors.team_figures(manager, period)[0].texts) for _ in range(30)}
    assert all(sorted(order) == sorted(texts) for order in orders)
    assert len(orders) > 1
    assert all(isinstance(t, str) for t in selectors.team_figures(manager, period)[0].texts)


def test_a_team_too_small_never_shows_and_counts_for_the_division(
    client_for, cast, other_team_rep, period, alpha
):
    """Team Beta has two reps: its manager reads that its answers count toward the
    division only; they pool with the division's other small team (Delta), and the
    director's North total includes them once the pool reaches three."""
    extra = UserFactory(username="beta_two", team=other_team_rep.team)
    delta = TeamFactory(name="Delta", division=other_team_rep.team.division, manager=cast["admin"])
    answer(other_team_rep, 1, text=f"{SECRET} beta")
    answer(extra, 1, text=f"{SECRET} beta two")
    page = _results(client_for(cast["other_manager"]))
    assert "count only toward the division" in page
    assert SECRET not in page and "answers so far" not in page
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert (north.answers, north.waiting, north.shown) == (0, 2, False)
    answer(UserFactory(username="delta_one", team=delta), 5)
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert north.answers == 3 and north.shown
    # Beta's two answers (1s) and Delta's (5s): the division's mean per question.
    assert {q["average"] for q in north.questions} == {2.33}
    assert north.managers == []  # small teams are not counted per manager


def test_director_sees_per_manager_figures_and_never_text(client_for, cast, alpha, period):
    """North with Alpha at four answers and Beta with none: the director reads North and
    Maria's figures, no free text."""
    for user in alpha:
        answer(user, 4, text=SECRET)
    page = _results(client_for(cast["director"]))
    assert "North" in page and "Maria Manager" in page
    assert SECRET not in page
    assert "South" not in page
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    # Batches of three: the fourth answer waits for two more.
    assert north.shown and north.managers[0].shown and north.managers[0].answers == 3
    assert north.waiting == 1


def test_a_lone_answer_waits_and_is_never_in_a_figure(cast, alpha, period, other_team):
    """North: Alpha 3 answers, Beta (grown to 3 reps) 1. Beta's one answer waits outside
    every figure (North shows Alpha's 3, nothing to subtract), so Maria's show."""
    beta = [UserFactory(team=other_team) for _ in range(2)] + [cast["other_team_rep"]]
    for user in alpha[:3]:
        answer(user, 5)
    answer(beta[0], 1)
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert north.shown and (north.answers, north.waiting) == (3, 1)
    assert {q["average"] for q in north.questions} == {5.0}
    by_name = {m.label: m for m in north.managers}
    assert by_name["Maria Manager"].shown and "Oscar Other" not in by_name
    # With Beta at three answers, both show.
    for user in beta[1:]:
        answer(user, 1)
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert all(m.shown for m in north.managers)


def test_a_manager_of_another_team_sees_nothing_of_alpha(client_for, cast, alpha, period):
    for user in alpha:
        answer(user, text=SECRET)
    for who in ("other_manager", "south_manager"):
        page = _results(client_for(cast[who]))
        assert SECRET not in page and "Alpha" not in page


def test_trends_show_periods_at_the_threshold_only(cast, alpha, period):
    """A previous period with 3 answers and one with 2: the trend holds the first and
    this one."""
    before = services.ensure_period(today=period.start.replace(day=1) - _days(1))
    older = services.ensure_period(today=before.start - _days(1))
    for user in alpha[:3]:
        services.submit_feedback(by=user, ratings=_all(2), today=before.start)
    for user in alpha[:2]:
        services.submit_feedback(by=user, ratings=_all(1), today=older.start)
    for user in alpha:
        answer(user, 4)
    teams = selectors.team_figures(cast["manager"], period)
    trend = selectors.team_trends(cast["manager"], [older, before, period], teams)[teams[0].id]
    assert [p["id"] for p in trend["periods"]] == [before.pk, period.pk]
    assert trend["series"][0]["averages"] == [2.0, 4.0]
    divisions = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    north = selectors.division_trends(divisions, [older, before, period])[divisions[0].id]
    assert [p["answers"] for p in north["periods"]] == [3, 3]  # the fourth waits


def test_results_page_keeps_its_query_count(
    client_for, cast, alpha, period, django_assert_max_num_queries
):
    """The manager's, the director's and the admin's pages cost the same with one period
    at the threshold as with more periods and answers."""

    def count(user):
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(user).get(reverse("feedback:results")).status_code == 200
        return len(ctx.captured_queries)

    for user in alpha[:3]:
        answer(user, 3)
    small = {who: count(cast[who]) for who in ("manager", "director", "admin")}
    previous = services.ensure_period(today=period.start - _days(1))
    for user in alpha:
        services.submit_feedback(by=user, ratings=_all(2), today=previous.start, text="x")
    answer(alpha[3], 4, text="y")
    for who in ("manager", "director", "admin"):
        with django_assert_max_num_queries(small[who]):
            assert client_for(cast[who]).get(reverse("feedback:results")).status_code == 200


def test_csv_export_holds_figures_only(client_for, manager, alpha, period):
    for user in alpha[:3]:
        answer(user, 4, text=SECRET)
    response = client_for(manager).get(reverse("feedback:results"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("period,group,name,answers,question,average,ratings")
    assert "Alpha,3," in body and SECRET not in body


def test_other_periods_can_be_picked(client_for, manager, alpha, period):
    previous = services.ensure_period(today=period.start - _days(1))
    page = _results(client_for(manager), period=previous.pk)
    assert re.search(rf'<option value="{previous.pk}"\s+selected', page)
    assert FeedbackPeriod.objects.count() == 2


def _days(n):
    return timedelta(days=n)


def _all(value):
    return ratings(value)


def test_done_when_the_team_answers_on_the_page(client_for, manager, alpha, period, team):
    """The issue's 'done when': Alpha's reps answer on the page one by one; Maria's
    results say '1 of 3', '2 of 3', then show the averages and all three texts; the
    fourth and fifth answers wait (still 3 shown, "1 answer is waiting"), so no single
    answer can be read off a change; the sixth shows all six."""
    reps = [*alpha, UserFactory(username="fifth", team=team), UserFactory(team=team)]
    for i, user in enumerate(reps, start=1):
        response = client_for(user).post(
            reverse("feedback:give"), {**_form(i % 5 + 1), "text": f"{SECRET} {i}"}, follow=True
        )
        assert "recorded anonymously" in response.content.decode()
        page = _results(client_for(manager))
        if i < 3:
            assert f"{i} of 3 answers so far" in page and SECRET not in page
        elif i < 6:
            assert "<strong>3</strong> answers" in page
            assert page.count(SECRET) == 3
            assert all(f"{SECRET} {n}" in page for n in (1, 2, 3))
            waiting = {3: "", 4: "1 answer is waiting", 5: "2 answers are waiting"}[i]
            assert (f"{waiting} for others before" in page) if waiting else "waiting" not in page
        else:
            assert "<strong>6</strong> answers" in page and "waiting" not in page
            assert all(f"{SECRET} {n}" in page for n in range(1, 7))


def _form(value):
    return {f"q{q}": value for q in ratings(value)}


def test_leftover_answers_are_never_shown_even_after_the_period(client_for, cast, alpha, period):
    """Alpha's 4th answer waits; once the period has closed it is still not in any
    figure, text or count but 'waiting' (manager page, director figures)."""
    for i, user in enumerate(alpha, start=1):
        answer(user, 5 if i < 4 else 1, text=f"{SECRET} {i}")
    FeedbackPeriod.objects.filter(pk=period.pk).update(closes_on=period.start)
    page = _results(client_for(cast["manager"]), period=period.pk)
    assert "<strong>3</strong> answers" in page and f"{SECRET} 4" not in page
    assert "1 answer is waiting for others" in page
    (team,) = selectors.team_figures(cast["manager"], period)
    assert {q["average"] for q in team.questions} == {5.0}
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert (north.answers, north.waiting) == (3, 1)


def test_small_teams_pool_in_their_division(cast, period, other_team_rep):
    """Two small teams of North answer: nothing shows until the pool holds three, then
    the division does (the small teams' managers see only that they count there)."""
    delta = TeamFactory(name="Delta", division=other_team_rep.team.division, manager=cast["admin"])
    answer(other_team_rep, 2)
    answer(UserFactory(username="d1", team=delta), 2)
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert (north.answers, north.waiting, north.shown) == (0, 2, False)
    answer(UserFactory(username="d2", team=delta), 5)
    (north,) = selectors.division_figures(selectors.divisions_for(cast["director"]), period)
    assert (north.answers, north.waiting, north.shown) == (3, 0, True)
    assert {q["average"] for q in north.questions} == {3.0}
