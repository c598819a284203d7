from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, load_demo_accounts
from accounts.reference import load_dataset
from dashboard.demo import build_demo_offers, build_journey_offers
from dashboard.demo_fields import DemoCourseError, build_field_offers
from dashboard.demo_history import build_demo_history
from dashboard.demo_outcomes import build_demo_outcomes


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent). Loads the reference data first."

    def handle(self, *args, **options):
        call_command("load_reference", stdout=self.stdout)
        load_demo_accounts()
        build_journey_offers()
        loaded, rows = load_dataset(
            key="demo-offers",
            file="course_descriptions_open.csv",
            source="CSyllabus (MIT) and University of Trento open data (CC BY-SA 4.0)",
            licence="per row: MIT or CC BY-SA 4.0; demo offers from CC BY-SA rows are CC BY-SA",
            loader=build_demo_offers,
        )
        self.stdout.write(f"demo-offers: {'loaded' if loaded else 'unchanged'} ({rows} offers)")
        history = build_demo_history()
        self.stdout.write(f"demo exchanges: {history or 'unchanged'}")
        # After the made-up past, which would otherwise pair some of them: every field
        # keeps its open offers in both regions.
        try:
            loaded, rows = load_dataset(
                key="demo-field-offers",
                file="demo_courses",  # the folder: hashed file by file
                source="course descriptions written for Tandem, one file per ISCED-F field",
                licence="CC BY 4.0, the Tandem authors",
                loader=build_field_offers,
            )
        except DemoCourseError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"demo-field-offers: {'loaded' if loaded else 'unchanged'} ({rows})")
        # Last: a plausible history of what lecturers did with suggestions, so the
        # secretariat's ranking page shows a fitted model.
        outcomes = build_demo_outcomes()
        self.stdout.write(f"demo suggestion outcomes: {outcomes or 'unchanged'}")
        self.stdout.write(
            f"demo accounts ready ({len(DEMO_ACCOUNTS)}); password: {settings.TANDEM_DEMO_PASSWORD}"
        )
