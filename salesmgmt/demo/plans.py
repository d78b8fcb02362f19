"""Twelve weeks of weekly plans: each rep's numbers, objectives, priorities, risks and key
accounts; the review story of each plan (submitted, returned, approved, by when) as plan
events; and the end-of-week notes. This week's plans stand at a mix of statuses.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from activities.models import CLOSED_CUSTOMER_STATUSES
from plans.models import PlanEvent, PlanStatus, PlanTarget, WeeklyPlan
from salesmgmt.demo.base import AE, CSM, SDR, SEED, WEEKS, DemoCompany, G, Rep
from salesmgmt.demo.catalogue import expected_per_day
from salesmgmt.demo.people import TEAMS

# This week's plan status per rep position in a team ("none": not written yet).
CURRENT_STATUSES = (
    PlanStatus.RETURNED,
    PlanStatus.APPROVED,
    PlanStatus.SUBMITTED,
    PlanStatus.APPROVED,
    PlanStatus.DRAFT,
    PlanStatus.SUBMITTED,
    "none",
    PlanStatus.APPROVED,
)

# Past weeks' plan outcome by style: approved, returned then approved, left in draft, none.
PAST_OUTCOMES = {
    "steady": (85, 12, 2, 1),
    "volatile": (70, 20, 5, 5),
    "improving": (72, 20, 4, 4),
    "lagging": (58, 22, 10, 10),
}

# --- What people write -------------------------------------------------------------------

OBJECTIVES = {
    G: (
        "Reach {contacts} decision makers from the spring trade-show list.",
        "Book {appointments-set} appointments with restaurants on the waterfront.",
        "Close {sales-closed} deals, starting with the proposals still open from last week.",
        "Follow up every proposal older than ten days.",
        "Re-activate three customers who did not renew last quarter.",
        "Get two referrals from customers who went live this month.",
    ),
    SDR: (
        "Make {calls} calls into the new healthcare territory.",
        "Set {appointments-set} qualified appointments for the account executives.",
        "Work the inbound web leads within two hours of arrival.",
        "Test the new opening line on the first 40 calls and report back.",
        "Qualify the webinar attendee list before Wednesday.",
    ),
    AE: (
        "Send {proposals} proposals, each with a clear next step agreed on the call.",
        "Close {sales-closed} deals from the stage-3 pipeline.",
        "Run discovery with every appointment the SDRs set this week.",
        "Get a signed order from Meridian Logistics before Friday.",
        "Bring a pricing question to the team meeting instead of discounting alone.",
    ),
    CSM: (
        "Hold {meetings} account reviews with customers in month two.",
        "Offer Support Plus to every customer with more than five tickets last month.",
        "Land {upsells} upgrades from the accounts up for renewal.",
        "Book training days for the three newest enterprise customers.",
    ),
}
PRIORITIES = (
    "Morning call blocks 9-11, no e-mail before 11.",
    "Proposals out the same day as the meeting.",
    "Update the deal stages every evening.",
    "Prepare for the Thursday pipeline review.",
    "Shadow a senior colleague on two calls.",
    "Clean up the prospect list before adding new names.",
    "Ask every happy customer for one referral.",
)
RISKS = (
    "Out Thursday afternoon for product training.",
    "Two big decisions wait on customers' budget approval.",
    "Delivery delays on hardware kits may push closings.",
    "The price increase announced last week is making prospects hesitate.",
    "A competitor is discounting hard in the south of the territory.",
    "",
    "",
)
ACCOUNTS = (
    "Bluewater Bistro",
    "Carver & Sons Hardware",
    "Lakeside Dental",
    "Pinecrest Hotels",
    "Meridian Logistics",
    "Oakline Fitness",
    "Riverside Pharmacy",
    "Summit Outdoor Co.",
    "Granite Peak Builders",
    "Harborview Marina",
    "Copperleaf Cafe",
    "Northstar Clinics",
    "Redwood Realty",
    "Silverline Auto",
    "Brightside Bakery",
    "Atlas Freight",
    "Juniper Schools",
    "Ironwood Manufacturing",
)
GOOD_WEEK = (
    "Strong week: the call blocks worked and most appointments turned into real conversations.",
    "Hit the numbers I planned. Two proposals out, one already signed.",
    "Best week this quarter. The referral asks are starting to pay off.",
    "On plan. Pipeline for next week looks healthy.",
)
TOUGH_WEEK = (
    "Behind plan. Too much time on admin and two no-shows on Wednesday.",
    "Calls were fine but few people picked up; contact rate well down.",
    "Slow week: lost a day to a customer escalation.",
    "Below target. I planned more than I could do with the trade show on Thursday.",
)
PROBLEMS = (
    "Prospect list has many outdated numbers.",
    "Customers keep asking about delivery dates we cannot confirm.",
    "Price objections on the Professional plan.",
    "Waited two days for a quote from the back office.",
    "The CRM was slow on Tuesday.",
    "",
    "",
)
RETURN_COMMENTS = (
    "Your appointment target looks light for a full week. Can you push it up by two and "
    "say which accounts they come from?",
    "The objectives read as a list of activities. Tell me which deals you want to move "
    "forward this week.",
    "Good numbers, but no risks listed: what could stop you? Add them and resubmit.",
    "Please name the key accounts behind the proposals you plan.",
    "The sales value target is well above your last four weeks. Make it a stretch you "
    "believe in and tell me what it takes.",
    "You are at training on Thursday; adjust the call numbers for the half day.",
)
APPROVE_COMMENTS = (
    "Solid plan.",
    "Good. Keep the follow-ups tight on the open proposals.",
    "Approved. Let's look at the pipeline together in our one-to-one.",
    "Nice focus on referrals this week.",
    "",
    "",
    "",
)


def load_plans(demo: DemoCompany) -> None:
    """Weekly plans with their targets and review events."""
    _Plans(demo).build()


def name_key_accounts(demo: DemoCompany) -> None:
    """A plan's key accounts are the rep's own customers still in play. The plans are
    loaded before the CRM (so their names are set once it is), and each plan draws from
    a generator of its own, leaving the demo's streams, and so its figures, untouched."""
    for rep in demo.reps:
        names = sorted(c.name for c in rep.customers if c.status not in CLOSED_CUSTOMER_STATUSES)
        plans = list(WeeklyPlan.objects.filter(rep=rep.user).exclude(key_accounts=""))
        for plan in plans:
            wanted = min(len(plan.key_accounts.split(", ")), len(names))
            plan.key_accounts = ", ".join(random.Random(plan.pk).sample(names, wanted))
        WeeklyPlan.objects.bulk_update(plans, ["key_accounts"])


