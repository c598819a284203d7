from django.core.management.base import BaseCommand

from accounts.reference import load_all


class Command(BaseCommand):
    help = (
        "Load the reference data shipped in data/ (ASEM countries, institutions, ISCED-F, "
        "SDGs). Unchanged files are skipped; run it as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload unchanged files too.")

    def handle(self, *args, force: bool = False, **options):
        load_all(force=force, log=self.stdout.write)
