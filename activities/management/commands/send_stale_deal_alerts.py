from django.core.management.base import BaseCommand

from activities.deals.reminders import send_stale_deal_alerts
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Alerts about stale deals to owners and their managers. Beat runs it hourly; "
        "each occasion is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_stale_deal_alerts(now=now)
        self.stdout.write(f"{count} stale deal alert(s) sent.")