class _Plans:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = demo.rng
        self.metrics = demo.metrics
        self.reps = demo.reps
        self.weeks = demo.weeks
        self.managers = demo.managers
        self.now = demo.now

    def build(self) -> None:
        plans, stamps, pending = [], [], []  # pending: (plan, targets, events)
        for rep in self.reps:
            for w, week in enumerate(self.weeks):
                status = self._status(rep, w)
                if status == "none":
                    continue
                targets = self._plan_targets(rep, w)
                plan = WeeklyPlan(rep=rep.user, week_start=week, **self._content(rep, targets))
                events = self._review(plan, rep, status)
                updated = events[-1].at
                past = w < WEEKS - 1
                if past and plan.status != PlanStatus.DRAFT and self.rng.random() < 0.85:
                    updated = max(updated, self._week_note(plan, rep.pace[w]))
                    plan.version += 1
                plans.append(plan)
                stamps.append((events[0].at, updated))
                pending.append((plan, targets, events))
        WeeklyPlan.objects.bulk_create(plans, batch_size=500)
        reps = [r.user for r in self.reps]
        ids = {
            (p.rep_id, p.week_start): p.pk
            for p in WeeklyPlan.objects.filter(rep__in=reps).only("rep", "week_start")
        }
        targets, events = [], []
        for plan, planned, plan_events in pending:
            plan.pk = ids[(plan.rep_id, plan.week_start)]
            targets += [
                PlanTarget(plan_id=plan.pk, metric=self.metrics[key], planned=value)
                for key, value in planned.items()
            ]
            for event in plan_events:
                event.plan_id = plan.pk
            events += plan_events
        times = [(e.at, e.notified_at) for e in events]
        PlanTarget.objects.bulk_create(targets, batch_size=1000)
        PlanEvent.objects.bulk_create(events, batch_size=1000)

        # bulk_create stamps auto_now(_add) fields with the present; write the real story.
        for plan, (created, updated) in zip(plans, stamps, strict=True):
            plan.created_at, plan.updated_at = created, updated
        WeeklyPlan.objects.bulk_update(plans, ["created_at", "updated_at"], batch_size=300)
        saved = list(PlanEvent.objects.filter(plan__rep__in=reps).order_by("pk"))
        for event, (at, notified) in zip(saved, times, strict=True):
            event.at, event.notified_at = at, notified
        PlanEvent.objects.bulk_update(saved, ["at", "notified_at"], batch_size=300)

    def _plan_targets(self, rep: Rep, week: int) -> dict[str, Decimal]:
        """The rep's own numbers: a full-pace week for their skill, a touch ambitious."""
        expected = expected_per_day(rep.function, self.demo.prices)
        ambition = self.rng.gauss(1.04, 0.04)
        if rep.style == "improving":
            ambition *= 0.85 + 0.2 * week / (WEEKS - 1)
        targets = {}
        for key in rep.team.focus:
            if key not in expected:
                continue
            planned = expected[key] * 5 * rep.skill * ambition
            if self.metrics[key].is_money:
                targets[key] = Decimal(max(500, round(planned / 500) * 500))
            else:
                targets[key] = Decimal(max(1, round(planned)))
        return targets

    def _status(self, rep: Rep, week: int) -> str:
        if week == WEEKS - 1:
            # Rotated per team so each team's week looks different; "rep" is returned.
            offset = 2 * TEAMS.index(rep.team)
            return CURRENT_STATUSES[(rep.position + offset) % len(CURRENT_STATUSES)]
        approved, returned, draft, none = PAST_OUTCOMES[rep.style]
        return self.rng.choices(
            ["approved", "returned-approved", PlanStatus.DRAFT, "none"],
            [approved, returned, draft, none],
        )[0]

    def _content(self, rep: Rep, targets: dict[str, Decimal]) -> dict[str, str]:
        rng = self.rng
        # Objectives quote the plan's numbers, or a usual week's for metrics not planned.
        usual = expected_per_day(rep.function, self.demo.prices)
        numbers = {key: f"{round(v * 5 * rep.skill):,}" for key, v in usual.items()}
        numbers |= {key: f"{value:,.0f}" for key, value in targets.items()}
        objectives = rng.sample(OBJECTIVES[rep.function], 3)
        return {
            "objectives": "\n".join(line.format_map(numbers) for line in objectives),
            "priorities": "\n".join(rng.sample(PRIORITIES, 2)),
            "risks": rng.choice(RISKS),
            "key_accounts": ", ".join(rng.sample(ACCOUNTS, rng.randint(2, 4))),
        }

    def _review(self, plan: WeeklyPlan, rep: Rep, status: str) -> list[PlanEvent]:
        """The plan's timeline, with its fields set to match the last step."""
        rng, week = self.rng, plan.week_start
        kind = PlanEvent.Kind
        steps = [kind.CREATED]
        if status != PlanStatus.DRAFT:
            steps.append(kind.SUBMITTED)
        if status in ("returned-approved", PlanStatus.RETURNED) or (
            status == PlanStatus.SUBMITTED and rng.random() < 0.3
        ):
            steps.append(kind.RETURNED)
            if status != PlanStatus.RETURNED:
                steps.append(kind.SUBMITTED)
        if status in ("returned-approved", PlanStatus.APPROVED):
            steps.append(kind.APPROVED)

        # Most reps write next week's plan on Friday afternoon; some on Sunday or Monday.
        friday_before = self.demo.at(week - timedelta(days=3), rng.uniform(14, 17.5))
        sunday_evening = self.demo.at(week - timedelta(days=1), rng.uniform(18, 21))
        monday_early = self.demo.at(week, rng.uniform(7.5, 8.5))
        start = rng.choices([friday_before, sunday_evening, monday_early], [60, 15, 25])[0]
        latest = self.now - timedelta(minutes=5)
        if start > latest:  # this week's Monday morning has not come yet
            start = self.demo.at(week - timedelta(days=3), 15)
        times = [start]
        for step in steps[1:]:
            last = times[-1]
            if step == kind.SUBMITTED:
                at = last + timedelta(minutes=rng.randint(20, 180))
            elif len(times) == 2:  # the first review: Monday morning at the earliest
                at = max(last + timedelta(minutes=30), self.demo.at(week, rng.uniform(9, 11.5)))
            else:
                at = last + timedelta(minutes=rng.randint(30, 150))
            times.append(at)
        # This week's reviews may not have happened yet: squeeze the story into the past.
        if times[-1] > latest:
            span = (latest - start) / (times[-1] - start)
            times = [start + (t - start) * span for t in times]

        manager = self.managers[rep.team.name]
        events = []
        for step, at in zip(steps, times, strict=True):
            reviewer = step in (kind.RETURNED, kind.APPROVED)
            comment = ""
            if step == kind.RETURNED:
                comment = rng.choice(RETURN_COMMENTS)
            elif step == kind.APPROVED:
                comment = rng.choice(APPROVE_COMMENTS)
            events.append(
                PlanEvent(
                    kind=step,
                    by=manager if reviewer else rep.user,
                    at=at,
                    comment=comment,
                    # Historical events count as e-mailed, so no job sends them now.
                    notified_at=at + timedelta(minutes=1),
                )
            )
            if step == kind.SUBMITTED:
                plan.submitted_at = at
            elif reviewer:
                plan.reviewed_at, plan.reviewed_by = at, manager
        plan.status = PlanStatus.APPROVED if status == "returned-approved" else status
        # Every write raises the version; a returned plan was edited before resubmitting.
        edited_after_return = kind.RETURNED in steps and steps[-1] != kind.RETURNED
        plan.version = len(steps) + edited_after_return
        return events

    def _week_note(self, plan: WeeklyPlan, pace: float) -> datetime:
        """The rep's end-of-week account, written on Friday afternoon; returns when."""
        rng = self.rng
        good = pace >= 0.95
        plan.progress_note = rng.choice(GOOD_WEEK if good else TOUGH_WEEK)
        plan.problems_note = rng.choice(PROBLEMS if good else PROBLEMS[:5])
        return self.demo.at(plan.week_start + timedelta(days=4), rng.uniform(16, 18))


