"""The feed as calendar apps read it: /calendar/<token>.ics, no session, each person's
own dates only, in their timezone and language."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from activities.models import Task
from coaching.models import CoachingSession, SessionKind, TrainingAssignment, TrainingModule
from salesmgmt.calendar_feeds import views
from salesmgmt.calendar_feeds.services import (
    reset_calendar_feed,
    revoke_calendar_feed,
)
from salesmgmt.models import CalendarFeed
from tests.factories.deals import DealFactory
from tests.salesmgmt.calendar_feeds.conftest import events, uids

pytestmark = pytest.mark.django_db


def expected(world, cast):
    """Who finds what in their feed."""
    rep, teammate, manager = cast["rep"], cast["teammate"], cast["manager"]
    w = world
    return {
        "rep": {
            f"task-{w['rep_task'].pk}@salesmgmt",
            f"deal-next-step-{w['deal'].pk}@salesmgmt",
            f"plan-due-{rep.pk}-{w['this_week']:%Y-%m-%d}@salesmgmt",
            f"review-acknowledge-{w['shared_review'].pk}@salesmgmt",
            f"coaching-session-{w['session'].pk}@salesmgmt",
            f"coaching-session-{w['cancelled_session'].pk}@salesmgmt",
            f"training-{w['training'].pk}@salesmgmt",
        },
        "teammate": {
            f"task-{w['teammate_task'].pk}@salesmgmt",
            f"plan-due-{teammate.pk}-{w['this_week']:%Y-%m-%d}@salesmgmt",
            f"improvement-checkpoint-{w['checkpoint'].pk}@salesmgmt",
            f"improvement-plan-end-{w['improvement'].pk}@salesmgmt",
        },
        "manager": {
            f"plan-review-{w['plan'].pk}@salesmgmt",
            f"reviews-to-share-{manager.pk}-{w['draft_review'].month:%Y-%m}@salesmgmt",
            f"coaching-session-{w['session'].pk}@salesmgmt",
            f"coaching-session-{w['cancelled_session'].pk}@salesmgmt",
            f"improvement-checkpoint-{w['checkpoint'].pk}@salesmgmt",
            f"improvement-plan-end-{w['improvement'].pk}@salesmgmt",
        },
    }


def everything(world, cast) -> set[str]:
    return set().union(*expected(world, cast).values())


@pytest.mark.parametrize("who", ["rep", "teammate", "manager"])
def test_each_person_finds_their_own_dates_and_nobody_elses(who, world, cast, feed_of, read_feed):
    """Every dated thing of the world lands in exactly the feeds of the people it
    belongs to; weekly plan deadlines recur, so only this week's is named."""
    response, calendar = read_feed(feed_of(cast[who]))
    assert response.status_code == 200
    found = uids(calendar)
    mine = expected(world, cast)[who]
    assert mine <= found
    others = everything(world, cast) - mine
    assert not (others & found)
    # Done tasks, tasks beyond the window and the submitted week's deadline stay out.
    assert f"task-{world['done_task'].pk}@salesmgmt" not in found
    assert f"task-{world['far_task'].pk}@salesmgmt" not in found
    assert f"plan-due-{cast['rep'].pk}-{world['next_week']:%Y-%m-%d}@salesmgmt" not in found


@pytest.mark.parametrize("who", ["director", "admin", "other_manager", "other_team_rep"])
def test_people_who_see_more_do_not_get_others_dates_in_their_feed(
    who, world, cast, feed_of, read_feed
):
    """The feed is one's own calendar: a director or admin who may *see* the team's
    tasks and sessions does not get them as their own events; an outsider neither."""
    response, calendar = read_feed(feed_of(cast[who]))
    assert response.status_code == 200
    assert not (uids(calendar) & everything(world, cast))


def test_the_calendar_is_well_formed_for_subscribers(cast, world, feed_of, read_feed):
    rep = cast["rep"]
    rep.timezone = "Europe/Athens"
    rep.save(update_fields=["timezone"])
    response, calendar = read_feed(feed_of(rep))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "private" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    assert response["ETag"]
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//Salesmgmt//")
    assert calendar["X-WR-CALNAME"] == "Salesmgmt – Rita Rep"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Athens"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Athens"]
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert name in event, name
        assert str(event["URL"]).startswith(settings.SITE_URL + "/")
    session = events(calendar)[f"coaching-session-{world['session'].pk}@salesmgmt"]
    assert str(session["LOCATION"]) == "Café Aroma"
    assert "Bring the pipeline." in str(session["DESCRIPTION"])
    assert session["DTEND"].dt - session["DTSTART"].dt == timedelta(minutes=45)
    cancelled = events(calendar)[f"coaching-session-{world['cancelled_session'].pk}@salesmgmt"]
    assert cancelled["STATUS"] == "CANCELLED"
    assert b"PRIVATE" not in response.content


