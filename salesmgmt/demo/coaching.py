"""The people side of the demo: a month of coaching sessions, kudos and awards, a
training plan with some of it overdue, a feedback period with answers and one
improvement plan. Runs last and draws from a stream of its own, so the rest of the
demo is the same with or without it."""

import random

from salesmgmt.demo import (
    coaching_feedback,
    coaching_improvement,
    coaching_recognition,
    coaching_sessions,
    coaching_training,
)
from salesmgmt.demo.base import SEED, DemoCompany
from salesmgmt.models import Notification


def load_coaching(demo: DemoCompany) -> None:
    rng = random.Random(SEED + 12)
    # Order matters: improvement plans name sessions and modules; recognition reads wins.
    coaching_training.load(demo, rng)
    coaching_sessions.load(demo, rng)
    coaching_recognition.load(demo, rng)
    coaching_feedback.load(demo, rng)
    coaching_improvement.load(demo, rng)
    # What coaching told people counts as e-mailed already, like the rest of the demo.
    Notification.objects.filter(email=True, emailed_at__isnull=True).update(emailed_at=demo.now)
