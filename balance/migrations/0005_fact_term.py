"""The facts' half-year (balance.models.term_of): the statistics group by it rather than by
the start day."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    from balance import facts

    facts.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("balance", "0004_fact_codes")]

    operations = [
        migrations.AddField(
            model_name="proposalfact",
            name="term",
            field=models.SmallIntegerField(default=0),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
