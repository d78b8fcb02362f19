"""Monthly reviews: building them (the job, in pieces of reps) and people's writes.

``build_monthly_review`` stores the figures of reporting.reviews.selectors; regenerating
replaces the figures and keeps everything people wrote. The job claims each rep with an
advisory lock so concurrent pieces never build the same review twice. Managers annotate,
set root causes, add action items and share; the rep acknowledges and comments; every
write checks the review's version, so concurrent edits never silently overwrite."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import (
    Exists,
    OuterRef,
    Q,
)
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import (
    Activity,
    Task,
)
from activities.tasks.selectors import midnight
from activities.tasks.services import create_task
from reporting.models import (
    MonthlyReview,
    ReviewActionItem,
    ReviewMiss,
    ReviewStatus,
    RootCause,
)
from reporting.reviews.selectors import (
    ACTION_DUE_HOUR,
    api_reviews,
    compute_figures_for,
    month_bounds,
)
from salesmgmt.calendar import previous_month
from salesmgmt.errors import RuleViolation
from salesmgmt.events import SYSTEM, emit
from salesmgmt.i18n import language_of, lazy_date
from salesmgmt.models import CompanySettings, NotificationKind, Team, User, WebhookEventType
from salesmgmt.notifications.services import Notice, notify, send_once, settle
from salesmgmt.versioning import check_version, lock_row
from salesmgmt.web import LATEST

# --- Building and regenerating ------------------------------------------------------------------


@transaction.atomic
# The figures and miss labels are stored in English (the source language): pages and
# the API rebuild them in the reader's language, whoever ran the job or regenerated.
@translation.override(settings.LANGUAGE_CODE)
def build_monthly_reviews(
    *, reps: list[User], month: date, now: datetime | None = None
) -> list[MonthlyReview]:
    """Create or refresh these reps' reviews of ``month`` together: the figures of all of
    them in a fixed number of grouped queries, reviews and misses written in bulk.
    People's text is never touched."""
    month = month.replace(day=1)
    now = now or timezone.now()
    figures = compute_figures_for([rep.pk for rep in reps], month)
    existing = {
        review.rep_id: review
        for review in MonthlyReview.objects.select_for_update().filter(rep__in=reps, month=month)
    }
    new = [
        MonthlyReview(rep=rep, month=month, figures=figures[rep.pk], generated_at=now)
        for rep in reps
        if rep.pk not in existing
    ]
    for review in existing.values():
        review.figures, review.generated_at = figures[review.rep_id], now
    MonthlyReview.objects.bulk_update(
        existing.values(), ["figures", "generated_at"], batch_size=500
    )
    MonthlyReview.objects.bulk_create(new, batch_size=500)
    if new and not connection.features.can_return_rows_from_bulk_insert:
        new = list(MonthlyReview.objects.filter(rep__in=[r.rep_id for r in new], month=month))
    reviews = {review.rep_id: review for review in [*existing.values(), *new]}
    _sync_misses([reviews[rep.pk] for rep in reps], fresh={review.pk for review in new})
    return [reviews[rep.pk] for rep in reps]


def build_monthly_review(*, rep: User, month: date, now: datetime | None = None) -> MonthlyReview:
    """Create or refresh ``rep``'s review of ``month``; people's text is never touched."""
    return build_monthly_reviews(reps=[rep], month=month, now=now)[0]


