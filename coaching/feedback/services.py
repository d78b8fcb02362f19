"""Writes of upward feedback: anonymous answers, signed feedback, and the period job.

Anonymity (see coaching.models): an answer is written as a submission with no author
and no time, its ratings, and — in the same transaction — the one per-person row
"``user`` answered ``period``", which names nothing of the submission. Nothing here
logs, messages or notifies anything about an answer as it is given: the manager hears
"feedback is ready" from the daily job, not at the moment of the third answer (a
notification's time would date that answer). Answers become visible only in batches
of at least THRESHOLD (``_batch_pool``), so results never change by a single answer.

Known residual risk (accepted, documented): someone with superuser access to the
database itself — not to any page, API, admin or log — could pair a FeedbackAnswered
row with its submission through what the database keeps about writes rather than
through any column: on PostgreSQL the rows of one transaction share a system column
(xmin) and the write-ahead log records them together; on either database the physical
(rowid/ctid) order of the two tables follows the order of answers. Writing the two in
separate transactions would only trade that for answers recorded without a submission
(or the reverse) on a crash, and the write-ahead log would still order them. A
database superuser is outside what this feature can defend against.
"""

import logging
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from coaching.feedback import selectors
from coaching.models import (
    FeedbackAnswered,
    FeedbackPeriod,
    FeedbackRating,
    FeedbackSubmission,
    SignedFeedback,
)
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, Team, User
from salesmgmt.notifications.services import notify

# Deliberately nothing is logged about who answered or what they wrote.
logger = logging.getLogger(__name__)

CLOSING_REMINDER_DAYS = 5
ALREADY_ANSWERED = _("You have already answered for this period; thank you.")
NO_MANAGER = _("You have no team manager to give feedback to yet. Ask an administrator.")
NO_PERIOD = _("No feedback period is open right now.")

# A period's name ("Oct 2026 - Dec 2026") written when a notification is rendered, in
# the recipient's language (notify() renders lazy texts inside translation.override).
period_label = lazy(str, str)


@transaction.atomic
def ensure_period(*, today: date) -> FeedbackPeriod:
    """The period holding ``today`` (calendar-aligned, closing on its last day),
    created if missing. A period that already covers ``today`` stays the one, even if
    the period length was changed since it opened. After a change of length the
    calendar-aligned period may overlap an earlier one (a quarter ended, now half
    years): the new period then starts the day after the latest period's end, and
    still ends where the new length says, so periods never overlap and one is open."""
    covering = FeedbackPeriod.objects.filter(start__lte=today, end__gte=today).first()
    if covering is not None:
        return covering
    start, end = selectors.period_bounds(today, selectors.period_length())
    latest = FeedbackPeriod.objects.filter(start__lte=today).order_by("-end").first()
    if latest is not None and latest.end >= start:
        start = latest.end + timedelta(days=1)
    period, _created = FeedbackPeriod.objects.get_or_create(
        start=start, defaults={"end": end, "closes_on": end}
    )
    return period


def _manager_of(rep: User) -> tuple[Team, User]:
    team = Team.objects.select_related("manager").filter(pk=rep.team_id).first()
    if team is None or team.manager is None or team.manager_id == rep.pk:
        raise RuleViolation(NO_MANAGER)
    return team, team.manager


def _clean_ratings(ratings: dict[int, int]) -> dict[int, int]:
    """Every active question rated 1-5 (unknown questions refused)."""
    wanted = {q.pk for q in selectors.questions()}
    errors = []
    if set(ratings) - wanted:
        errors.append(gettext("Rate only the questions asked."))
    if missing := wanted - set(ratings):
        errors.append(
            ngettext(
                "Rate every question (%(count)d missing).",
                "Rate every question (%(count)d missing).",
                len(missing),
            )
            % {"count": len(missing)}
        )
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in ratings.values()):
        errors.append(gettext("Ratings go from 1 to 5."))
    if errors:
        raise RuleViolation({"ratings": errors})
    return ratings


