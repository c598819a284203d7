import json

from django.core.management.base import BaseCommand, CommandError

from matching import engine
from offers.models import Offer


class Command(BaseCommand):
    help = "Print an offer's partner suggestions with their explanations."

    def add_arguments(self, parser):
        parser.add_argument("offer_id", type=int)
        parser.add_argument("--k", type=int, default=10, help="How many (1-50).")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, offer_id: int, k: int, **options):
        if not 1 <= k <= 50:
            raise CommandError("--k must be between 1 and 50.")
        offer = Offer.objects.filter(pk=offer_id).select_related("institution").first()
        if offer is None:
            raise CommandError(f"There is no offer {offer_id}.")
        matches = engine.suggestions_if_ready(offer, k=k)
        if matches is None:
            raise CommandError(
                "No matching model is stored yet (a refit is queued): "
                "run `manage.py refit_matching` to fit one now."
            )
        partners = Offer.objects.in_bulk([m.partner_id for m in matches])
        rows = [
            {
                "partner_id": m.partner_id,
                "title": partners[m.partner_id].title,
                "institution": partners[m.partner_id].institution.name,
                "country": partners[m.partner_id].country_id,
                "score": round(m.score, 4),
                "reasons": [r.as_dict() for r in m.reasons],
            }
            for m in matches
        ]
        if options["json"]:
            self.stdout.write(_dumps({"offer_id": offer.pk, "suggestions": rows}))
            return
        self.stdout.write(f"{offer.title} — {offer.institution.name}")
        for i, row in enumerate(rows, 1):
            where = f"{row['institution']} ({row['country']})"
            self.stdout.write(f"{i:2}. {row['score']:.2f}  {row['title']} — {where}")
            for reason in row["reasons"]:
                self.stdout.write(f"      · {reason['text']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