def test_private_notes_never_reach_the_coachs_feed_either(cast, world, feed_of, read_feed):
    response, _ = read_feed(feed_of(cast["manager"]))
    assert b"PRIVATE" not in response.content


@pytest.mark.parametrize(
    ("zone", "offset"), [("Asia/Jakarta", timedelta(hours=7)), ("Europe/Athens", None)]
)
def test_times_are_written_in_the_persons_own_timezone(zone, offset, cast, feed_of, read_feed):
    """A task due at 03:00 UTC reads 10:00 in Jakarta (UTC+7) and 05:00 in Athens in
    winter (UTC+2), with the zone named on the time and described in a VTIMEZONE."""
    rep = cast["rep"]
    rep.timezone = zone
    rep.save(update_fields=["timezone"])
    due = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
    task = Task.objects.create(title="Call at three UTC", assignee=rep, created_by=rep, due_at=due)
    with mock.patch("django.utils.timezone.now", return_value=datetime(2027, 1, 1, tzinfo=UTC)):
        response, calendar = read_feed(feed_of(rep))
    event = events(calendar)[f"task-{task.pk}@salesmgmt"]
    start = event["DTSTART"]
    assert start.params["TZID"] == zone
    assert start.dt.tzinfo.key == zone
    local_hour = {"Asia/Jakarta": 10, "Europe/Athens": 5}[zone]
    assert start.dt.hour == local_hour
    assert start.dt == due
    assert f"DTSTART;TZID={zone}:20270115T{local_hour:02d}0000".encode() in response.content
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [zone]


def test_all_day_items_are_dates_and_timed_items_are_times(cast, world, feed_of, read_feed):
    _, calendar = read_feed(feed_of(cast["rep"]))
    found = events(calendar)
    step = found[f"deal-next-step-{world['deal'].pk}@salesmgmt"]
    assert type(step["DTSTART"].dt) is date
    assert step["DTEND"].dt == step["DTSTART"].dt + timedelta(days=1)
    assert step["TRANSP"] == "TRANSPARENT"
    training = found[f"training-{world['training'].pk}@salesmgmt"]
    assert training["DTSTART"].dt == world["training"].due
    task = found[f"task-{world['rep_task'].pk}@salesmgmt"]
    assert isinstance(task["DTSTART"].dt, datetime)
    assert task["DTSTART"].dt == world["rep_task"].due_at.replace(microsecond=0)
    assert str(task["SUMMARY"]) == "Visit the warehouse — Harbour Supplies"
    assert str(task["URL"]).endswith(f"/tasks/{world['rep_task'].pk}/edit/")


def test_unknown_revoked_and_replaced_tokens_answer_404(cast, feed_of, read_feed):
    rep = cast["rep"]
    feed = feed_of(rep)
    old = feed.token
    assert read_feed(old)[0].status_code == 200
    assert read_feed("x" * 43)[0].status_code == 404
    assert read_feed(old[:-1] + ("A" if old[-1] != "A" else "B"))[0].status_code == 404
    assert read_feed("short")[0].status_code == 404
    new = reset_calendar_feed(user=rep)
    assert read_feed(old)[0].status_code == 404
    assert read_feed(new.token)[0].status_code == 200
    revoke_calendar_feed(user=rep)
    assert read_feed(new.token)[0].status_code == 404


def test_a_deactivated_persons_feed_answers_404(cast, feed_of, read_feed):
    rep = cast["rep"]
    feed = feed_of(rep)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert read_feed(feed)[0].status_code == 404


def test_the_feed_is_served_without_signing_in_and_sets_no_session(cast, feed_of, client):
    feed = feed_of(cast["rep"])
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert client.post(f"/calendar/{feed.token}.ics").status_code == 405
    # Some calendar apps check with HEAD first.
    assert client.head(f"/calendar/{feed.token}.ics").status_code == 200


