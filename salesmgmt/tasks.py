from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def clear_expired_sessions_task() -> None:
    # Deleting expired sessions twice deletes nothing the second time.
    call_command("clearsessions")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_notification_task(notification_id: int) -> bool:
    # deliver_email marks the notification as e-mailed: a redelivery sends nothing.
    from .notifications import deliver_email

    return deliver_email(notification_id=notification_id)
