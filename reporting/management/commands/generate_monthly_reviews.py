from reporting.reviews.services import generate_monthly_reviews, review_month
from salesmgmt.commands import JobCommand, month_arg


class Command(JobCommand):
    help = (
        "Build the monthly review of every rep for the previous month (company time). "
        "Beat runs it hourly (in pieces, a team each); reviews that exist are left alone "
        "unless --regenerate, and reps another run is building at the same time are skipped."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--month", type=month_arg, help="Review this month (YYYY-MM) instead of the last one."
        )
        parser.add_argument(
            "--regenerate",
            action="store_true",
            help="Refresh the figures of existing reviews too (people's text is kept).",
        )

    def handle(self, *args, now=None, month=None, regenerate=False, **options):
        month = review_month(now=now, month=month)
        run = generate_monthly_reviews(now=now, month=month, regenerate=regenerate)
        self.stdout.write(
            f"{run.built} monthly review(s) built for {month:%B %Y}; "
            f"{run.existing} already there, {run.held} left to another run building them."
        )
