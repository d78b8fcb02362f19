from django.core.management.base import BaseCommand

from salesmgmt.i18n import compile_catalogues


class Command(BaseCommand):
    help = (
        "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po -> .mo) that changed; "
        "needs no GNU gettext."
    )

    def handle(self, *args, **options):
        compiled = compile_catalogues()
        self.stdout.write(f"Compiled {len(compiled)} catalogue(s).")
