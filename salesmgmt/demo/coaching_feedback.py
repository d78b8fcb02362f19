"""Demo data of coaching.feedback: the current feedback period with answers (Harbour's
reps past the threshold, Athens and Manila just at it, Jakarta with two — below it, and
so its division shows Manila's figures only inside the division's), the previous period for
trends, and one signed note from Rita to her manager.

Answers go through the service, as a rep's would: no author, no time. Rita ("rep") has
not answered the current period, so her page shows the form.
"""

import random
from datetime import timedelta

from coaching.feedback import selectors, services
from salesmgmt.demo.base import DemoCompany

# Team -> (answers this period, answers last period, the team's mood: mean rating).
ANSWERS = {
    "Harbour": (4, 5, 3.8),
    "Athens": (3, 3, 3.2),
    "Manila": (3, 4, 4.1),
    "Jakarta": (2, 0, 3.5),
}

TEXTS = (
    "Our one-to-ones get cancelled too often. When they happen they are really useful.",
    "Thanks for backing us on the pricing exception last month; it won the deal.",
    "Pipeline reviews feel like an interrogation. More questions, fewer verdicts, please.",
    "I would like clearer priorities when three things are 'urgent' on the same day.",
    "You recognise good work in public, which the whole team notices. Keep doing it.",
    "Ride-alongs with you were the best training I had this year. More of them.",
    "Decisions on territory changes come late and without an explanation.",
    "",
    "",
)


def load(demo: DemoCompany, rng: random.Random) -> None:
    current = services.ensure_period(today=demo.today)
    previous = services.ensure_period(today=current.start - timedelta(days=1))
    questions = [q.pk for q in selectors.questions()]
    by_team: dict[str, list] = {}
    for rep in demo.reps:
        by_team.setdefault(rep.team.name, []).append(rep.user)
    for team, (now_count, before_count, mood) in ANSWERS.items():
        # The first rep of the first team is Rita ("rep"): she answers neither period.
        reps = [u for u in by_team.get(team, []) if u.username != "rep"]
        for period, count in ((previous, before_count), (current, now_count)):
            answering = rng.sample(reps, min(count, len(reps)))
            day = min(period.start + timedelta(days=20), demo.today)
            for user in answering:
                ratings = {q: _rating(rng, mood) for q in questions}
                services.submit_feedback(
                    by=user, ratings=ratings, text=rng.choice(TEXTS), today=day
                )
    rita = next((r.user for r in demo.reps if r.user.username == "rep"), None)
    if rita is not None:
        services.send_signed_feedback(
            by=rita,
            text="I would rather say this with my name: the new lead routing sends me "
            "accounts outside my territory twice a week. Could we look at it together?",
            today=demo.today,
        )


def _rating(rng: random.Random, mood: float) -> int:
    return max(1, min(5, round(rng.gauss(mood, 0.9))))
