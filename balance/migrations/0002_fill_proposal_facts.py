from django.db import migrations


def fill(apps, schema_editor):
    from balance import facts

    facts.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("balance", "0001_proposal_facts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
