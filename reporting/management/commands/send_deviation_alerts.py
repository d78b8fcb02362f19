from django.core.management.base import BaseCommand

from reporting.kpis.services import send_deviation_alerts
from salesmgmt.calendar import parse_job_time


class Command(BaseCommand):
    help = (
        "Deviation alerts: goals and KPIs behind pace. Beat runs it hourly; it acts from the "
        "company's alert hour, and each episode is told once (again only when it turns red)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        count = send_deviation_alerts(now=now)
        self.stdout.write(f"{count} deviation alert(s) sent.")
