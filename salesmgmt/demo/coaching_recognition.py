"""Demo data of coaching.recognition: a month of kudos between teammates and from
managers, a few awards (a cash bonus paid with this month's statement, a day off, a
title), and the suggestions the nightly job makes, most of them still waiting.

The thanks managers wrote on last months' reviews are kudos already (control.py gives
them as such, as coaching 0003 moved the old review text).
"""

import random
from datetime import timedelta
from decimal import Decimal

from coaching.models import Award, Kudos, RecognitionSuggestion, SuggestionReason
from coaching.recognition import services
from salesmgmt.demo.base import DemoCompany, workday

FROM_TEAMMATES = [
    "Thanks for jumping on my {customer} call when I was stuck in traffic.",
    "Your objection-handling notes saved my demo this morning. Thank you!",
    "Thanks for covering my follow-ups while I was at the trade fair.",
    "Great tip on the pricing sheet, closed the upsell with it.",
    "You made the team meeting fun again, cheers for the quiz.",
    "Thanks for sharing the {customer} contact, we have a meeting booked.",
    "Appreciate you walking me through the new CRM stages.",
]
FROM_MANAGERS = [
    "Brilliant discovery call with {customer}: you asked about budget early and it paid off.",
    "Every plan in on Monday morning this month. That discipline shows in your numbers.",
    "Calm and clear with an upset customer today. Thank you.",
    "Your pipeline notes are the best in the team; I used them as the example.",
    "Well done on {customer}: patient work over weeks.",
]


def load(demo: DemoCompany, rng: random.Random) -> None:
    start = demo.today.replace(day=1) - timedelta(days=3)  # a month, with a few days before
    days = [d for d in (start + timedelta(n) for n in range((demo.today - start).days + 1))]
    workdays = sorted({workday(d) for d in days if workday(d) >= start})
    teams: dict[str, list] = {}
    for rep in demo.reps:
        teams.setdefault(rep.team.name, []).append(rep)

    for name, reps in teams.items():
        manager = demo.managers.get(name)
        users = [r.user for r in reps]
        for _ in range(min(8, 2 * len(users))):
            giver, recipient = rng.sample(users, 2)
            _kudos(demo, rng, giver, recipient, FROM_TEAMMATES, workdays, reps)
        if manager is not None:
            for recipient in rng.sample(users, min(3, len(users))):
                _kudos(demo, rng, manager, recipient, FROM_MANAGERS, workdays, reps)

    _awards(demo, rng, teams)
    # The nightly job's suggestions from the demo's wins (goals beaten, last month's
    # biggest deal of each team, KPI streaks); one is answered with an award above.
    services.suggest_recognition(now=demo.at(demo.today, max(demo.company.alert_hour, 12)))
    _answer_one(demo)


def _customer(rng, rep) -> str:
    return rng.choice(rep.customers).name if rep.customers else "the Harbour"


def _kudos(demo, rng, giver, recipient, messages, workdays, reps) -> None:
    owner = next((r for r in reps if r.user == recipient), None)
    message = rng.choice(messages).format(customer=_customer(rng, owner) if owner else "")
    kudos = services.give_kudos(giver=giver, recipient=recipient, message=message)
    moment = demo.at(rng.choice(workdays), rng.uniform(8.5, 17.5))
    Kudos.objects.filter(pk=kudos.pk).update(created_at=min(moment, demo.now))


def _awards(demo, rng, teams) -> None:
    """Three awards in the first team with a manager: cash (this month: paid with this
    month's statement), a day off, a title; and a gift in the next team."""
    staffed = [(name, reps) for name, reps in teams.items() if demo.managers.get(name)]
    if not staffed:
        return
    name, reps = staffed[0]
    manager = demo.managers[name]
    ranked = sorted(reps, key=lambda r: -sum(s.price for s in r.won_sales))
    first_of_month = demo.today.replace(day=1)
    given = [
        (ranked[0], "cash", Decimal("500.00"), "", "Top seller of last month: well earned."),
        (
            ranked[-1],
            "time_off",
            None,
            "1 day",
            "Covered the whole team's follow-ups in a week with three people out.",
        ),
        (
            ranked[min(1, len(ranked) - 1)],
            "title",
            None,
            "Team mentor",
            "Onboarded our two new reps; they closed their first deals in week three.",
        ),
    ]
    if len(staffed) > 1:
        other_name, other_reps = staffed[1]
        given.append(
            (
                rng.choice(other_reps),
                "gift",
                Decimal("80.00"),
                "Dinner for two",
                "Kept every KPI green through the quarter's busiest month.",
            )
        )
        boss = demo.managers[other_name]
    for i, (rep, kind, value, value_text, reason) in enumerate(given):
        by = manager if i < 3 else boss
        day = min(demo.today, workday(first_of_month + timedelta(days=2 + 5 * i)))
        if day < first_of_month:
            day = first_of_month
        award = services.give_award(
            by=by,
            recipient=rep.user,
            kind=kind,
            value=value,
            value_text=value_text,
            reason=reason,
            given_on=day,
        )
        Award.objects.filter(pk=award.pk).update(created_at=min(demo.at(day, 16), demo.now))


def _answer_one(demo) -> None:
    """A manager acted on one suggestion (the kudos named it); the rest wait."""
    suggestion = (
        RecognitionSuggestion.objects.pending()
        .filter(reason=SuggestionReason.GOAL_BEATEN)
        .order_by("pk")
        .first()
    )
    if suggestion is None:
        return
    services.give_kudos(
        giver=suggestion.manager,
        recipient=suggestion.rep,
        message="Goal beaten: congratulations, that was a strong finish.",
        goal=suggestion.goal,
        suggestion=suggestion,
    )
