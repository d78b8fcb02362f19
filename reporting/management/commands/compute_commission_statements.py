from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reporting.commissions.services import compute_commission_statements
from salesmgmt.calendar import parse_job_time, parse_month


def month_arg(value: str) -> date:
    month = parse_month(value)
    if month is None:
        raise CommandError(f"{value!r} is not a month such as 2025-03.")
    return month


class Command(BaseCommand):
    help = (
        "Commission statements of the previous month for every rep on an active plan. "
        "Beat runs it hourly; it only creates missing statements. With --month it "
        "recomputes that month's statements."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )
        parser.add_argument("--month", help="Recompute the statements of this month (YYYY-MM).")

    def handle(self, *args, now=None, month=None, **options):
        count = compute_commission_statements(now=now, month=month_arg(month) if month else None)
        self.stdout.write(f"{count} commission statement(s) computed.")
