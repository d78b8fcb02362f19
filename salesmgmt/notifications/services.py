"""Telling people things: in the app (the bell) and by e-mail, each at most once.

Every notification names its occasion with a ``key``; (user, key) is unique,
so a job that runs twice, or a message delivered twice, tells nobody twice.
What a person receives follows their preferences per kind.

E-mail goes through an outbox: the notification row *is* the outbox entry
(e-mail wanted, not yet sent). notify() queues a delivery task after commit to
send it at once, but that task is only an accelerator: a worker that dies, or
a broker that is down, loses nothing, because send_pending_emails() (beat, every
minute) sweeps whatever is still unsent. Both claim a notification with
SELECT ... FOR UPDATE SKIP LOCKED, so each e-mail is sent once even when they
run at the same moment. A failed send is retried with growing pauses and, after
settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS, given up and shown to admins.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from salesmgmt.calendar import zone_of
from salesmgmt.i18n import language_of
from salesmgmt.models import (
    Notification,
    NotificationPreference,
    User,
)

logger = logging.getLogger(__name__)

# A notification's text: a plain string, or a lazy one (gettext_lazy / format_lazy) that
# notify() renders in the recipient's language.
StrOrLazy = str | Promise

# Pauses after the 1st, 2nd, ... failed attempt: 1, 2, 4 ... minutes, at most 6 hours.
RETRY_FIRST_PAUSE = timedelta(minutes=1)
RETRY_LONGEST_PAUSE = timedelta(hours=6)


def preferences_of(user: User) -> dict[str, tuple[bool, bool]]:
    """{kind: (in_app, email)} for the kinds the user changed; the rest are both on."""
    return {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}


@transaction.atomic
def notify(
    *, user: User, kind: str, key: str, title: StrOrLazy, body: StrOrLazy = "", url: str = ""
) -> Notification | None:
    """Record and deliver one notification; None if it was already sent (or unwanted)."""
    if not user.is_active:
        return None
    in_app, email = preferences_of(user).get(kind, (True, True))
    if not (in_app or email):
        return None
    email = email and bool(user.email)
    # Written in the recipient's language and timezone, not the sender's: a lazy title or
    # body (gettext_lazy, format_lazy, salesmgmt.i18n.lazy_date) is rendered here.
    with translation.override(language_of(user)), timezone.override(zone_of(user)):
        title, body = str(title), str(body)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                key=key,
                title=title[:200],
                body=body,
                url=url,
                in_app=in_app,
                email=email,
            )
    except IntegrityError:
        return None  # already told: (user, key) is unique
    if email:
        # Only an accelerator: if the task is never queued or never runs, the sweep sends it.
        # salesmgmt.jobs imports this module (its tasks call these services): importing
        # the task here, not at the top, breaks that cycle.
        from salesmgmt.jobs import deliver_notification_task, enqueue_on_commit  # noqa: PLC0415

        enqueue_on_commit(deliver_notification_task, notification.pk)
    return notification


def _claim(outbox, *, now: datetime) -> Notification | None:
    """Lock one due e-mail of ``outbox`` that no one else holds; None if there is none.

    SKIP LOCKED: a row another worker is sending is passed over, not waited for, and
    it is no longer due once that worker commits. (SQLite ignores the lock; it runs one
    writer at a time anyway.)"""
    return (
        outbox.email_due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def deliver_email(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send the e-mail of a notification if it is due and no one else is sending it.

    Returns whether it was sent; a second call sends nothing."""
    now = now or timezone.now()
    notification = _claim(Notification.objects.filter(pk=notification_id), now=now)
    return notification is not None and _send_claimed(notification, now=now)


@dataclass
class EmailSweep:
    sent: int = 0
    failed: int = 0  # attempts that failed in this sweep (retried later or given up)


def send_pending_emails(*, now: datetime | None = None, limit: int = 500) -> EmailSweep:
    """Send every due e-mail of the outbox, up to ``limit``, each in its own transaction
    so a worker killed half-way keeps what it sent. Safe to run beside itself."""
    sweep = EmailSweep()
    for _ in range(limit):
        with transaction.atomic():
            notification = _claim(Notification.objects.all(), now=now or timezone.now())
            if notification is None:
                break
            if _send_claimed(notification, now=now or timezone.now()):
                sweep.sent += 1
            else:
                sweep.failed += 1
    return sweep


