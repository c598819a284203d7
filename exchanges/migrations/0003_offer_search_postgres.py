"""PostgreSQL full-text and trigram search on offers; nothing on SQLite.

The tsvector is a stored generated column that Django does not model: the database
keeps it in step with search_document, and exchanges.search reads it directly.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE exchanges_offer ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_document)) STORED",
    "CREATE INDEX offer_search_vector_idx ON exchanges_offer USING gin (search_vector)",
    # Scripts written without spaces (Chinese, Japanese, Thai, Khmer…) are searched
    # by substring; the trigram index keeps that fast.
    "CREATE INDEX offer_search_trgm_idx ON exchanges_offer "
    "USING gin (search_document gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS offer_search_trgm_idx",
    "DROP INDEX IF EXISTS offer_search_vector_idx",
    "ALTER TABLE exchanges_offer DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0002_offers")]
    operations = [migrations.RunPython(forward, backward)]
