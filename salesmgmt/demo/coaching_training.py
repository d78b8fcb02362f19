"""Demo data of coaching.training: a catalogue of seven modules (two on the onboarding
track) and a training plan per team: last quarter's product knowledge done and
confirmed with scores (its next round open), competitive intelligence half done and
half overdue, a prospecting workshop or territory planning due, a communication
refresher due in days, and the onboarding track of the newest rep of the first team.

Rows are written directly (dates in the past, no notifications for history); the
overdue ones are what the reminder job tells people about when run_jobs runs."""

import random
from datetime import timedelta

from coaching.models import AssignmentSource, FocusArea, TrainingAssignment, TrainingModule
from coaching.training.services import add_months
from salesmgmt.demo.base import DemoCompany

MODULES = (
    # title, topic key, minutes, recurrence months, onboarding (due days), material
    (
        "Product knowledge: the current range",
        "product-knowledge",
        90,
        3,
        None,
        "https://intranet.example.com/training/product-range",
        "Every product's use cases, prices and the questions customers ask. Ends with a "
        "20-question quiz; note your score.",
    ),
    (
        "Competitive intelligence briefing",
        "competitive-intelligence",
        60,
        None,
        None,
        "https://intranet.example.com/training/competitors",
        "Our three main competitors: where they win, where we win, and how to answer "
        "their pricing.",
    ),
    (
        "Prospecting workshop",
        "prospecting",
        180,
        None,
        None,
        "",
        "Half-day workshop: building a target list, the first call, and follow-up "
        "cadences. Bring ten prospects from your territory.",
    ),
    (
        "Territory planning",
        "territory-planning",
        120,
        12,
        None,
        "",
        "Map your accounts by potential, plan a month of visits and calls, agree the "
        "plan with your manager.",
    ),
    (
        "Professional communication",
        "communication",
        45,
        None,
        None,
        "https://intranet.example.com/training/communication",
        "E-mail that gets answered, calls that end with a next step, and meeting notes.",
    ),
    (
        "Onboarding: welcome and our sales process",
        None,
        60,
        None,
        7,
        "https://intranet.example.com/onboarding/welcome",
        "How we sell: the stages of a deal, weekly plans and monthly reviews.",
    ),
    (
        "Onboarding: the CRM and your weekly plan",
        None,
        90,
        None,
        21,
        "",
        "Log activities, move deals, write and submit your first weekly plan.",
    ),
)


def load(demo: DemoCompany, rng: random.Random) -> None:
    topics = {a.key: a for a in FocusArea.objects.all()}
    modules = {}
    for title, topic, minutes, recurrence, onboarding_days, url, text in MODULES:
        modules[title] = TrainingModule.objects.create(
            title=title,
            topic=topics.get(topic),
            duration_minutes=minutes,
            recurrence_months=recurrence,
            onboarding=onboarding_days is not None,
            onboarding_due_days=onboarding_days or 30,
            material_url=url,
            material_text=text,
        )
    product, competition, prospecting, territory, communication, welcome, crm = (
        modules[m[0]] for m in MODULES
    )
    today = demo.today
    rows: list[TrainingAssignment] = []

    def done(module, rep, due, source, by, completed_day, *, confirmed=True, score=True):
        completed = demo.at(completed_day, rng.uniform(9, 17))
        confirmed_at = completed + timedelta(days=rng.randint(1, 3))
        confirm = confirmed and confirmed_at < demo.now
        rows.append(
            TrainingAssignment(
                module=module,
                rep=rep,
                due=due,
                source=source,
                assigned_by=by,
                completed_at=completed,
                score=rng.randint(62, 98) if score else None,
                confirmed_at=confirmed_at if confirm else None,
                confirmed_by=by if confirm else None,
                version=3 if confirm else 2,
            )
        )

    def open_(module, rep, due, source, by):
        rows.append(
            TrainingAssignment(module=module, rep=rep, due=due, source=source, assigned_by=by)
        )

    for t, team_reps in enumerate(_by_team(demo)):
        manager = demo.managers[team_reps[0].team.name]
        team_source = AssignmentSource.TEAM
        # Last quarter's product knowledge: everyone did it, the next round is open.
        pk_due = today - timedelta(days=70)
        for rep in team_reps:
            day = pk_due - timedelta(days=rng.randint(0, 20))
            done(product, rep.user, pk_due, team_source, manager, day)
            open_(
                product,
                rep.user,
                add_months(day, product.recurrence_months),
                AssignmentSource.RECURRENCE,
                None,
            )
        # Competitive intelligence, due ten days ago: about half done, the rest overdue.
        ci_due = today - timedelta(days=10)
        for position, rep in enumerate(team_reps):
            if position % 2 and position != 0:
                day = ci_due - timedelta(days=rng.randint(0, 12))
                done(competition, rep.user, ci_due, team_source, manager, day, confirmed=t != 1)
            else:
                open_(competition, rep.user, ci_due, team_source, manager)
        # A workshop (island teams) or territory planning (assembly lines), due ahead.
        ahead = prospecting if t % 2 == 0 else territory
        ahead_due = today + timedelta(days=18 + 5 * t)
        for position, rep in enumerate(team_reps):
            if position in (2, 5):
                done(ahead, rep.user, ahead_due, team_source, manager, today - timedelta(days=2))
            else:
                open_(ahead, rep.user, ahead_due, team_source, manager)
        # A communication refresher for two reps, due in a few days.
        for rep in team_reps[1:3]:
            open_(
                communication,
                rep.user,
                today + timedelta(days=2 + t),
                AssignmentSource.MANUAL,
                manager,
            )

    # The first team's newest rep is on the onboarding track: welcome done, the CRM due.
    newest = _by_team(demo)[0][-1].user
    joined = today - timedelta(days=12)
    done(
        welcome,
        newest,
        joined + timedelta(days=7),
        AssignmentSource.ONBOARDING,
        None,
        joined + timedelta(days=4),
        confirmed=False,
        score=False,
    )
    open_(crm, newest, joined + timedelta(days=21), AssignmentSource.ONBOARDING, None)
    TrainingAssignment.objects.bulk_create(rows)
    # Assigned when their round started (auto_now_add would say: today).
    saved = list(TrainingAssignment.objects.select_related("module"))
    for row in saved:
        if row.source == AssignmentSource.RECURRENCE:
            day = add_months(row.due, -row.module.recurrence_months)
        else:
            day = row.due - timedelta(days=30)
        if row.completed_at is not None:
            day = min(day, demo.local_day(row.completed_at) - timedelta(days=1))
        row.assigned_at = demo.at(min(day, today), 9)
    TrainingAssignment.objects.bulk_update(saved, ["assigned_at"])


def _by_team(demo: DemoCompany):
    teams: dict[str, list] = {}
    for rep in demo.reps:
        teams.setdefault(rep.team.name, []).append(rep)
    return list(teams.values())
