import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from salesmgmt.demo.scale.company import PASSWORD, PREFIX, ScaleCompany
from salesmgmt.models import User


class Command(BaseCommand):
    help = (
        "Load a deterministic company of --reps reps with --months months of history (the "
        "scale benchmark's data): people, activities, weekly plans, goals, customers, deals "
        "and tasks, in one transaction. Refuses a database that already holds one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reps", type=int, default=2000, help="How many reps (default 2000).")
        parser.add_argument(
            "--months", type=int, default=12, help="Whole months of history before this one."
        )
        parser.add_argument("--seed", type=int, default=7, help="The random seed (default 7).")

    def handle(self, *args, reps, months, seed, **options):
        if reps < 1 or months < 0:
            raise CommandError("--reps must be at least 1 and --months at least 0.")
        if User.objects.filter(username__startswith=PREFIX).exists():
            raise CommandError("This database already holds a scale company.")
        began = time.perf_counter()
        self.stdout.write(f"Loading {reps:,} reps with {months} months of history (seed {seed})")
        with transaction.atomic():
            counts = ScaleCompany(reps=reps, months=months, seed=seed, out=self.stdout.write).load()
        seconds = time.perf_counter() - began
        total = sum(counts.rows.values())
        self.stdout.write(
            f"Loaded {total:,} rows in {seconds:.1f} s: "
            + ", ".join(f"{n:,} {name}" for name, n in counts.rows.items())
        )
        self.stdout.write(
            f"Logins (password {PASSWORD}): {PREFIX}admin, {PREFIX}director.01, "
            f"{PREFIX}manager.001 (a team of 5), {PREFIX}manager.002 (a team of 50), "
            f"{PREFIX}rep.00001"
        )
