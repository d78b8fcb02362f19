"""The base of the management commands that run one scheduled job once, now.

Each command is what beat would do on the hour: ``job(now=...)`` decides for itself
whether anything is due and never sends an occasion twice. ``--now`` pins the clock
(tests, backfills, a missed night).
"""

import argparse
from datetime import date

from django.core.management.base import BaseCommand

from salesmgmt.calendar import parse_job_time, parse_month


class JobCommand(BaseCommand):
    """Runs ``job`` (a staticmethod taking ``now``) and prints ``done`` with its count."""

    job = None
    done = "{}"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=parse_job_time,
            help="Act as if it were this ISO date-time (company time unless it has an offset).",
        )

    def handle(self, *args, now=None, **options):
        self.stdout.write(self.done.format(self.job(now=now)))


def month_arg(value: str) -> date:
    """An argparse type: a month such as 2025-03, as its first day."""
    month = parse_month(value)
    if month is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month such as 2025-03.")
    return month
