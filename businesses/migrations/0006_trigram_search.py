"""Trigram indexes for the name search (issue 10), on PostgreSQL only.

The search is `icontains`, which Django writes as `UPPER(col::text) LIKE UPPER('%…%')` on
PostgreSQL; a GIN index of `UPPER(col::text)` with `gin_trgm_ops` answers it without reading the
table. SQLite has no such index and searches by scanning, which suits its small databases.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("businesses_business_name_trgm", "businesses_business", "name"),
    ("businesses_business_owner_trgm", "businesses_business", "owner_name"),
    ("businesses_product_name_trgm", "businesses_product", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("businesses", "0005_alter_potential_photo_alter_product_photo")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
