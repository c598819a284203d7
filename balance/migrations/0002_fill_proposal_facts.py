from django.db import migrations


def fill(apps, schema_editor):
    """Filled by 0005, which rebuilds every fact (balance.facts now writes the columns
    that 0003 to 0005 add)."""


class Migration(migrations.Migration):
    dependencies = [("balance", "0001_proposal_facts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
