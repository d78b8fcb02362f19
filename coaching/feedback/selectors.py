"""Reads of anonymous upward feedback: periods, and the aggregates people may see.

The threshold rule lives here, once, for pages, API and jobs alike:

- a manager sees a period's figures and free text for one of their teams only when that
  team has at least ``THRESHOLD`` submissions for the period (submissions are counted,
  never people);
- a team with fewer than ``THRESHOLD`` active reps can never reach it: its answers count
  only toward its division's figures;
- a director (an admin: any division) sees the division's figures when the division has
  ``THRESHOLD`` submissions, and per-manager figures for managers with ``THRESHOLD``
  submissions from teams large enough — figures only, never free text (the reps wrote
  to their manager);
- below the threshold a page says "N of 3 answers so far" and nothing else;
- results read batched submissions only (``batched()``; see FeedbackSubmission.batch):
  figures move in steps of at least THRESHOLD answers, answers left over (1-2 in a
  pool) are counted as "waiting" and never shown, even after the period closes;
- the threshold holds per question as well (a question added mid-period);
- manager figures are per (division, manager); a director or admin who also manages
  teams sees those as known blocks: a division or manager figure beyond them must hold
  0 or at least THRESHOLD answers, or it is hidden.

Every figure is computed by the database (``values().annotate(Avg, Count)``); free text
leaves it in random order with nothing about the submission beside it.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Exists, OuterRef, Q

from coaching.models import (
    CoachingSettings,
    FeedbackAnswered,
    FeedbackPeriod,
    FeedbackQuestion,
    FeedbackRating,
    FeedbackSubmission,
)
from salesmgmt.models import Division, Role, Team, User

THRESHOLD = 3


# --- Periods ------------------------------------------------------------------------------------


def period_bounds(day: date, months: int) -> tuple[date, date]:
    """The calendar-aligned period holding ``day``: with 3 months, the quarter
    (Jan/Apr/Jul/Oct); with 6, the half year; with 1, the month."""
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    return start, date(day.year, last_month, monthrange(day.year, last_month)[1])


def period_length() -> int:
    return CoachingSettings.load().feedback_period_months


def open_period(today: date) -> FeedbackPeriod | None:
    """The period taking answers on ``today`` (None between periods)."""
    return (
        FeedbackPeriod.objects.filter(start__lte=today, closes_on__gte=today)
        .order_by("-start")
        .first()
    )


def periods_for(user: User):
    """Every period, newest first, with ``answered``: whether ``user`` answered it."""
    answered = FeedbackAnswered.objects.filter(period=OuterRef("pk"), user=user.pk)
    return FeedbackPeriod.objects.annotate(answered=Exists(answered)).order_by("-start")


def has_answered(user: User, period: FeedbackPeriod) -> bool:
    return FeedbackAnswered.objects.filter(period=period, user=user.pk).exists()


def questions():
    return FeedbackQuestion.objects.active().order_by("position", "name")


# --- Who sees what ------------------------------------------------------------------------------


def sees_results(user: User) -> bool:
    """Managers (their teams), directors (their division) and admins (every division)."""
    return user.is_authenticated and (user.is_manager or user.is_director or user.is_admin)


def divisions_for(user: User):
    """The divisions whose figures ``user`` sees: a director's own, every one for admins."""
    if user.is_admin:
        return Division.objects.order_by("name")
    if user.is_director and user.division_id:
        return Division.objects.filter(pk=user.division_id)
    return Division.objects.none()


def teams_for(user: User):
    """The teams a manager (or anyone) manages, with their number of active reps."""
    return (
        Team.objects.filter(manager=user.pk)
        .annotate(reps=Count("members", filter=Q(members__role=Role.REP, members__is_active=True)))
        .order_by("name")
    )


def large_teams():
    """Teams with at least THRESHOLD active reps: the only ones shown on their own."""
    return Team.objects.annotate(
        reps=Count("members", filter=Q(members__role=Role.REP, members__is_active=True))
    ).filter(reps__gte=THRESHOLD)


def small_teams():
    """Teams too small to reach THRESHOLD: their answers pool in the division."""
    return Team.objects.annotate(
        reps=Count("members", filter=Q(members__role=Role.REP, members__is_active=True))
    ).filter(reps__lt=THRESHOLD)


# --- Figures ------------------------------------------------------------------------------------


def batched():
    """The submissions results may read: batched ones only (see FeedbackSubmission).
    Answers left over in a pool (1 or 2) are never shown, even after the period."""
    return FeedbackSubmission.objects.filter(batch__isnull=False)