def _sync_misses(reviews: list[MonthlyReview], fresh=frozenset()) -> None:
    """Upsert one ReviewMiss per gap by key; a gap that vanished is kept, marked stale.
    One query to read (none when every review is ``fresh``, just created) and two to
    write, for any number of reviews."""
    existing: dict[int, dict[str, ReviewMiss]] = {}
    older = [review for review in reviews if review.pk not in fresh]
    for miss in ReviewMiss.objects.filter(review__in=older) if older else ():
        existing.setdefault(miss.review_id, {})[miss.key] = miss
    changed, new = [], []
    for review in reviews:
        mine = existing.get(review.pk, {})
        for position, gap in enumerate(review.figures["gaps"]):
            values = {
                "label": gap["label"][:200],
                "expected": Decimal(gap["expected"]),
                "actual": Decimal(gap["actual"]),
                "position": position,
                "stale": False,
            }
            miss = mine.pop(gap["key"], None)
            if miss is None:
                new.append(ReviewMiss(review=review, key=gap["key"], **values))
            else:
                for name, value in values.items():
                    setattr(miss, name, value)
                changed.append(miss)
        for miss in mine.values():
            miss.stale = True
            changed.append(miss)
    ReviewMiss.objects.bulk_create(new, batch_size=1000)
    ReviewMiss.objects.bulk_update(
        changed, ["label", "expected", "actual", "position", "stale"], batch_size=1000
    )


def reps_to_review(month: date):
    """Active reps who had joined by the month's end, and any rep who logged in it."""
    company = CompanySettings.load()
    start, end = month_bounds(month)
    logged = Activity.objects.filter(rep=OuterRef("pk"), day__range=(start, end))
    joined = Q(is_active=True, date_joined__lt=midnight(end + timedelta(days=1), company))
    return User.objects.sales_reps().filter(joined | Exists(logged))


# The monthly job runs in pieces of at most PIECE_SIZE reps (in team order), each piece
# computed set-wise and committed in one transaction. A worker killed mid-piece loses that
# piece; redelivered, it builds what is missing. Two runs at once do not both build a
# rep: each review is claimed with a transaction-scoped PostgreSQL advisory lock, and a
# rep whose lock another run holds is left to that run (SQLite runs one writer at a time).
PIECE_SIZE = 2000


@dataclass
class ReviewRun:
    """What a run of the monthly job did, honestly counted."""

    built: int = 0
    existing: int = 0  # already there (before the run, or built meanwhile by another run)
    held: int = 0  # being built by another run at this moment: left to it

    def __add__(self, other: "ReviewRun") -> "ReviewRun":
        return ReviewRun(
            self.built + other.built, self.existing + other.existing, self.held + other.held
        )


def review_month(*, now: datetime | None = None, month: date | None = None) -> date:
    """The month a run reviews: ``month``, or the one before ``now`` in company time."""
    company = CompanySettings.load()
    return (
        month or previous_month(timezone.localdate(now or timezone.now(), company.tzinfo))
    ).replace(day=1)


def monthly_review_pieces(*, month: date, regenerate: bool = False) -> tuple[list[list[int]], int]:
    """The pieces of a run (rep ids in team order, at most PIECE_SIZE each) and how many
    reviews of the month exist already (left alone unless ``regenerate``)."""
    reps = reps_to_review(month)
    existing = 0
    if not regenerate:
        existing = reps.filter(monthly_reviews__month=month).count()
        reps = reps.exclude(monthly_reviews__month=month)
    ids = list(reps.order_by("team_id", "pk").values_list("pk", flat=True))
    return [ids[i : i + PIECE_SIZE] for i in range(0, len(ids), PIECE_SIZE)], existing


