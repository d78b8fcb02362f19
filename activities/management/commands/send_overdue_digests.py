from django.core.management.base import BaseCommand

from activities.tasks.reminders import send_overdue_digests
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Daily digests of overdue tasks to reps and their managers. Beat runs it hourly; "
        "each occasion is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_overdue_digests(now=now)
        self.stdout.write(f"{count} overdue digest(s) sent.")
