"""Telling people things: in the app (the bell) and by e-mail, each at most once.

Every notification names its occasion with a ``key``; (user, key) is unique,
so a job that runs twice, or a message delivered twice, tells nobody twice.
What a person receives follows their preferences per kind.
"""

import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, NotificationPreference, User


def preferences_of(user: User) -> dict[str, tuple[bool, bool]]:
    """{kind: (in_app, email)} for the kinds the user changed; the rest are both on."""
    return {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}


@transaction.atomic
def notify(
    *, user: User, kind: str, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Record and deliver one notification; None if it was already sent (or unwanted)."""
    if not user.is_active:
        return None
    in_app, email = preferences_of(user).get(kind, (True, True))
    if not (in_app or email):
        return None
    email = email and bool(user.email)
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
        from .tasks import deliver_notification_task

        transaction.on_commit(lambda: deliver_notification_task.delay(notification.pk), robust=True)
    return notification


@transaction.atomic
def deliver_email(*, notification_id: int) -> bool:
    """Send the e-mail of a notification once; a second call sends nothing."""
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=notification_id, email=True, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    user = notification.user
    try:
        tz = zoneinfo.ZoneInfo(user.timezone)
    except zoneinfo.ZoneInfoNotFoundError:
        tz = zoneinfo.ZoneInfo("UTC")
    with timezone.override(tz):  # times in the body read in the person's own timezone
        link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=notification.title,
            message=f"{notification.body}{link}".strip() + "\n",
            from_email=None,
            recipient_list=[user.email],
        )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(*, user: User) -> int:
    return Notification.objects.unread().filter(user=user).update(read_at=timezone.now())
