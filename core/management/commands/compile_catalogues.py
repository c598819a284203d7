from django.core.management.base import BaseCommand

from core.catalogues import compile_all


class Command(BaseCommand):
    help = "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) whose .mo is stale."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalogue.")

    def handle(self, *args, force=False, **options):
        written = compile_all(force=force)
        if options["verbosity"] > 0:
            self.stdout.write(f"{len(written)} catalogue(s) compiled.")
