"""The facts' text keys (country, kind, level, priority, field) as small integers
(balance.models.encode): a narrower row, cheaper to group by. The facts are derived data:
the columns are replaced and every row rebuilt (by 0005)."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    """Rebuilt by 0005 (balance.facts writes the column that 0005 adds)."""


class Migration(migrations.Migration):
    dependencies = [("balance", "0003_fact_sdg_mask")]

    operations = [
        migrations.RemoveField(model_name="proposalfact", name="asian_country"),
        migrations.RemoveField(model_name="proposalfact", name="asian_kind"),
        migrations.RemoveField(model_name="proposalfact", name="asian_level"),
        migrations.RemoveField(model_name="proposalfact", name="asian_priority"),
        migrations.RemoveField(model_name="proposalfact", name="asian_field"),
        migrations.RemoveField(model_name="proposalfact", name="european_country"),
        migrations.RemoveField(model_name="proposalfact", name="european_kind"),
        migrations.RemoveField(model_name="proposalfact", name="european_level"),
        migrations.RemoveField(model_name="proposalfact", name="european_priority"),
        migrations.RemoveField(model_name="proposalfact", name="european_field"),
        migrations.AddField(
            model_name="proposalfact",
            name="asian_country",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="asian_kind",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="asian_level",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="asian_priority",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="asian_field",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="european_country",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="european_kind",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="european_level",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="european_priority",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="proposalfact",
            name="european_field",
            field=models.SmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
