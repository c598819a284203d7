"""Keep offer rows narrow on PostgreSQL.

Searches and filters read many offer rows but show only 20 descriptions. With a low
toast_tuple_target the long texts and the search vector live out of line, so a row is a
few hundred bytes and a scan over thousands of matches touches far fewer pages.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE exchanges_offer SET (toast_tuple_target = 256)")
        # Ranking reads the title's vector of every match: keep it in the row.
        schema_editor.execute(
            "ALTER TABLE exchanges_offer ALTER COLUMN title_vector SET STORAGE MAIN"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE exchanges_offer RESET (toast_tuple_target)")
        schema_editor.execute(
            "ALTER TABLE exchanges_offer ALTER COLUMN title_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0005_offer_country_region")]
    operations = [migrations.RunPython(forward, backward)]
