"""Giving feedback on the page: the form, once per period, while a period is open, only
with a manager to give it to; and signed feedback, a separate, explicit choice."""

from datetime import timedelta

import pytest
from django.urls import reverse

from coaching.feedback.panels import feedback_due_panel
from coaching.models import FeedbackAnswered, FeedbackRating, FeedbackSubmission, SignedFeedback
from salesmgmt.models import CompanySettings, Notification
from tests.coaching.feedback.conftest import SECRET, answer, form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_rep_sees_the_questions_as_one_to_five(client_for, rep, period):
    page = client_for(rep).get(reverse("feedback:give")).content.decode()
    assert 'id="feedback-form"' in page
    assert page.count('type="radio"') == 5 * 5
    assert "Send signed feedback instead" in page


def test_answering_records_it_about_the_team_manager(client_for, rep, manager, team, period):
    """The answer is about Rita's team manager, in her team and division, with a rating
    per question; the page then says she answered this period."""
    response = client_for(rep).post(reverse("feedback:give"), form_data(4, SECRET), follow=True)
    submission = FeedbackSubmission.objects.get()
    assert (submission.manager, submission.team, submission.division, submission.period) == (
        manager,
        team,
        team.division,
        period,
    )
    assert submission.text == SECRET
    assert sorted(FeedbackRating.objects.values_list("rating", flat=True)) == [4] * 5
    assert FeedbackAnswered.objects.filter(user=rep, period=period).exists()
    assert 'id="feedback-answered"' in response.content.decode()


def test_a_second_answer_is_refused(client_for, rep, period):
    client = client_for(rep)
    client.post(reverse("feedback:give"), form_data(4))
    client.post(reverse("feedback:give"), form_data(1, "again"))
    assert FeedbackSubmission.objects.count() == 1
    with pytest.raises(Exception, match="already answered"):
        answer(rep)
    assert FeedbackSubmission.objects.count() == 1


def test_missing_ratings_are_field_errors_and_nothing_is_saved(client_for, rep, period):
    data = form_data(4, SECRET)
    first = next(k for k in data if k.startswith("q"))
    data.pop(first)
    data["q999"] = "7"
    page = client_for(rep).post(reverse("feedback:give"), data).content.decode()
    assert "Pick 1 to 5." in page
    assert SECRET in page  # what was written is kept in the form
    assert not FeedbackSubmission.objects.exists() and not FeedbackAnswered.objects.exists()


def test_out_of_range_rating_is_refused(client_for, rep, period):
    data = form_data(4)
    data[next(k for k in data if k.startswith("q"))] = "6"
    client_for(rep).post(reverse("feedback:give"), data)
    assert not FeedbackSubmission.objects.exists()


def test_a_rep_without_a_team_manager_is_told_why(client_for, team, period):
    loner = UserFactory(username="loner")
    orphan_team_rep = UserFactory(username="orphan", team=team)
    team.manager = None
    team.save(update_fields=["manager"])
    for user in (loner, orphan_team_rep):
        client = client_for(user)
        assert "no team manager" in client.get(reverse("feedback:give")).content.decode()
        client.post(reverse("feedback:give"), form_data())
    assert not FeedbackSubmission.objects.exists() and not FeedbackAnswered.objects.exists()


def test_no_open_period_no_form(client_for, rep, period):
    period.closes_on = CompanySettings.load().today() - timedelta(days=1)
    period.save(update_fields=["closes_on"])
    client = client_for(rep)
    assert 'id="feedback-closed"' in client.get(reverse("feedback:give")).content.decode()
    client.post(reverse("feedback:give"), form_data())
    assert not FeedbackSubmission.objects.exists()


def test_signed_feedback_names_the_author_to_the_manager(client_for, rep, manager, period):
    """Signed feedback is its own page and model: the manager sees it with Rita's name
    and is told; no anonymous answer is made."""
    response = client_for(rep).post(
        reverse("feedback:signed_new"), {"text": "Please review my territory."}, follow=True
    )
    assert "signed with your name" in response.content.decode()
    signed = SignedFeedback.objects.get()
    assert (signed.author, signed.manager, signed.period) == (rep, manager, period)
    assert not FeedbackSubmission.objects.exists() and not FeedbackAnswered.objects.exists()
    note = Notification.objects.get(user=manager)
    assert str(rep) in note.title
    page = client_for(manager).get(reverse("feedback:signed_list")).content.decode()
    assert "Please review my territory." in page and "Rita Rep" in page


def test_blank_signed_feedback_is_a_field_error(client_for, rep):
    page = client_for(rep).post(reverse("feedback:signed_new"), {"text": "  "}).content.decode()
    assert "field-error" in page
    assert not SignedFeedback.objects.exists()


def test_signed_list_shows_each_their_own(client_for, cast, period):
    """The author and the manager it is for (and admins) see it; teammates, other
    managers and the director do not."""
    client_for(cast["rep"]).post(reverse("feedback:signed_new"), {"text": "Signed note"})
    for who, sees in {
        "rep": True,
        "teammate": False,
        "manager": True,
        "other_manager": False,
        "director": False,
        "admin": True,
    }.items():
        page = client_for(cast[who]).get(reverse("feedback:signed_list")).content.decode()
        assert ("Signed note" in page) is sees, who


def test_signed_list_exports_csv(client_for, rep, manager, period):
    client_for(rep).post(reverse("feedback:signed_new"), {"text": "CSV note"})
    response = client_for(manager).get(reverse("feedback:signed_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "sent,from,to,period,text"
    assert "CSV note" in body and "Rita Rep" in body


def test_rep_home_shows_the_open_period_until_answered(client_for, rep, period):
    client = client_for(rep)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert 'id="feedback-due"' in home
    answer(rep)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert 'id="feedback-due"' not in home


def test_rep_home_panel_costs_two_queries(rf, rep, teammate, period, django_assert_max_num_queries):
    """The panel reads the open period and whether the rep answered: two queries, with
    or without answers."""
    request = rf.get("/")
    request.user = rep
    CompanySettings.load()  # cached, as on any page
    answer(teammate)
    with django_assert_max_num_queries(2):
        assert 'id="feedback-due"' in feedback_due_panel(request, user=rep)
    answer(rep)
    with django_assert_max_num_queries(2):
        assert feedback_due_panel(request, user=rep) == ""
