from django.core.management.base import BaseCommand

from plans.weekly.reminders import send_review_reminders
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Reminders to managers of plans waiting for review. Beat runs it hourly; "
        "each occasion is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_review_reminders(now=now)
        self.stdout.write(f"{count} review reminder(s) sent.")
