import argparse

from django.core.management.base import BaseCommand

from reporting.reviews.services import generate_monthly_reviews, review_month
from salesmgmt.calendar import parse_job_time, parse_month


def month_arg(value: str):
    month = parse_month(value)
    if month is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month such as 2025-03.")
    return month


class Command(BaseCommand):
    help = (
        "Build the monthly review of every rep for the previous month (company time). "
        "Beat runs it hourly (in pieces, a team each); reviews that exist are left alone "
        "unless --regenerate, and reps another run is building at the same time are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )
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
