from django.core.management.base import BaseCommand, CommandError

from activities.log import rollups
from activities.models import ActivityMonth, ActivityWeek


class Command(BaseCommand):
    help = (
        "Compare the activity rollups (month and week) with the activity rows, (rep, metric, "
        "month) and (rep, metric, week) by each; exit 1 on any difference. --fix rebuilds "
        "them from the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rebuild the rollups from the rows.")

    def handle(self, *args, fix, **options):
        if fix:
            counts = rollups.rebuild()
            self.stdout.write(
                f"Rebuilt: {counts['month']:,} (rep, metric, month) and {counts['week']:,} "
                "(rep, metric, week) rows."
            )
        found = rollups.differences()
        for d in found[:20]:
            self.stdout.write(
                f"rep {d.rep_id} metric {d.metric_id} {d.rollup} of {d.start}: rows {d.rows} "
                f"({d.row_count}), rollup {d.rollup_total} ({d.entries})"
            )
        if found:
            raise CommandError(
                f"{len(found)} rollup rows differ from the activity rows; "
                "check_rollups --fix rebuilds the rollups."
            )
        self.stdout.write(
            f"The rollups match the activity rows: {ActivityMonth.objects.count():,} "
            f"(rep, metric, month) and {ActivityWeek.objects.count():,} (rep, metric, week) rows."
        )
