from django.core.management.base import BaseCommand

from salesmgmt.notifications.services import send_pending_emails


class Command(BaseCommand):
    help = (
        "Send the e-mails of notifications that are still unsent (the outbox): those whose "
        "delivery task was lost, and failed ones whose next attempt is due. Beat runs it "
        "every minute; an e-mail is sent once, however many runs overlap."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="Send at most this many (default 500)."
        )

    def handle(self, *args, limit=500, **options):
        sweep = send_pending_emails(limit=limit)
        self.stdout.write(f"{sweep.sent} e-mail(s) sent, {sweep.failed} failed (retried later).")
