"""The SDGs of each fact as a bitmask on its row (bit k - 1 for SDG k) rather than a row
per goal: the statistics no longer join the two tables."""

from django.db import migrations, models

FILL = """
UPDATE balance_proposalfact SET sdg_mask = COALESCE((
    SELECT SUM(1 << (s.sdg - 1)) FROM balance_proposalfactsdg s
    WHERE s.fact_id = balance_proposalfact.proposal_id
), 0)
"""


class Migration(migrations.Migration):
    dependencies = [("balance", "0002_fill_proposal_facts")]

    operations = [
        migrations.AddField(
            model_name="proposalfact",
            name="sdg_mask",
            field=models.IntegerField(default=0),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.DeleteModel(name="ProposalFactSdg"),
    ]
