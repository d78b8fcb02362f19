from django.core.management.base import BaseCommand, CommandError

from activities.log import rollups
from activities.models import ActivityMonth


class Command(BaseCommand):
    help = (
        "Compare the activity month rollup with the activity rows, (rep, metric, month) by "
        "(rep, metric, month); exit 1 on any difference. --fix rebuilds it from the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rebuild the rollup from the rows.")

    def handle(self, *args, fix, **options):
        if fix:
            self.stdout.write(f"Rebuilt: {rollups.rebuild():,} (rep, metric, month) rows.")
        found = rollups.differences()
        for d in found[:20]:
            self.stdout.write(
                f"rep {d.rep_id} metric {d.metric_id} {d.month:%Y-%m}: rows {d.rows} "
                f"({d.row_count}), rollup {d.rollup} ({d.entries})"
            )
        if found:
            raise CommandError(
                f"{len(found)} (rep, metric, month) differ from the activity rows; "
                "check_rollups --fix rebuilds the rollup."
            )
        self.stdout.write(
            f"The rollup matches the activity rows: {ActivityMonth.objects.count():,} "
            "(rep, metric, month) rows."
        )
