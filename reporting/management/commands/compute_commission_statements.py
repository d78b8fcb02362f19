from reporting.commissions.services import compute_commission_statements
from salesmgmt.commands import JobCommand, month_arg


class Command(JobCommand):
    help = (
        "Commission statements of the previous month for every rep on an active plan. "
        "Beat runs it hourly; it only creates missing statements. With --month it "
        "recomputes that month's statements."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--month", type=month_arg, help="Recompute the statements of this month (YYYY-MM)."
        )

    def handle(self, *args, now=None, month=None, **options):
        count = compute_commission_statements(now=now, month=month)
        self.stdout.write(f"{count} commission statement(s) computed.")