@dataclass
class Figures:
    """What one group (a team, a manager, a division) shows for a period."""

    key: str
    label: str
    answers: int
    too_small: bool = False  # a team that can never reach the threshold on its own
    questions: list[dict] = field(default_factory=list)  # {question, name, average, count}
    texts: list[str] = field(default_factory=list)
    id: int | None = None
    hidden: bool = False  # enough answers, but showing them would reveal smaller groups
    waiting: int = 0  # answers in, not yet in a batch: never shown but as a count
    trend: dict | None = None

    @property
    def shown(self) -> bool:
        return not self.too_small and not self.hidden and self.answers >= THRESHOLD


def _by_question(rows, group_field: str, question_list) -> dict:
    """{group id: [{question, name, average, count}, ...]} from grouped rating rows.

    The threshold holds per question too: a question rated by fewer than THRESHOLD
    people of the group (one added during the period) shows neither average nor count,
    or it would show one person's rating."""
    found: dict = {}
    for row in rows:
        per_question = found.setdefault(row[group_field], {})
        if row["count"] >= THRESHOLD:
            per_question[row["question"]] = row
    result = {}
    for group, per_question in found.items():
        result[group] = [
            {
                "question": q.pk,
                "name": q.label,
                "average": round(float(per_question[q.pk]["average"]), 2)
                if q.pk in per_question
                else None,
                "count": per_question[q.pk]["count"] if q.pk in per_question else 0,
            }
            for q in question_list
        ]
    return result


def _rating_rows(submissions, group_field: str):
    return (
        FeedbackRating.objects.filter(submission__in=submissions.values("pk"))
        .values(group_field, "question")
        .annotate(average=Avg("rating"), count=Count("id"))
        .order_by()
    )


def team_figures(user: User, period: FeedbackPeriod) -> list[Figures]:
    """One ``Figures`` per team ``user`` manages, for ``period``: aggregates and free text
    (random order) when the team reached the threshold; its count otherwise (none at all
    for a team too small ever to reach it). Five queries whatever the numbers."""
    teams = list(teams_for(user))
    mine = batched().filter(period=period, manager=user.pk)
    counts = {
        row["team"]: row
        for row in FeedbackSubmission.objects.filter(
            period=period, manager=user.pk, team__in=[t.pk for t in teams]
        )
        .values("team")
        .annotate(
            n=Count("id", filter=Q(batch__isnull=False)), waiting=Count("id", filter=Q(batch=None))
        )
        .order_by()
    }
    empty = {"n": 0, "waiting": 0}
    groups = [
        Figures(
            key=f"team:{t.pk}",
            id=t.pk,
            label=t.name,
            answers=0 if t.reps < THRESHOLD else counts.get(t.pk, empty)["n"],
            waiting=0 if t.reps < THRESHOLD else counts.get(t.pk, empty)["waiting"],
            too_small=t.reps < THRESHOLD,
        )
        for t in teams
    ]
    shown = [g.id for g in groups if g.shown]
    if shown:
        question_list = list(questions())
        ratings = _by_question(
            _rating_rows(mine.filter(team__in=shown), "submission__team"),
            "submission__team",
            question_list,
        )
        texts: dict[int, list[str]] = {}
        # order_by("?"): random order, per page view; nothing of the submission but its text.
        for team_id, text in (
            mine.filter(team__in=shown).exclude(text="").order_by("?").values_list("team", "text")
        ):
            texts.setdefault(team_id, []).append(text)
        for g in groups:
            if g.shown:
                g.questions = ratings.get(g.id, [])
                g.texts = texts.get(g.id, [])
    return groups


def _suppress_differences(per_division: dict, per_manager: list[dict]) -> set[tuple[int, int]]:
    """The (division, manager) rows a division may show beside its own total.

    The division's total minus its shown managers' is what the rest (small teams,
    managers below the threshold) answered; were that 1 or 2 submissions, subtracting
    would reveal them. So the shown manager with the fewest answers is folded into the
    rest until the rest is 0 or at least THRESHOLD (or no manager is shown)."""
    shown: set[tuple[int, int]] = set()
    for division, total in per_division.items():
        rows = sorted(
            (r for r in per_manager if r["division"] == division and r["n"] >= THRESHOLD),
            key=lambda r: (r["n"], r["manager"]),
        )
        rest = total - sum(r["n"] for r in rows)
        while rows and 0 < rest < THRESHOLD:
            rest += rows.pop(0)["n"]
        shown.update((division, r["manager"]) for r in rows)
    return shown


def _clear_of_known(count: int, known: int) -> bool:
    """A figure of ``count`` answers, of which the viewer already sees ``known`` in
    their own team figures, may be shown only if the difference reveals no group
    smaller than THRESHOLD: it is 0 or at least THRESHOLD."""
    rest = count - known
    return rest == 0 or rest >= THRESHOLD


