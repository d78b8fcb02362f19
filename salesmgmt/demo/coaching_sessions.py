"""Demo data of coaching.sessions: about a month of coaching per team.

Each rep had one or two sessions in the last four weeks (held, with shared and private
notes, focus areas and action items: some done, some overdue, some open); one rep per
team was last coached six weeks ago, so the overview flags them; one session was
prompted by an open deviation alert and one by a deal; about half the reps have a
session booked in the coming week (the demo rep's on the next working day), and one
per team was cancelled."""

import random
from datetime import timedelta

from activities.models import Deal, StageKind
from coaching.models import FocusArea, SessionKind, SessionStatus
from coaching.sessions import services
from reporting.models import DeviationEpisode
from salesmgmt.demo.base import DemoCompany, next_workday, workday

NOTES = {
    "prospecting": (
        "We listened to three of your cold calls together. Your opener is strong; ask the "
        "second question before pitching. Target: 20 new conversations a week.",
        "Pipeline is thin for next month. If prospecting does not pick up by the 15th we "
        "talk about territory again.",
    ),
    "presentation": (
        "Demo flow is clear. Cut the feature tour to three features the customer named and "
        "finish with a next step on the calendar.",
        "Lost the room at slide 12 at the Harbour meeting; rehearse the short version.",
    ),
    "closing": (
        "Ask for the order once the open questions are answered; do not wait for the "
        "customer to bring it up. Practise the two closing questions we agreed.",
        "Hit rate has slid three months running. Watch whether discounting is a habit.",
    ),
    "product-knowledge": (
        "Go through the new service plans before the next customer visit; bring questions.",
        "Gave a wrong delivery time to a customer last week. Needs the product refresher.",
    ),
    "territory-planning": (
        "Split the territory into four route days; see the two biggest accounts every month.",
        "Spending too much time on small accounts in the far corner of the region.",
    ),
    "communication": (
        "Follow-up e-mails: same day, three lines, one clear next step.",
        "Two customers complained about slow answers. Not yet a pattern.",
    ),
    "time-management": (
        "Block two mornings a week for calls; admin after 16:00.",
        "Plans are submitted late every other week. Ask what gets in the way.",
    ),
}
ITEMS = {
    "prospecting": ["Book 5 discovery calls", "Ask two customers for a referral"],
    "presentation": ["Rehearse the 10-minute demo", "Send the one-page summary after demos"],
    "closing": ["Ask for the order in every proposal meeting", "Role-play objections"],
    "product-knowledge": ["Finish the service plans module", "Shadow a product specialist"],
    "territory-planning": ["Draw the four route days", "List the top 10 accounts"],
    "communication": ["Answer customer e-mails the same day", "Write the follow-up template"],
    "time-management": ["Block call mornings in the calendar", "Submit the weekly plan by Monday"],
}
LOCATIONS = ["Meeting room 2", "Video call", "Café across the street", "Customer site", ""]


def load(demo: DemoCompany, rng: random.Random) -> None:
    today = demo.today
    areas = {a.key: a for a in FocusArea.objects.active()}
    keys = [k for k in NOTES if k in areas]
    alerts = {}
    for episode in DeviationEpisode.objects.awake(today).filter(rep__isnull=False).order_by("pk"):
        alerts.setdefault(episode.rep_id, episode)
    prompted = {"alert": False, "deal": False}
    by_team: dict[str, list] = {}
    for rep in demo.reps:
        if rep.user.is_active:
            by_team.setdefault(rep.team.name, []).append(rep)

    for team, reps in by_team.items():
        coach = demo.managers[team]
        for position, rep in enumerate(reps):
            user = rep.user
            if position == len(reps) - 1 and len(reps) > 2:
                # Last coached six weeks ago: the overview lists them first among the green.
                _held(demo, rng, coach, user, 42, rng.sample(keys, 1), items=False)
                continue
            for days_ago in sorted(rng.sample(range(2, 27), rng.choice((1, 2))), reverse=True):
                prompt = {}
                if not prompted["deal"] and days_ago > 5:
                    deal = Deal.objects.filter(owner=user, stage__kind=StageKind.OPEN).first()
                    if deal:
                        prompt = {"prompt_deal": deal, "kind": SessionKind.DEAL_REVIEW}
                        prompted["deal"] = True
                _held(demo, rng, coach, user, days_ago, rng.sample(keys, 2), **prompt)
            if position == 1:
                _cancelled(demo, rng, coach, user)
            episode = alerts.get(user.pk)
            if episode is not None and not prompted["alert"] and user.team.manager_id == coach.pk:
                _upcoming(demo, rng, coach, user, 1, prompt_episode=episode)
                prompted["alert"] = True
            elif user.username == "rep" or position % 2 == 0:
                _upcoming(
                    demo, rng, coach, user, 1 if user.username == "rep" else rng.randint(2, 7)
                )


def _held(demo, rng, coach, rep, days_ago, focus, *, items=True, **prompt):
    day = workday(demo.today - timedelta(days=days_ago))
    shared, private = NOTES[focus[0]]
    session = services.create_session(
        by=coach,
        rep=rep,
        kind=prompt.pop("kind", rng.choice(SessionKind.values)),
        starts_at=demo.at(day, rng.choice((9, 10.5, 14, 15.5))),
        duration_minutes=rng.choice((30, 45, 60, 90)),
        location=rng.choice(LOCATIONS),
        focus_areas=[FocusArea.objects.get(key=k) for k in focus],
        prompt_note="Deal stuck in proposal for three weeks." if prompt else "",
        shared_notes=shared,
        private_notes=private,
        next_session_on=day + timedelta(days=rng.choice((14, 21, 28))),
        status=SessionStatus.HELD,
        **prompt,
    )
    if not items:
        return session
    for n, text in enumerate(ITEMS[focus[0]]):
        owner = rep if n == 0 or rng.random() < 0.7 else coach
        item = services.add_action_item(
            session=session, by=coach, text=text, owner=owner, due=demo.today
        )
        due = next_workday(day + timedelta(days=rng.choice((3, 7, 10, 14))))
        task = item.task
        task.due_at = services.due_moment(due, owner)
        task.save(update_fields=["due_at"])
        item.due = due
        item.save(update_fields=["due"])
        if due < demo.today and rng.random() < 0.6:
            services.complete_action_item(item=item, by=owner)
    return session


def _upcoming(demo, rng, coach, rep, days_ahead, **prompt):
    day = next_workday(demo.today + timedelta(days=days_ahead))
    focus = rng.sample(list(NOTES), 1)
    return services.create_session(
        by=coach,
        rep=rep,
        kind=rng.choice((SessionKind.ONE_TO_ONE, SessionKind.RIDE_ALONG, SessionKind.CALL_REVIEW)),
        starts_at=demo.at(day, rng.choice((9.5, 11, 14.5))),
        duration_minutes=60,
        location=rng.choice(LOCATIONS),
        focus_areas=FocusArea.objects.filter(key__in=focus),
        prompt_note="Calls behind pace this month." if prompt else "",
        **prompt,
    )


def _cancelled(demo, rng, coach, rep):
    """A session called off (the rep was ill, a customer moved a meeting)."""
    session = _upcoming(demo, rng, coach, rep, rng.randint(1, 6))
    services.cancel_session(session=session, by=coach, version=session.version)
