from django.db import migrations


def casefold(apps, schema_editor):
    Offer = apps.get_model("exchanges", "Offer")
    for offer in Offer.objects.only("pk", "search_document").iterator(chunk_size=2000):
        folded = offer.search_document.casefold()
        if folded != offer.search_document:
            Offer.objects.filter(pk=offer.pk).update(search_document=folded)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0009_proposal_pairing_round_proposal_proposed_by_and_more")]
    operations = [migrations.RunPython(casefold, migrations.RunPython.noop)]