@dataclass
class DivisionFigures(Figures):
    managers: list[Figures] = field(default_factory=list)


def division_figures(
    divisions, period: FeedbackPeriod, *, viewer: User | None = None, known_teams=()
) -> list[DivisionFigures]:
    """Per division in ``divisions``: its aggregates (at THRESHOLD submissions) and per
    manager within the division (at THRESHOLD submissions from teams large enough to
    count on their own). Never free text.

    ``known_teams``: the teams whose figures ``viewer`` (a director or admin who also
    manages teams) is shown as their manager. Those are known blocks: a division or
    manager figure is shown only when what it holds beyond them is 0 or at least
    THRESHOLD answers, else it is hidden. Seven queries whatever the numbers."""
    divisions = list(divisions)
    ids = [d.pk for d in divisions]
    subs = batched().filter(period=period, division__in=ids)
    per_division, waiting = {}, {}
    for row in (
        FeedbackSubmission.objects.filter(period=period, division__in=ids)
        .values("division")
        .annotate(
            n=Count("id", filter=Q(batch__isnull=False)), waiting=Count("id", filter=Q(batch=None))
        )
        .order_by()
    ):
        if row["n"]:
            per_division[row["division"]] = row["n"]
        waiting[row["division"]] = row["waiting"]
    counted = subs.filter(team__in=large_teams().values("pk"))
    per_manager = list(
        counted.exclude(manager=None)
        .values("division", "manager")
        .annotate(n=Count("id"))
        .order_by()
    )
    known = {}
    if viewer is not None and known_teams:
        known = dict(
            subs.filter(manager=viewer.pk, team__in=list(known_teams))
            .values("division")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("division", "n")
        )
    names = {
        u.pk: str(u)
        for u in User.objects.filter(pk__in={row["manager"] for row in per_manager}).only(
            "first_name", "last_name", "username"
        )
    }
    question_list = list(questions())
    shown_divisions = [
        d
        for d in ids
        if per_division.get(d, 0) >= THRESHOLD
        and _clear_of_known(per_division.get(d, 0), known.get(d, 0))
    ]
    division_ratings = _by_question(
        _rating_rows(subs.filter(division__in=shown_divisions), "submission__division"),
        "submission__division",
        question_list,
    )
    shown_managers = {
        (division, manager)
        for division, manager in _suppress_differences(per_division, per_manager)
        if _clear_of_known(
            next(
                r["n"] for r in per_manager if (r["division"], r["manager"]) == (division, manager)
            ),
            known.get(division, 0) if viewer is not None and manager == viewer.pk else 0,
        )
    }
    manager_filter = Q(pk__in=[])
    for division, manager in shown_managers:
        manager_filter |= Q(division=division, manager=manager)
    manager_rows = (
        FeedbackRating.objects.filter(submission__in=counted.filter(manager_filter).values("pk"))
        .values("submission__division", "submission__manager", "question")
        .annotate(average=Avg("rating"), count=Count("id"))
        .order_by()
    )
    manager_ratings = _by_question(
        [
            {**r, "group": (r["submission__division"], r["submission__manager"])}
            for r in manager_rows
        ],
        "group",
        question_list,
    )
    result = []
    for d in divisions:
        group = DivisionFigures(
            key=f"division:{d.pk}",
            id=d.pk,
            label=d.name,
            answers=per_division.get(d.pk, 0),
            waiting=waiting.get(d.pk, 0),
        )
        group.hidden = group.answers >= THRESHOLD and d.pk not in shown_divisions
        if group.shown:
            group.questions = division_ratings.get(d.pk, [])
        for row in sorted(
            (r for r in per_manager if r["division"] == d.pk), key=lambda r: names[r["manager"]]
        ):
            pair = (d.pk, row["manager"])
            manager = Figures(
                key=f"manager:{d.pk}:{row['manager']}",
                id=row["manager"],
                label=names[row["manager"]],
                answers=row["n"],
            )
            manager.hidden = pair not in shown_managers and row["n"] >= THRESHOLD
            if manager.shown:
                manager.questions = manager_ratings.get(pair, [])
            group.managers.append(manager)
        result.append(group)
    return result


