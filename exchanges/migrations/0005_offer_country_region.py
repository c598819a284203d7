import django.db.models.deletion
from django.db import migrations, models


def copy_from_institution(apps, schema_editor):
    Offer = apps.get_model("exchanges", "Offer")
    Institution = apps.get_model("accounts", "Institution")
    for inst in (
        Institution.objects.filter(offers__isnull=False).select_related("country").distinct()
    ):
        Offer.objects.filter(institution=inst).update(
            country_id=inst.country_id, region=inst.country.region
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_affiliation_notified"),
        ("exchanges", "0004_offer_title_vector_postgres"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="country",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offers",
                to="accounts.country",
            ),
        ),
        migrations.AddField(
            model_name="offer",
            name="region",
            field=models.CharField(editable=False, max_length=6, null=True, verbose_name="region"),
        ),
        migrations.RunPython(copy_from_institution, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="offer",
            name="country",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offers",
                to="accounts.country",
            ),
        ),
        migrations.AlterField(
            model_name="offer",
            name="region",
            field=models.CharField(editable=False, max_length=6, verbose_name="region"),
        ),
        migrations.AddIndex(
            model_name="offer",
            index=models.Index(fields=["status", "region"], name="offer_status_region_idx"),
        ),
        migrations.AddIndex(
            model_name="offer",
            index=models.Index(fields=["status", "country"], name="offer_status_country_idx"),
        ),
    ]
