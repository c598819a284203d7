from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, load_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent). Loads the reference data first."

    def handle(self, *args, **options):
        call_command("load_reference", stdout=self.stdout)
        load_demo_accounts()
        self.stdout.write(
            f"demo accounts ready ({len(DEMO_ACCOUNTS)}); password: {settings.TANDEM_DEMO_PASSWORD}"
        )