def trends(submissions, periods, group: str, known: dict | None = None) -> dict:
    """Average per question per period, per ``group`` ("team", "division") of
    ``submissions``, counting only periods where the group reached THRESHOLD
    submissions: {group id: {"periods": [...], "series": [{question, name, averages}]}},
    oldest period first. ``known``: {(group id, period id): answers the viewer already
    sees in their own team figures}; a period whose rest beyond them is 1 or 2 answers
    is left out. Three queries whatever the numbers."""
    periods = sorted(periods, key=lambda p: p.start)
    labels = {p.pk: str(p) for p in periods}
    within = submissions.filter(period__in=[p.pk for p in periods])
    counts = {
        (row[group], row["period"]): row["n"]
        for row in within.values(group, "period").annotate(n=Count("id")).order_by()
    }
    known = known or {}
    shown = {
        pair
        for pair, n in counts.items()
        if n >= THRESHOLD and _clear_of_known(n, known.get(pair, 0))
    }
    rows = (
        FeedbackRating.objects.filter(submission__in=within.values("pk"))
        .values(f"submission__{group}", "submission__period", "question")
        .annotate(average=Avg("rating"), count=Count("id"))
        .order_by()
    )
    averages = {
        (r[f"submission__{group}"], r["submission__period"], r["question"]): float(r["average"])
        for r in rows
        if (r[f"submission__{group}"], r["submission__period"]) in shown
        and r["count"] >= THRESHOLD  # per question too (a question added later)
    }
    question_list = list(questions())
    result = {}
    for group_id in {g for g, _ in shown}:
        group_periods = [p.pk for p in periods if (group_id, p.pk) in shown]
        result[group_id] = {
            "periods": [
                {"id": p, "label": labels[p], "answers": counts[(group_id, p)]}
                for p in group_periods
            ],
            "series": [
                {
                    "question": q.pk,
                    "name": q.label,
                    "averages": [
                        round(averages[(group_id, p, q.pk)], 2)
                        if (group_id, p, q.pk) in averages
                        else None
                        for p in group_periods
                    ],
                }
                for q in question_list
            ],
        }
    return result


def team_trends(user: User, periods, teams: list[Figures]) -> dict:
    """Per team of ``user`` large enough to be shown on its own: its trend of answers
    about ``user`` (per team, never summed across teams: a sum beside one team's own
    figures would reveal another team's answers below the threshold)."""
    large = [t.id for t in teams if not t.too_small]
    subs = batched().filter(manager=user.pk, team__in=large)
    return trends(subs, periods, "team")


def division_trends(divisions: list[DivisionFigures], periods, viewer: User | None = None) -> dict:
    """Per division, its trend; periods where ``viewer`` is shown their own team's
    figures count those answers as known (see ``trends``). Four queries."""
    subs = batched().filter(division__in=[d.id for d in divisions])
    known: dict = {}
    if viewer is not None:
        for row in (
            subs.filter(
                manager=viewer.pk,
                team__in=large_teams().values("pk"),
                period__in=[p.pk for p in periods],
            )
            .values("team", "division", "period")
            .annotate(n=Count("id"))
            .order_by()
        ):
            if row["n"] >= THRESHOLD:
                pair = (row["division"], row["period"])
                known[pair] = known.get(pair, 0) + row["n"]
    return trends(subs, periods, "division", known)


def recent_periods(limit: int = 8):
    return list(FeedbackPeriod.objects.order_by("-start")[:limit])


@dataclass
class Results:
    period: FeedbackPeriod | None
    teams: list[Figures]
    divisions: list[DivisionFigures]


class OutOfScope(Exception):
    """A division or manager the caller may not look at (404)."""


def results_for(
    user: User,
    period: FeedbackPeriod | None,
    *,
    division: int | None = None,
    manager: int | None = None,
    trend_periods: int = 8,
) -> Results:
    """What ``user`` sees of ``period``: their own teams' figures (managers), their
    division's or every division's (directors, admins), each with its trend over the
    last ``trend_periods`` periods up to ``period``. ``division`` and ``manager`` narrow
    it; one the caller may not see raises OutOfScope. A fixed number of queries."""
    divisions = divisions_for(user)
    if division is not None:
        divisions = divisions.filter(pk=division)
        if not divisions.exists():
            raise OutOfScope
    if (
        manager is not None
        and manager != user.pk
        and not Team.objects.filter(manager=manager, division__in=divisions.values("pk")).exists()
    ):
        raise OutOfScope
    if period is None:
        return Results(None, [], [])
    recent = list(
        FeedbackPeriod.objects.filter(start__lte=period.start).order_by("-start")[:trend_periods]
    )
    teams = team_figures(user, period) if manager in (None, user.pk) else []
    for team, trend in _attach(teams, team_trends(user, recent, teams)):
        team.trend = trend
    known = [t.id for t in teams if t.shown]
    groups = (
        division_figures(divisions, period, viewer=user, known_teams=known)
        if manager != user.pk
        else []
    )
    if manager is not None:
        for group in groups:
            group.managers = [m for m in group.managers if m.id == manager]
    for group, trend in _attach(groups, division_trends(groups, recent, viewer=user)):
        group.trend = trend
    return Results(period, teams, groups)


def _attach(groups, trend_by_id: dict):
    return [(g, trend_by_id.get(g.id)) for g in groups]