def _lock_key(rep_id: int, month: date) -> int:
    digest = hashlib.blake2b(f"monthly-review:{rep_id}:{month:%Y-%m}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _claim_reviews(rep_ids: list[int], month: date) -> set[int]:
    """Hold (rep, month) of each rep until the transaction ends, in one statement; the
    reps another run holds are left out of the answer."""
    if connection.vendor != "postgresql":
        return set(rep_ids)
    keys = {_lock_key(rep_id, month): rep_id for rep_id in rep_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k FROM unnest(%s::bigint[]) AS k WHERE pg_try_advisory_xact_lock(k)",
            [list(keys)],
        )
        return {keys[key] for (key,) in cursor.fetchall()}


def build_monthly_review_piece(
    *, rep_ids: list[int], month: date, regenerate: bool = False, now: datetime | None = None
) -> ReviewRun:
    """Build the reviews of these reps in one transaction; a rep whose review exists
    (unless ``regenerate``) or whom another run holds is counted, not built. Running it
    again builds only what is missing. Then tells the teams whose reviews are all there."""
    run = ReviewRun()
    month = month.replace(day=1)
    reps = list(User.objects.filter(pk__in=rep_ids).order_by("pk"))
    with transaction.atomic():
        claimed = _claim_reviews([rep.pk for rep in reps], month)
        run.held = len(reps) - len(claimed)
        done = set()
        if not regenerate:
            done = set(
                MonthlyReview.objects.filter(rep__in=claimed, month=month).values_list(
                    "rep_id", flat=True
                )
            )
        run.existing = len(done)
        todo = [rep for rep in reps if rep.pk in claimed and rep.pk not in done]
        if todo:
            build_monthly_reviews(reps=todo, month=month, now=now)
        run.built = len(todo)
    tell_managers_reviews_ready(month=month, team_ids={rep.team_id for rep in reps})
    return run


def tell_managers_reviews_ready(*, month: date, team_ids=None) -> int:
    """Tell each team's manager, once, when every review of the team's month exists."""

    missing = (
        reps_to_review(month).exclude(monthly_reviews__month=month).filter(team=OuterRef("pk"))
    )
    teams = Team.objects.filter(
        Exists(MonthlyReview.objects.filter(rep__team=OuterRef("pk"), month=month)),
        manager__isnull=False,
    ).exclude(Exists(missing))
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    return send_once(
        Notice(
            user=team.manager,
            kind=NotificationKind.REVIEW_READY,
            key=f"reviews-ready:{team.pk}:{month:%Y-%m}",
            title=format_lazy(
                gettext_lazy("Monthly reviews of {team} for {month} are ready"),
                team=str(team),
                month=lazy_date(month, "MONTH_YEAR"),
            ),
            body=gettext_lazy(
                "Add your notes, a root cause for each miss and action items, "
                "then share each review with the rep."
            ),
            url=f"{reverse('reviews:list')}?team={team.pk}&month={month:%Y-%m}",
        )
        for team in teams.select_related("manager")
    )


def generate_monthly_reviews(
    *, now: datetime | None = None, month: date | None = None, regenerate: bool = False
) -> ReviewRun:
    """Build the missing reviews of the previous month (company time), piece by piece, in
    this process (the Celery job queues the pieces instead). Safe to run every hour and
    beside another run: a review is built once and each manager told once."""
    now = now or timezone.now()
    month = review_month(now=now, month=month)
    pieces, existing = monthly_review_pieces(month=month, regenerate=regenerate)
    run = ReviewRun(existing=existing)
    for rep_ids in pieces:
        run += build_monthly_review_piece(
            rep_ids=rep_ids, month=month, regenerate=regenerate, now=now
        )
    tell_managers_reviews_ready(month=month)  # also those whose last piece was cut short
    return run


# --- Services: people's writes ------------------------------------------------------------------


def _check_annotator(review: MonthlyReview, by: User, *, version: int | None = None) -> None:
    """Managers, directors and admins whose scope holds the rep write the review, while
    the rep has not acknowledged it. A stale ``version`` is a conflict before any rule:
    the writer's page is out of date, whatever else is wrong with the write."""
    _check_scope(review.pk, by)
    if version is not None:
        _check_version(review, version)
    _check_open(review)


def _check_scope(review_id: int, by: User) -> None:
    if (
        not by.reviews_plans
        or not MonthlyReview.objects.visible_to(by).filter(pk=review_id).exists()
    ):
        raise PermissionDenied(_("Only the rep's manager annotates this review."))


def _check_open(review: MonthlyReview) -> None:
    if review.status == ReviewStatus.ACKNOWLEDGED:
        raise RuleViolation(_("The rep has acknowledged this review; it is closed for changes."))


REVIEW_CHANGED = gettext_lazy("Somebody changed this review since you opened it; reload it.")


def _check_version(review: MonthlyReview, version: int) -> None:
    check_version(review, version, message=str(REVIEW_CHANGED))


def _locked(review: MonthlyReview) -> MonthlyReview:
    return (
        MonthlyReview.objects.select_for_update(of=("self",))
        .select_related("rep__team__manager")
        .get(pk=review.pk)
    )


ANNOTATIONS = ("manager_notes", "coaching_remarks")


@transaction.atomic
def annotate_review(
    *,
    review: MonthlyReview,
    by: User,
    version: int,
    manager_notes: str | None = None,
    coaching_remarks: str | None = None,
) -> MonthlyReview:
    """The manager's notes and coaching remarks (None leaves a field alone). Recognition
    is never written here: it is kudos and awards (coaching.recognition). The version is
    raised only when a text changes (an unchanged save leaves others' copies current)."""
    review = _locked(review)
    _check_annotator(review, by, version=version)
    given = {
        "manager_notes": manager_notes,
        "coaching_remarks": coaching_remarks,
    }
    changed = []
    for name, value in given.items():
        if value is not None and value.strip() != getattr(review, name):
            setattr(review, name, value.strip())
            changed.append(name)
    if not changed:
        return review
    review.version += 1
    review.save(update_fields=[*changed, "version"])
    return review


@transaction.atomic
def set_miss_cause(
    *, miss: ReviewMiss, by: User, root_cause: str, note: str = "", version: int | None = None
) -> ReviewMiss:
    """The manager's root cause (blank: not decided yet) and note for one miss.

    The miss is locked by its key and a stale ``version`` (what the writer read) is
    refused before any rule, so two managers setting one cause cannot overwrite each
    other silently."""
    # The review first (as every review write locks it), so the rep's acknowledgement
    # cannot slip in between the open check and the write.
    review = lock_row(MonthlyReview, miss.review_id, gone=_("This review is gone; reload it."))
    miss = lock_row(
        ReviewMiss, miss.pk, gone=_("This miss is gone: the review was regenerated. Reload it.")
    )
    _check_scope(review.pk, by)
    check_version(
        miss,
        version,
        message=_(
            "The root cause of this miss was changed by someone else since you opened "
            "it. Nothing was saved; reload to see it."
        ),
    )
    _check_open(review)
    if root_cause and root_cause not in RootCause.values:
        raise RuleViolation({"root_cause": _("Choose one of the listed root causes.")})
    note = (note or "").strip()
    if len(note) > 300:
        raise RuleViolation({"note": _("Keep the note under 300 characters.")})
    miss.root_cause, miss.note = root_cause, note
    miss.version += 1
    miss.save(update_fields=["root_cause", "note", "version"])
    return miss


@transaction.atomic
def add_action_item(*, review: MonthlyReview, by: User, text: str, due: date) -> ReviewActionItem:
    """An action item with a due date; the rep gets it as a task, due at the end of that day."""

    _check_annotator(review, by)
    company = CompanySettings.load()
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Say what is to be done.")
    if due is None or due < company.today():
        errors["due"] = _("Pick a due date from today on.")
    elif due > LATEST:  # a typo; near date.max the due time overflows
        errors["due"] = _("Pick a due date up to %(day)s.") % {
            "day": formats.date_format(LATEST, "DATE_MEDIUM")
        }
    if errors:
        raise RuleViolation(errors)
    with translation.override(language_of(review.rep)):  # the rep's task: in their language
        notes = _("Action item from your monthly review of %(month)s.") % {
            "month": formats.date_format(review.month, "MONTH_YEAR")
        }
    task = create_task(
        by=by,
        assignee=review.rep,
        title=text[:200],
        notes=notes,
        due_at=datetime.combine(due, time(ACTION_DUE_HOUR), tzinfo=company.tzinfo),
    )
    return ReviewActionItem.objects.create(
        review=review, text=text[:200], due=due, task=task, created_by=by
    )


@transaction.atomic
def remove_action_item(*, action: ReviewActionItem, by: User) -> None:
    """Drop an action item and its task, unless the rep already did it (the task stays)."""
    _check_annotator(action.review, by)
    task_id = action.task_id
    action.delete()
    Task.objects.filter(pk=task_id, done_at__isnull=True).delete()


@transaction.atomic
def share_review(*, review: MonthlyReview, by: User, version: int) -> MonthlyReview:
    """Draft -> shared: the rep can now read it and is told so."""

    review = _locked(review)
    _check_annotator(review, by, version=version)
    if review.status != ReviewStatus.DRAFT:
        raise RuleViolation(_("This review is already shared."))
    review.status, review.shared_at, review.shared_by = ReviewStatus.SHARED, timezone.now(), by
    review.version += 1
    review.save(update_fields=["status", "shared_at", "shared_by", "version"])
    # Told in the same transaction: the notice commits with the share or not at all, and
    # its e-mail goes through the outbox, so a crash after the commit loses nothing.
    notify(
        user=review.rep,
        kind=NotificationKind.REVIEW_SHARED,
        key=f"review-shared:{review.pk}",
        title=format_lazy(
            gettext_lazy("{manager} shared your review of {month}"),
            manager=str(by),
            month=lazy_date(review.month, "MONTH_YEAR"),
        ),
        body=gettext_lazy("Read it, then acknowledge it; you may add a comment."),
        url=reverse("reviews:detail", args=[review.pk]),
    )
    _emit(WebhookEventType.REVIEW_SHARED, review)
    return review


def _emit(event_type: WebhookEventType, review: MonthlyReview) -> None:
    emit(event_type, review, load=lambda: api_reviews(SYSTEM).get(pk=review.pk))


@transaction.atomic
def regenerate_review(*, review: MonthlyReview, by: User) -> MonthlyReview:
    """Refresh the figures (after late corrections); the text people wrote stays."""
    if (
        not by.reviews_plans
        or not MonthlyReview.objects.visible_to(by).filter(pk=review.pk).exists()
    ):
        raise PermissionDenied(_("Only the rep's manager regenerates this review."))
    return build_monthly_review(rep=review.rep, month=review.month)


@transaction.atomic
def acknowledge_review(
    *, review: MonthlyReview, by: User, version: int, comment: str = ""
) -> MonthlyReview:
    """The rep confirms they read their shared review, optionally with a comment."""

    review = _locked(review)
    if review.rep_id != by.pk:
        raise PermissionDenied(_("Only the rep acknowledges their own review."))
    _check_version(review, version)
    if review.status != ReviewStatus.SHARED:
        raise RuleViolation(_("Only a shared review can be acknowledged."))
    review.status, review.acknowledged_at = ReviewStatus.ACKNOWLEDGED, timezone.now()
    review.rep_comment = (comment or "").strip()
    review.version += 1
    review.save(update_fields=["status", "acknowledged_at", "rep_comment", "version"])
    settle(user=review.rep, key=f"review-shared:{review.pk}")  # it asked for this
    team = review.rep.team
    manager = (team.manager if team else None) or review.shared_by
    if manager is not None:  # told in the same transaction, as in share_review
        notify(
            user=manager,
            kind=NotificationKind.REVIEW_ACKNOWLEDGED,
            key=f"review-acknowledged:{review.pk}",
            title=format_lazy(
                gettext_lazy("{rep} acknowledged their review of {month}"),
                rep=str(review.rep),
                month=lazy_date(review.month, "MONTH_YEAR"),
            ),
            body=review.rep_comment,
            url=reverse("reviews:detail", args=[review.pk]),
        )
    _emit(WebhookEventType.REVIEW_ACKNOWLEDGED, review)
    return review


@transaction.atomic
def comment_on_review(
    *, review: MonthlyReview, by: User, version: int, comment: str
) -> MonthlyReview:
    """After acknowledging, the rep may add or change their comment."""
    review = _locked(review)
    if review.rep_id != by.pk:
        raise PermissionDenied(_("Only the rep comments on their own review."))
    _check_version(review, version)
    if review.status != ReviewStatus.ACKNOWLEDGED:
        raise RuleViolation(_("Acknowledge the review first; then you can comment."))
    review.rep_comment = (comment or "").strip()
    review.version += 1
    review.save(update_fields=["rep_comment", "version"])
    return review
