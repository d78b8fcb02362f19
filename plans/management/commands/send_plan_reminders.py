from django.core.management.base import BaseCommand

from plans.weekly.reminders import send_plan_reminders
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Weekly plan reminders to reps, and lists of reps without a plan to their managers. "
        "Beat runs it hourly; each occasion is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_plan_reminders(now=now)
        self.stdout.write(f"{count} plan reminder(s) sent.")
