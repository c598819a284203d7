from django.db import migrations


def fill(apps, schema_editor):
    """Filled by 0004, which rebuilds every fact (balance.facts now writes the columns
    that 0003 and 0004 add)."""


class Migration(migrations.Migration):
    dependencies = [("balance", "0001_proposal_facts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
