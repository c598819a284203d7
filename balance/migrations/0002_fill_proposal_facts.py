from django.db import migrations


def fill(apps, schema_editor):
    """Filled by 0003 (balance.facts now writes the SDG mask that 0003 adds): a database
    that already ran this keeps its facts, and 0003 turns their SDG rows into masks."""


class Migration(migrations.Migration):
    dependencies = [("balance", "0001_proposal_facts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
