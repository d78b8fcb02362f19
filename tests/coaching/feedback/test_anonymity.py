"""Anonymity, through every surface: after a rep answers (on the page and on the API)
nothing in the database, the API, the admin or the logs leads from the answer back to
its author.

The database check reads every row of every installed model (including many-to-many
through tables, sessions, admin log entries, notifications and axes' tables) and looks
for a row that holds both something of the author (a foreign key to them, their
username, name or e-mail) and something of the answer (its key, any of its ratings'
keys, or its text).
"""

import logging
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.feedback import selectors, services
from coaching.models import (
    FeedbackAnswered,
    FeedbackQuestion,
    FeedbackRating,
    FeedbackSubmission,
)
from salesmgmt.models import Notification, Role, User
from tests.coaching.feedback.conftest import SECRET, answer, api_body, form_data, ratings
from tests.factories import DivisionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _all_models():
    seen, result = set(), []
    for model in apps.get_models(include_auto_created=True):
        for m in [model, *(f.remote_field.through for f in model._meta.local_many_to_many)]:
            if m._meta.label not in seen:
                seen.add(m._meta.label)
                result.append(m)
    return result


def _author_marks(author: User) -> list[str]:
    return [author.username, author.email, author.get_full_name()]


def _links_author(model, row: dict, author: User) -> bool:
    for f in model._meta.concrete_fields:
        value = row[f.attname]
        if f.is_relation and f.related_model is User and value == author.pk:
            return True
        if isinstance(value, str | bytes) and any(
            mark in str(value) for mark in _author_marks(author)
        ):
            return True
    return False


def _links_content(model, row: dict, keys: set[str], text: str) -> bool:
    for f in model._meta.concrete_fields:
        value = row[f.attname]
        if value is None:
            continue
        if isinstance(value, uuid.UUID):
            value = str(value)
        value = str(value)
        if text in value or any(k in value or k.replace("-", "") in value for k in keys):
            return True
    return False


def _content_keys(submission) -> set[str]:
    keys = {str(submission.pk)}
    keys |= {
        str(pk)
        for pk in FeedbackRating.objects.filter(submission=submission).values_list("pk", flat=True)
    }
    return keys


def assert_no_row_links(author: User, text: str):
    submission = FeedbackSubmission.objects.get(text=text)
    keys = _content_keys(submission)
    checked = 0
    for model in _all_models():
        for row in model._base_manager.all().values(
            *[f.attname for f in model._meta.concrete_fields]
        ):
            checked += 1
            assert not (
                _links_author(model, row, author) and _links_content(model, row, keys, text)
            ), f"{model._meta.label} links {author.username} to their answer: {row}"
    # Sessions are signed and encoded: read what they hold (the signed-in user, messages).
    for session in Session.objects.all():
        data = SessionStore().decode(session.session_data)
        if data.get("_auth_user_id") == str(author.pk):
            held = str(data)
            assert text not in held and not any(k in held for k in keys), data
    assert checked > 50  # the whole database was read, not an empty one
    # The one per-person row exists and names no submission.
    marker = FeedbackAnswered.objects.get(user=author)
    assert not _links_content(
        FeedbackAnswered,
        {f.attname: getattr(marker, f.attname) for f in FeedbackAnswered._meta.concrete_fields},
        keys,
        text,
    )
    assert submission.manager_id != author.pk


def test_the_answer_tables_hold_no_author_and_no_time():
    """A submission and its ratings have no column pointing at the answering person and
    no time at all; their keys are random; the 'answered' marker points at no answer."""
    for model in (FeedbackSubmission, FeedbackRating):
        fields = model._meta.concrete_fields
        assert not [
            f.name
            for f in fields
            if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        ]
        assert isinstance(model._meta.pk, models.UUIDField)
        assert model._meta.pk.default is uuid.uuid4
        user_links = [f.name for f in fields if f.is_relation and f.related_model is User]
        assert user_links == (["manager"] if model is FeedbackSubmission else [])
        assert not model._meta.many_to_many
    marker_links = {
        f.related_model for f in FeedbackAnswered._meta.concrete_fields if f.is_relation
    }
    assert FeedbackSubmission not in marker_links and FeedbackRating not in marker_links
    assert not [
        f
        for f in FeedbackAnswered._meta.concrete_fields
        if isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
    ]
    # Nothing else in the project points at an answer either.
    pointing = [
        (m._meta.label, f.name)
        for m in _all_models()
        for f in m._meta.concrete_fields
        if f.is_relation and f.related_model is FeedbackSubmission and m is not FeedbackRating
    ]
    assert pointing == []


def test_no_row_anywhere_links_a_page_answer_to_its_author(client_for, rep, alpha, period):
    """Answered on the page (with a session, messages, the middleware and axes all in
    play): no row of any table ties Rita to her answer."""
    response = client_for(rep).post(reverse("feedback:give"), form_data(2, SECRET), follow=True)
    assert response.status_code == 200
    assert FeedbackSubmission.objects.filter(text=SECRET).count() == 1
    assert_no_row_links(rep, SECRET)


