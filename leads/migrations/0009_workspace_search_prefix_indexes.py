# Prefix search on the lead list (name, company, email) walks these indexes on PostgreSQL: the ORM's
# istartswith is UPPER(col::text) LIKE 'X%', which needs an expression index with text_pattern_ops.
# SQLite (the embedded default, small data) has no operator classes and skips them; they live outside
# the model state because Django cannot declare an operator class portably.

from django.db import migrations

INDEXES = {
    "lead_last_name_prefix": "(UPPER(last_name::text) text_pattern_ops)",
    "lead_first_name_prefix": "(UPPER(first_name::text) text_pattern_ops)",
    "lead_company_prefix": "(UPPER(company::text) text_pattern_ops)",
    "lead_email_prefix": "(email text_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "leads_lead" {columns}')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [("leads", "0008_workspace_list_sort_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
