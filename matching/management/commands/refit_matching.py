from django.core.management.base import BaseCommand

from matching import engine


class Command(BaseCommand):
    help = "Fit the similarity model on the open offers now (skipped when nothing changed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Refit even if unchanged.")

    def handle(self, *args, force: bool = False, **options):
        version = engine.refit(force=force)
        if version is None:
            self.stdout.write("no open offers: nothing to fit")
            return
        self.stdout.write(
            f"model v{version.pk}: {version.offers} offers, fitted in {version.fit_seconds} s, "
            f"{version.size_bytes / 1e6:.1f} MB"
        )
