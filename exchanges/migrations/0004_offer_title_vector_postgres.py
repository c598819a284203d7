"""A small generated tsvector of the title alone, for ranking on PostgreSQL.

Ranking by the whole document would read every matching row's large, out-of-line
(TOASTed) vector; the title's vector sits in the row and keeps ranking cheap.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE exchanges_offer ADD COLUMN title_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title)) STORED"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE exchanges_offer DROP COLUMN IF EXISTS title_vector")


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0003_offer_search_postgres")]
    operations = [migrations.RunPython(forward, backward)]
