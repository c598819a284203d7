from django.core.management.base import BaseCommand

from accounts import reference as account_reference
from offers import reference as offer_reference


class Command(BaseCommand):
    help = (
        "Load the reference data shipped in data/ (ASEM countries, institutions, ISCED-F, "
        "SDGs). Unchanged files are skipped; run it as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload unchanged files too.")

    def handle(self, *args, force: bool = False, **options):
        for spec in [*account_reference.DATASETS, *offer_reference.DATASETS]:
            loaded, rows = account_reference.load_dataset(force=force, **spec)
            self.stdout.write(f"{spec['key']}: {'loaded' if loaded else 'unchanged'} ({rows} rows)")