def test_no_row_anywhere_links_an_api_answer_to_its_author(api_for, rep, alpha, period):
    """Answered through the API: the same."""
    response = api_for(rep).post(reverse("feedback-submit"), api_body(2, SECRET), format="json")
    assert response.status_code == 201, response.content
    assert str(FeedbackSubmission.objects.get().pk) not in response.content.decode()
    assert_no_row_links(rep, SECRET)


PERSONAL_KEYS = {"author", "user", "rep", "username", "created_at", "submitted_at", "time"}


def _keys(data) -> set[str]:
    """Every key of every object in a JSON body."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_api_responses_name_no_author(api_for, cast, alpha, period):
    """Once the team is past the threshold, what the manager, the director and the admin
    read from every feedback endpoint holds the text but no author's id, username or
    name — and no key of any answer."""
    for i, user in enumerate(alpha[:3]):
        answer(user, 2 + i, text=f"{SECRET} #{i}")
    keys = {str(pk) for pk in FeedbackSubmission.objects.values_list("pk", flat=True)}
    keys |= {str(pk) for pk in FeedbackRating.objects.values_list("pk", flat=True)}
    for who in ("manager", "director", "admin"):
        api = api_for(cast[who])
        responses = [
            api.get(reverse("feedback-results")),
            api.get(reverse("feedback-results"), {"period": period.pk}),
            api.get(reverse("feedback-period-list")),
            api.get(reverse("signed-feedback-list")),
        ]
        bodies = [r.content.decode() for r in responses]
        for response, body in zip(responses, bodies, strict=True):
            assert response.status_code == 200
            for author in alpha[:3]:
                assert author.username not in body
                assert author.get_full_name() not in body
            assert not any(key in body for key in keys)
            assert not _keys(response.json()) & PERSONAL_KEYS
        if who == "manager":
            assert SECRET in bodies[0]  # the texts are there: this is the manager's read


def test_admin_shows_no_answer_and_no_author(client_for, cast, alpha, period):
    """Answers and 'answered' markers are not in the admin at all; the admin pages that
    exist (questions, periods) show no author, and the answer writes no admin log."""
    client = client_for(cast["admin"])
    client_for(cast["rep"]).post(reverse("feedback:give"), form_data(3, SECRET))
    client = client_for(cast["admin"])
    index = client.get(reverse("admin:index")).content.decode()
    assert "Feedback submissions" not in index and "Feedback answereds" not in index
    assert "Feedback periods" in index and "Feedback questions" in index
    for name in ("feedbacksubmission", "feedbackrating", "feedbackanswered"):
        assert client.get(f"/admin/coaching/{name}/").status_code == 404
    submission = FeedbackSubmission.objects.get()
    assert (
        client.get(f"/admin/coaching/feedbacksubmission/{submission.pk}/change/").status_code == 404
    )
    for url in (
        reverse("admin:coaching_feedbackperiod_changelist"),
        reverse("admin:coaching_feedbackperiod_change", args=[period.pk]),
        reverse("admin:coaching_feedbackquestion_changelist"),
    ):
        page = client.get(url).content.decode()
        assert SECRET not in page
        assert cast["rep"].get_full_name() not in page
    assert not LogEntry.objects.exists()


def test_logs_during_an_answer_name_nobody(client_for, rep, alpha, period, caplog):
    """Every logger at DEBUG, and every SQL statement, while Rita answers: no record
    holds her username or name; no statement holds both her id and the text."""
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        client_for(rep).post(reverse("feedback:give"), form_data(1, SECRET))
    assert FeedbackSubmission.objects.filter(text=SECRET).exists()
    for record in caplog.records:
        message = record.getMessage()
        assert not (SECRET in message and rep.username in message), record
        if record.name.startswith(("coaching", "salesmgmt")):
            assert rep.username not in message and rep.get_full_name() not in message, record
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert any(SECRET in sql for sql in inserts)
    for sql in inserts:
        if SECRET in sql or "feedbackrating" in sql:
            assert f", {rep.pk})" not in sql and f"({rep.pk}," not in sql, sql
            assert "feedbackanswered" not in sql


def test_sql_is_never_logged():
    """Logged SQL would put the 'answered' insert and the answer's insert side by side:
    the settings keep django.db.backends at WARNING whatever LOG_LEVEL says."""
    assert settings.LOGGING["loggers"]["django.db.backends"]["level"] == "WARNING"
    assert logging.getLogger("django.db.backends").level == logging.WARNING


def test_the_page_and_the_manager_hear_nothing_per_answer(client_for, rep, manager, alpha, period):
    """The thank-you message repeats nothing of the answer, and no notification goes out
    at the moment of an answer (not even the third): the daily job says 'ready'."""
    for user in alpha[1:3]:
        answer(user, 4, text="fine")
    response = client_for(rep).post(reverse("feedback:give"), form_data(5, SECRET), follow=True)
    page = response.content.decode()
    assert "recorded anonymously" in page
    assert SECRET not in page
    assert not Notification.objects.exists()


def test_a_question_added_mid_period_shows_no_one_persons_rating(
    client_for, manager, alpha, period
):
    """The threshold holds per question: a question added after three answers, rated by
    one person, shows neither average nor count (page, API, CSV, trend)."""
    for user in alpha[:3]:
        answer(user, 4)
    new = FeedbackQuestion.objects.create(key="late", name="Late question", position=999)
    services.submit_feedback(by=alpha[3], ratings={**ratings(4), new.pk: 1})
    (team,) = selectors.results_for(manager, period).teams
    row = next(q for q in team.questions if q["question"] == new.pk)
    assert (row["average"], row["count"]) == (None, 0)
    assert all(q["average"] == 4.0 for q in team.questions if q["question"] != new.pk)
    assert None in team.trend["series"][-1]["averages"]
    response = client_for(manager).get(reverse("feedback:results"), {"export": "csv"})
    csv = b"".join(response.streaming_content).decode()
    assert not any("Late question" in line and "1.0" in line for line in csv.splitlines())


def _reps(team, n, prefix):
    return [UserFactory(username=f"{prefix}{i}", team=team) for i in range(n)]


def test_a_director_managing_teams_cannot_subtract_their_own_team(period):
    """A director manages team A (3 answers, shown to them as its manager) and team B,
    whose 2 answers were batched with small team C's while B was small; B has since
    grown. Their manager row (A + B = 5) is hidden, as 5 - 3 would be B's two answers;
    the division (6, of which 3 beyond A) is shown."""
    north = DivisionFactory(name="North 2")
    director = UserFactory(username="dir2", role=Role.DIRECTOR, division=north)
    team_a = TeamFactory(name="A", division=north, manager=director)
    team_b = TeamFactory(name="B", division=north, manager=director)
    team_c = TeamFactory(name="C", division=north, manager=UserFactory(username="mc2"))
    reps_b = _reps(team_b, 2, "b")
    for user in reps_b:
        answer(user, 1)
    answer(_reps(team_c, 1, "c")[0], 5)  # B and C are small: pooled, batched at three
    for user in _reps(team_a, 3, "a"):
        answer(user, 4)
    UserFactory(username="b-new", team=team_b)  # B can now reach the threshold
    found = selectors.results_for(director, period)
    shown = {t.id: t.shown for t in found.teams}
    assert shown == {team_a.pk: True, team_b.pk: False}
    (division,) = found.divisions
    (row,) = [m for m in division.managers if m.id == director.pk]
    assert row.answers == 5 and not row.shown and row.hidden and row.questions == []
    assert division.shown and division.answers == 6


def test_a_director_sees_the_division_when_the_rest_reaches_the_threshold(period):
    """Known team blocks hide nothing when the rest is 3 or more."""
    north = DivisionFactory(name="North 3")
    director = UserFactory(username="dir3", role=Role.DIRECTOR, division=north)
    team_a = TeamFactory(name="A", division=north, manager=director)
    other = TeamFactory(name="C", division=north, manager=UserFactory(username="mc"))
    for user in _reps(team_a, 3, "a") + _reps(other, 3, "c"):
        answer(user, 4)
    (division,) = selectors.results_for(director, period).divisions
    assert division.shown and division.questions[0]["average"] == 4.0


def test_admin_manager_rows_are_per_division_and_hidden_rows_carry_nothing(api_for, cast, period):
    """A manager with teams in two divisions has one row per division, each from that
    division's answers only (never pooled across divisions); a row that is not shown
    carries no question in the API."""
    north, south = DivisionFactory(name="N4"), DivisionFactory(name="S4")
    manager = UserFactory(username="m4", role=Role.MANAGER)
    team_n = TeamFactory(name="TN", division=north, manager=manager)
    team_s = TeamFactory(name="TS", division=south, manager=manager)
    for user in _reps(team_n, 3, "n"):
        answer(user, 4)
    for user in _reps(team_s, 3, "s"):
        answer(user, 1)
    admin = cast["admin"]
    everything = selectors.results_for(admin, period)
    by_division = {d.id: d.managers for d in everything.divisions}
    (row_n,) = [m for m in by_division[north.pk] if m.id == manager.pk]
    (row_s,) = [m for m in by_division[south.pk] if m.id == manager.pk]
    assert (row_n.answers, row_n.questions[0]["average"]) == (3, 4.0)
    assert (row_s.answers, row_s.questions[0]["average"]) == (3, 1.0)
    body = api_for(admin).get(reverse("feedback-results")).json()
    rows = [row for division in body["divisions"] for row in division["managers"]]
    assert rows and all(row["questions"] == [] for row in rows if not row["shown"])