def load_resubmitted_plan(demo: DemoCompany) -> None:
    """Next week's plan of the "manager"'s second rep, waiting for review after a return:
    the rep lowered the first number the manager questioned and added a key account, so
    the review page shows what changed since the return, beside the rep's current week
    and goal pace. Drawn from a generator of its own, leaving the demo's streams alone."""
    rng = random.Random(SEED + 7)
    team = TEAMS[0]
    rep = next(r for r in demo.reps if r.team == team and r.position == 1)
    current = (
        WeeklyPlan.objects.filter(rep=rep.user, week_start=demo.weeks[-1])
        .prefetch_related("targets__metric")
        .first()
    )
    if current is None or not current.targets.exists():
        return
    targets = {t.metric: t.planned for t in current.targets.all()}
    first = next(iter(targets))  # the team's first focus metric
    step = 500 if first.is_money else 1  # money targets are whole 500s, as in _plan_targets
    asked = Decimal(round(float(targets[first]) * 1.15 / step) * step)
    names = sorted(c.name for c in rep.customers if c.status not in CLOSED_CUSTOMER_STATUSES)
    accounts = rng.sample(names, min(3, len(names)))
    manager = demo.managers[team.name]
    plan = WeeklyPlan.objects.create(
        rep=rep.user,
        week_start=demo.weeks[-1] + timedelta(weeks=1),
        status=PlanStatus.SUBMITTED,
        objectives=current.objectives,
        priorities=current.priorities,
        risks="Out Thursday afternoon for product training.",
        key_accounts=", ".join(accounts),
        version=5,  # created, submitted, returned, edited, resubmitted
    )
    PlanTarget.objects.bulk_create(
        PlanTarget(plan=plan, metric=metric, planned=planned) for metric, planned in targets.items()
    )
    returned_plan = {
        "objectives": plan.objectives,
        "priorities": plan.priorities,
        "risks": "",
        "key_accounts": ", ".join(accounts[:-1]),
        "targets": [
            {
                "metric": m.key,
                "name": m.name,
                "money": m.is_money,
                "planned": str(asked if m == first else planned),
            }
            for m, planned in targets.items()
        ],
    }
    comment = (
        f"{first.name} at {asked:,.0f} is well above your last four weeks. Make it a number "
        f"you believe in, and which account is behind the extra work? Risks are empty too."
    )
    kind, hours = PlanEvent.Kind, (5, 4.5, 3, 1)
    steps = ((kind.CREATED, rep.user), (kind.SUBMITTED, rep.user))
    steps += ((kind.RETURNED, manager), (kind.SUBMITTED, rep.user))
    events = [
        PlanEvent(
            plan=plan,
            kind=step,
            by=by,
            comment=comment if step == kind.RETURNED else "",
            snapshot=returned_plan if step == kind.RETURNED else None,
        )
        for step, by in steps
    ]
    PlanEvent.objects.bulk_create(events)
    times = [demo.now - timedelta(hours=h) for h in hours]
    for event, at in zip(events, times, strict=True):
        event.at, event.notified_at = at, at + timedelta(minutes=1)
    PlanEvent.objects.bulk_update(events, ["at", "notified_at"])
    # update(), not save(): save() would stamp auto_now's present over the story's times.
    WeeklyPlan.objects.filter(pk=plan.pk).update(
        created_at=times[0],
        updated_at=times[-1],
        submitted_at=times[-1],
        reviewed_at=times[2],
        reviewed_by=manager,
    )
