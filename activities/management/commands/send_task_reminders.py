from django.core.management.base import BaseCommand

from activities.tasks.reminders import send_task_reminders
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Reminders of open tasks due soon. Beat runs it every 15 minutes; "
        "each occasion is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_task_reminders(now=now)
        self.stdout.write(f"{count} task reminder(s) sent.")
