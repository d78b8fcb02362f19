from django.core.management.base import BaseCommand

from reporting.packs.services import send_report_packs
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "E-mail every report pack that is due (its day and hour of this month have come) "
        "with last month's reports. Beat runs it hourly; each pack goes out once a month."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_report_packs(now=now)
        self.stdout.write(f"{count} report pack(s) sent.")
