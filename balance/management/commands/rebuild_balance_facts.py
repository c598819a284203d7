from django.core.management.base import BaseCommand

from balance import facts


class Command(BaseCommand):
    help = (
        "Rewrite the statistics' copy of every proposal (after bulk changes that bypass signals)."
    )

    def handle(self, *args, **options):
        n = facts.rebuild()
        self.stdout.write(f"{n} proposals")
