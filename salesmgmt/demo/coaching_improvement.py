"""Demo data of coaching.improvement: one improvement plan, for the rep who signs in as
"rep", answering a miss of their review whose root cause is their skill (the control step
gives the first miss of each annotated review that cause). It names one of the rep's
coaching sessions and a training module when those steps made any, has three
checkpoints (one done with a result, one due in two days, one later) and the rep's
acknowledgement with a comment."""

import random
from datetime import datetime, time, timedelta

from coaching.improvement import services
from coaching.models import (
    CoachingSession,
    ImprovementEvent,
    ImprovementEventKind,
    ImprovementPlan,
    TrainingModule,
)
from reporting.models import ReviewMiss, RootCause
from salesmgmt.demo.base import DemoCompany
from salesmgmt.web import plain_number


def load(demo: DemoCompany, rng: random.Random) -> None:
    rep = demo.reps[0].user
    manager = rep.team.manager
    miss = _rep_caused_miss(rep)
    today = demo.today
    starts_on = today - timedelta(days=rng.randint(18, 22))
    session = CoachingSession.objects.filter(rep=rep).order_by("-starts_at").first()
    module = TrainingModule.objects.active().order_by("title").first()
    support = "A ride-along every other week; we listen to two of your recorded calls together."
    if module is None:
        support += " Discovery-call training when the module is published."
    checkpoints = [
        (starts_on + timedelta(days=14), "Call review: three discovery calls, budget asked early"),
        (
            today + timedelta(days=2),
            "Ride-along: two customer visits, proposals agreed on the spot",
        ),
        (today + timedelta(days=25), "Month figures: held appointments back to plan"),
    ]
    plan = services.open_plan(
        by=manager,
        rep=rep,
        miss=miss,
        reason="" if miss else "Held appointments well under plan for two months.",
        goals_text=(
            f"{miss.label}: back to {plain_number(miss.expected):,} a month "
            f"(was {plain_number(miss.actual):,})."
            if miss
            else "Held appointments back to plan."
        )
        + " Turn more held appointments into proposals.",
        support_text=support,
        sessions=[session] if session else [],
        modules=[module] if module else [],
        starts_on=starts_on,
        ends_on=today + timedelta(days=40),
        checkpoints=[services.CheckpointIn(due=due, what=what) for due, what in checkpoints],
    )
    first = plan.checkpoints.order_by("due").first()
    services.record_checkpoint(
        checkpoint=first,
        by=manager,
        version=plan.version,
        result="Budget came up in two of three calls; keep going with the question list.",
        done=True,
    )
    plan.refresh_from_db()
    services.acknowledge_plan(
        plan=plan,
        by=rep,
        version=plan.version,
        comment="Agreed. The ride-alongs help most; can we add one on a renewal?",
    )
    _backdate(demo, plan, starts_on, first.due)


def _rep_caused_miss(rep) -> ReviewMiss | None:
    """The rep's latest review miss caused by skill or effort; else their latest miss,
    given the cause skill (as their manager would after ruling out the rest)."""
    misses = ReviewMiss.objects.filter(review__rep=rep, stale=False).order_by(
        "-review__month", "position", "pk"
    )
    miss = misses.filter(root_cause__in=services.REP_CAUSES).first()
    if miss is None and (miss := misses.first()) is not None:
        miss.root_cause, miss.note = RootCause.SKILL, "Discovery questions come late."
        miss.version += 1
        miss.save(update_fields=["root_cause", "note", "version"])
    return miss


def _backdate(demo: DemoCompany, plan: ImprovementPlan, opened, reviewed) -> None:
    """The history as it happened over the weeks, not all at the moment of seeding."""
    zone = demo.company.tzinfo
    days = {
        ImprovementEventKind.OPENED: opened,
        ImprovementEventKind.CHECKPOINT: reviewed,
        ImprovementEventKind.ACKNOWLEDGED: opened + timedelta(days=1),
    }
    for event in ImprovementEvent.objects.filter(plan=plan):
        at = datetime.combine(days[event.kind], time(10, 30), tzinfo=zone)
        ImprovementEvent.objects.filter(pk=event.pk).update(at=at)
    ack = datetime.combine(days[ImprovementEventKind.ACKNOWLEDGED], time(10, 30), tzinfo=zone)
    plan.checkpoints.filter(done_at__isnull=False).update(
        done_at=datetime.combine(reviewed, time(10, 30), tzinfo=zone)
    )
    ImprovementPlan.objects.filter(pk=plan.pk).update(acknowledged_at=ack)
