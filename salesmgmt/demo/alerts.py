"""Deviation alerts with what managers did about them, so the alerts pages and the
monthly review show the handling: one alert of last month (recovered, with a note and an
acknowledgement, in last month's review), and today's open alerts of
the demo manager's reps acknowledged with a note, answered with a task, snoozed, or new.

Today's are recorded through reporting.alerts.services, as a manager would; last month's
is history (like the imported monthly totals), written with its own dates."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from reporting.alerts import services as alerts
from reporting.models import DeviationAction, DeviationActionKind, DeviationEpisode, Kpi
from salesmgmt.models import User


def past_alert(demo, month_start) -> None:
    """Rita fell behind on calls for a week last month; her manager noted why; she recovered.
    (No task: the demo's tasks stay within the last two weeks.)
    Runs before last month's reviews are built, so her review lists it."""
    rep = demo.reps[0].user
    manager = rep.team.manager
    zone = demo.company.tzinfo
    week = demo.company.week_of(month_start + timedelta(days=9))
    opened, closed = week + timedelta(days=2), week + timedelta(days=7)

    def at(day, hour):
        return datetime.combine(day, time(hour), tzinfo=zone)

    episode = DeviationEpisode.objects.create(
        kpi=Kpi.objects.get(key="calls-per-week"),
        rep=rep,
        period_start=week,
        severity="amber",
        opened_on=opened,
        closed_on=closed,
        actual=Decimal(41),
        expected=Decimal(72),
        url=f"/dashboard/reps/{rep.pk}/",
        acknowledged_at=at(opened, 10),
        acknowledged_by=manager,
    )
    DeviationAction.objects.bulk_create(
        [
            DeviationAction(
                episode=episode,
                kind=DeviationActionKind.NOTE,
                text="Rita spent Monday and Tuesday on the trade fair; calls dropped, leads up.",
                by=manager,
                at=at(opened, 9),
            ),
            DeviationAction(
                episode=episode, kind=DeviationActionKind.ACKNOWLEDGE, by=manager, at=at(opened, 10)
            ),
        ]
    )


def handled_alerts(demo) -> None:
    """Today's open alerts of reps, the demo manager's first, each handled by the rep's own
    manager: acknowledged with a note and a task, given a task, snoozed for a week,
    acknowledged with a note; any further ones stay new. The director sees them all."""
    manager = User.objects.get(username="manager")
    episodes = sorted(
        DeviationEpisode.objects.open()
        .filter(rep__isnull=False)
        .select_related("rep__team__manager")
        .order_by("pk"),
        key=lambda e: (e.rep.team.manager_id != manager.pk, e.pk),
    )
    today = demo.today

    def note(e, text):
        alerts.add_note(episode=e, by=e.rep.team.manager, text=text)

    def task(e, text):
        alerts.give_task(episode=e, by=e.rep.team.manager, text=text, due=today + timedelta(days=3))

    def acknowledge(e):
        alerts.acknowledge(episode=e, by=e.rep.team.manager)

    steps = [
        lambda e: (
            note(e, "Two days out sick last week; the pipeline is fine. Back on pace by Friday."),
            task(e, "Call the ten oldest open leads and book follow-ups"),
            acknowledge(e),
        ),
        lambda e: task(e, "Block an hour of calls every morning this week"),
        lambda e: alerts.snooze(
            episode=e,
            by=e.rep.team.manager,
            until=today + timedelta(days=7),
            text="On a product training this week; we look again next Friday.",
        ),
        lambda e: (note(e, "Covering a colleague's accounts; expected to dip."), acknowledge(e)),
    ]
    for episode, step in zip(episodes, steps, strict=False):
        step(episode)