@transaction.atomic
def submit_feedback(
    *, by: User, ratings: dict[int, int], text: str = "", today: date | None = None
) -> FeedbackPeriod:
    """Record ``by``'s anonymous answer for the open period; returns the period only.

    One transaction: the "has answered" marker (unique per period and person: a second
    answer is refused) and the author-less submission with its ratings, about the
    manager of the rep's team as it is now."""
    if not by.is_rep:
        raise PermissionDenied(gettext("Only reps give upward feedback."))
    period = selectors.open_period(today or CompanySettings.load().today())
    if period is None:
        raise RuleViolation(NO_PERIOD)
    team, manager = _manager_of(by)
    ratings = _clean_ratings(ratings)
    try:
        with transaction.atomic():
            FeedbackAnswered.objects.create(period=period, user=by)
    except IntegrityError:
        raise RuleViolation(ALREADY_ANSWERED) from None
    submission = FeedbackSubmission.objects.create(
        period=period,
        manager=manager,
        team=team,
        division_id=team.division_id,
        text=text.strip(),
    )
    FeedbackRating.objects.bulk_create(
        FeedbackRating(submission=submission, question_id=question, rating=rating)
        for question, rating in ratings.items()
    )
    _batch_pool(period=period, team=team, manager=manager)
    return period


def _batch_pool(*, period: FeedbackPeriod, team: Team, manager: User) -> None:
    """When the unbatched submissions of the answer's pool reach the threshold, all of
    them get the period's next batch number in one UPDATE; results read only batched
    submissions, so figures and texts move in steps of at least THRESHOLD answers and
    no one answer can be read off by differencing. The pool follows the roll-up rule:
    a team that can reach the threshold (with this manager), or else the small teams
    of the division together."""
    pool = FeedbackSubmission.objects.filter(period=period, batch=None)
    if selectors.large_teams().filter(pk=team.pk).exists():
        pool = pool.filter(team=team, manager=manager)
    else:
        small = selectors.small_teams().filter(division=team.division_id)
        pool = pool.filter(division=team.division_id, team__in=small.values("pk"))
    waiting = list(pool.values_list("pk", flat=True))
    if len(waiting) < selectors.THRESHOLD:
        return
    latest = FeedbackSubmission.objects.filter(period=period).aggregate(n=Max("batch"))["n"]
    FeedbackSubmission.objects.filter(pk__in=waiting, batch=None).update(batch=(latest or 0) + 1)


@transaction.atomic
def send_signed_feedback(*, by: User, text: str, today: date | None = None) -> SignedFeedback:
    """Feedback the rep chose to sign, to their team's manager, who is told at once."""
    if not by.is_rep:
        raise PermissionDenied(gettext("Only reps send feedback to their manager."))
    text = text.strip()
    if not text:
        raise RuleViolation({"text": [gettext("Write what you want to tell your manager.")]})
    manager = _manager_of(by)[1]
    period = selectors.open_period(today or CompanySettings.load().today())
    signed = SignedFeedback.objects.create(author=by, manager=manager, period=period, text=text)
    notify(
        user=manager,
        kind=NotificationKind.FEEDBACK,
        key=f"signed-feedback:{signed.pk}",
        title=format_lazy(_("{name} sent you signed feedback"), name=str(by)),
        body=text[:300],
        url=reverse("feedback:signed_list"),
    )
    return signed


# --- The period job -----------------------------------------------------------------------------


def _reps_with_a_manager():
    return (
        User.objects.reps()
        .filter(team__manager__isnull=False)
        .exclude(team__manager=F("pk"))
        .order_by("pk")
    )


JOB_HOUR = 7  # company time: the job runs hourly but acts once a day, from 07:00


def _company_now(now: datetime | None) -> datetime:
    company = CompanySettings.load()
    return (now or timezone.now()).astimezone(company.tzinfo)