def _send_claimed(notification: Notification, *, now: datetime) -> bool:
    """Send a locked notification's e-mail and mark it sent, or record the failure."""
    try:
        _send(notification)
    except Exception as exc:  # whatever the cause, it is counted, shown and retried
        _record_failure(notification, exc, now=now)
        return False
    notification.emailed_at = timezone.now()
    notification.email_attempts += 1
    notification.save(update_fields=["emailed_at", "email_attempts"])
    return True


def _record_failure(notification: Notification, exc: Exception, *, now: datetime) -> None:
    notification.email_attempts += 1
    notification.email_last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if notification.email_attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS:
        notification.email_failed_at = now
        logger.error(
            "E-mail of notification %s given up after %s attempts: %s",
            notification.pk,
            notification.email_attempts,
            notification.email_last_error,
        )
    else:
        pause = RETRY_FIRST_PAUSE * 2 ** (notification.email_attempts - 1)
        notification.email_next_attempt_at = now + min(pause, RETRY_LONGEST_PAUSE)
        logger.warning(
            "E-mail of notification %s failed (attempt %s), retried at %s: %s",
            notification.pk,
            notification.email_attempts,
            notification.email_next_attempt_at,
            notification.email_last_error,
        )
    notification.save(
        update_fields=[
            "email_attempts",
            "email_last_error",
            "email_next_attempt_at",
            "email_failed_at",
        ]
    )


@transaction.atomic
def retry_failed_emails(*, notifications) -> int:
    """Put given-up (or waiting) e-mails back in the outbox, due now; returns how many."""

    ids = list(
        notifications.filter(email=True, emailed_at__isnull=True).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        email_attempts=0, email_next_attempt_at=None, email_failed_at=None
    )
    for pk in ids:
        # salesmgmt.jobs imports this module (its tasks call these services): importing
        # the task here, not at the top, breaks that cycle.
        from salesmgmt.jobs import deliver_notification_task, enqueue_on_commit  # noqa: PLC0415

        enqueue_on_commit(deliver_notification_task, pk)
    return len(ids)


def _send(notification: Notification) -> None:
    user = notification.user
    # Times in the person's own timezone, words in their own language.
    with timezone.override(zone_of(user)), translation.override(language_of(user)):
        link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=notification.title,
            message=f"{notification.body}{link}".strip() + "\n",
            from_email=None,
            recipient_list=[user.email],
        )


def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def settle(*, user: User, key: str) -> int:
    """The notice ``key`` asked ``user`` to do something they have now done: it reads as
    read, so the bell no longer asks for it (an acknowledged review, say)."""
    return Notification.objects.unread().filter(user=user, key=key).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    return Notification.objects.unread().filter(user=user).update(read_at=timezone.now())


@dataclass(frozen=True)
class Notice:
    """One notification to send, unless its (user, key) was sent before."""

    user: User
    kind: str
    key: str
    title: StrOrLazy
    body: StrOrLazy = ""
    url: str = ""


def send_once(notices: Iterable[Notice]) -> int:
    """notify() every notice not sent before; returns how many were sent.

    What was already sent is read in one query per 500 keys, so an hourly run
    over unchanged data costs a query rather than a failed insert per person;
    notify() still refuses a duplicate when two workers race.
    """
    notices = [n for n in notices if n.user.is_active]
    sent: set[tuple[int, str]] = set()
    keys = sorted({n.key for n in notices})
    users = {n.user.pk for n in notices}
    for start in range(0, len(keys), 500):
        sent.update(
            Notification.objects.filter(
                user_id__in=users, key__in=keys[start : start + 500]
            ).values_list("user_id", "key")
        )
    count = 0
    for n in notices:
        if (n.user.pk, n.key) in sent:
            continue
        told = notify(user=n.user, kind=n.kind, key=n.key, title=n.title, body=n.body, url=n.url)
        count += told is not None
    return count