def test_an_unchanged_feed_is_a_304(cast, feed_of, client):
    feed = feed_of(cast["rep"])
    first = client.get(f"/calendar/{feed.token}.ics")
    again = client.get(f"/calendar/{feed.token}.ics", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_last_fetched_is_written_at_most_once_an_hour(cast, feed_of, client):
    feed = feed_of(cast["rep"])
    client.get(f"/calendar/{feed.token}.ics")
    first = CalendarFeed.objects.get(pk=feed.pk).last_fetched_at
    assert first is not None
    client.get(f"/calendar/{feed.token}.ics")
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=first - timedelta(hours=2))
    client.get(f"/calendar/{feed.token}.ics")
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at > first


def test_a_token_polled_too_often_is_told_to_wait(cast, feed_of, client, monkeypatch):
    monkeypatch.setattr(views, "THROTTLE_REQUESTS", 2)
    feed = feed_of(cast["rep"])
    codes = [client.get(f"/calendar/{feed.token}.ics").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    other = feed_of(cast["teammate"])
    assert client.get(f"/calendar/{other.token}.ics").status_code == 200


def _grow(rep, manager, n):
    now = timezone.now()
    module = TrainingModule.objects.create(title=f"Module {n}")
    for i in range(n):
        Task.objects.create(
            title=f"Task {i}", assignee=rep, created_by=rep, due_at=now + timedelta(hours=i + 1)
        )
        DealFactory(owner=rep, next_step_date=now.date() + timedelta(days=i % 20))
        CoachingSession.objects.create(
            rep=rep,
            coach=manager,
            kind=SessionKind.ONE_TO_ONE,
            starts_at=now + timedelta(days=i + 1),
        )
    TrainingAssignment.objects.create(module=module, rep=rep, due=now.date() + timedelta(days=3))


# The feed row and its owner, the last-fetched write, then each source: tasks, deal next
# steps, plan deadlines, plan reviews, reviews to share, reviews to acknowledge, sessions
# (+ their focus areas), training, improvement checkpoints and plan ends.
QUERIES = 11


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_the_feed_costs_the_same_queries_for_1_or_40_of_each(
    who, cast, world, feed_of, client, django_assert_max_num_queries
):
    feed = feed_of(cast[who])
    url = f"/calendar/{feed.token}.ics"
    client.get(url)  # the company settings are cached from here, as in service
    _grow(cast["rep"], cast["manager"], 1)
    with django_assert_max_num_queries(QUERIES):
        small = client.get(url)
    _grow(cast["rep"], cast["manager"], 40)
    with django_assert_max_num_queries(QUERIES):
        large = client.get(url)
    assert large.content.count(b"BEGIN:VEVENT") >= small.content.count(b"BEGIN:VEVENT") + 40


def test_a_greek_readers_feed_is_in_greek(cast, world, feed_of, read_feed):
    rep = cast["rep"]
    rep.language = "el"
    rep.save(update_fields=["language"])
    response, calendar = read_feed(feed_of(rep))
    assert response["Content-Language"] == "el"
    summaries = {uid: str(event["SUMMARY"]) for uid, event in events(calendar).items()}
    plan_due = summaries[f"plan-due-{rep.pk}-{world['this_week']:%Y-%m-%d}@salesmgmt"]
    assert plan_due.startswith("Εβδομαδιαίο πλάνο")
    training = summaries[f"training-{world['training'].pk}@salesmgmt"]
    assert "Objection handling" in training and not training.startswith("Training due")
    assert str(calendar["X-WR-CALNAME"]) == "Salesmgmt – Rita Rep"


def test_a_manager_moved_off_the_team_no_longer_gets_its_coaching_dates(
    cast, world, feed_of, read_feed
):
    """The feed shows what the person's pages show: once the team has another manager,
    the old one's feed drops its reps' sessions and improvement checkpoints."""
    manager, team = cast["manager"], cast["rep"].team
    team.manager = cast["other_manager"]
    team.save(update_fields=["manager"])
    _, calendar = read_feed(feed_of(manager))
    found = uids(calendar)
    assert f"coaching-session-{world['session'].pk}@salesmgmt" not in found
    assert f"improvement-checkpoint-{world['checkpoint'].pk}@salesmgmt" not in found