def open_feedback_periods(*, now: datetime | None = None) -> int:
    """The feedback period job: make sure the current period exists; tell every rep
    once that it is open; remind those who have not answered in its last
    CLOSING_REMINDER_DAYS days; tell a manager once per team and period that feedback
    is ready (its team reached the threshold). Returns how many people were told.

    Scheduled hourly, it acts once per company day, at its first run from JOB_HOUR
    company time (a missed hour is caught up by the next): so a "ready" notice dates no
    answer, only the day."""
    moment = _company_now(now)
    if moment.hour < JOB_HOUR:
        return 0
    today = moment.date()
    period = ensure_period(today=today)
    claimed = (
        FeedbackPeriod.objects.filter(pk=period.pk)
        .exclude(job_ran_on=today)
        .update(job_ran_on=today)
    )
    if not claimed:
        return 0  # acted already today
    url = reverse("feedback:give")
    told = 0
    if period.start <= today <= period.closes_on:
        answered = FeedbackAnswered.objects.filter(period=period).values("user")
        for rep in _reps_with_a_manager().exclude(pk__in=answered):
            told += bool(
                notify(
                    user=rep,
                    kind=NotificationKind.FEEDBACK,
                    key=f"feedback-open:{period.pk}",
                    title=format_lazy(
                        _("Anonymous feedback for {period} is open"), period=period_label(period)
                    ),
                    body=format_lazy(
                        _("Tell your manager how it is going, anonymously, until {day}."),
                        day=lazy_date(period.closes_on, "DATE_MEDIUM"),
                    ),
                    url=url,
                )
            )
        if today >= period.closes_on - timedelta(days=CLOSING_REMINDER_DAYS):
            for rep in _reps_with_a_manager().exclude(pk__in=answered):
                told += bool(
                    notify(
                        user=rep,
                        kind=NotificationKind.FEEDBACK,
                        key=f"feedback-closing:{period.pk}",
                        title=format_lazy(
                            _("Anonymous feedback for {period} closes on {day}"),
                            period=period_label(period),
                            day=lazy_date(period.closes_on, "DAY_MONTH"),
                        ),
                        body=_("A few minutes, and your manager never sees who wrote what."),
                        url=url,
                    )
                )
    told += _tell_managers_feedback_is_ready(today=today)
    return told


def _tell_managers_feedback_is_ready(*, today: date) -> int:
    """Once per period and team: the team reached the threshold. Sent by the job, so
    its time says nothing about when any one answer came in."""
    periods = FeedbackPeriod.objects.filter(
        start__lte=today, closes_on__gte=today - timedelta(days=31)
    )
    rows = (
        selectors.batched()
        .filter(period__in=periods, team__in=selectors.large_teams().values("pk"))
        .exclude(manager=None)
        .values("period", "team", "manager")
        .annotate(n=Count("id"))
        .filter(n__gte=selectors.THRESHOLD)
        .order_by("period", "team")
    )
    rows = list(rows)
    people = User.objects.in_bulk({r["manager"] for r in rows})
    found = FeedbackPeriod.objects.in_bulk({r["period"] for r in rows})
    teams = Team.objects.in_bulk({r["team"] for r in rows})
    told = 0
    for row in rows:
        period, team = found[row["period"]], teams[row["team"]]
        told += bool(
            notify(
                user=people[row["manager"]],
                kind=NotificationKind.FEEDBACK,
                key=f"feedback-ready:{period.pk}:{team.pk}",
                title=format_lazy(
                    ngettext_lazy(
                        "Feedback for {period} is ready: {count} answer from {team}",
                        "Feedback for {period} is ready: {count} answers from {team}",
                        row["n"],
                    ),
                    period=period_label(period),
                    count=row["n"],
                    team=str(team),
                ),
                url=f"{reverse('feedback:results')}?period={period.pk}",
            )
        )
    return told
