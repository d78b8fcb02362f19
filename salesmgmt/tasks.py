from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def clear_expired_sessions_task() -> None:
    # Deleting expired sessions twice deletes nothing the second time.
    call_command("clearsessions")
