import logging

from celery import current_app as app
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run every scheduled job once, now, in this process: what beat would start if "
        "it were running. Each job decides for itself whether its time has come, so "
        "nothing that is not due happens, and running this twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", nargs="+", metavar="ENTRY", help="Run just these beat entries."
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="List the entries and stop."
        )

    def handle(self, *args, only=None, list_only=False, **options):
        schedule = app.conf.beat_schedule
        if list_only:
            for name, entry in schedule.items():
                self.stdout.write(f"{name:34} {entry['task']}  ({entry['schedule']})")
            return
        unknown = sorted(set(only or ()) - set(schedule))
        if unknown:
            raise CommandError(f"No such job: {', '.join(unknown)}. See --list.")
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task
        app.loader.import_default_modules()  # register the apps' tasks (autodiscovery is lazy)
        failed = 0
        for name, entry in schedule.items():
            if only and name not in only:
                continue
            result = app.tasks[entry["task"]].apply()  # synchronously, here, whatever the broker
            if result.failed():
                failed += 1
                self.stderr.write(f"{name}: failed: {result.result!r}")
            else:
                value = "" if result.result is None else f": {result.result}"
                self.stdout.write(f"{name}{value}")
        if failed:
            raise CommandError(f"{failed} job(s) failed.")
