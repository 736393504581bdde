# SQLite adds the column in place (AddFieldInPlace): a table rebuild would re-create the "DESC NULLS LAST" sort
# indexes of 0008, which SQLite cannot express. AddFieldInPlace takes only unindexed fields, so the column is added
# unindexed and its index (upserts look leads up by their external id) is created next, under Django's own name.
from django.db import migrations, models

from core.migration_ops import AddFieldInPlace


def _index_name(apps, schema_editor) -> tuple:
    model = apps.get_model("leads", "Lead")
    field = model._meta.get_field("external_id")
    return model, field, schema_editor._create_index_name(model._meta.db_table, [field.column])


def create_index(apps, schema_editor):
    model, field, _ = _index_name(apps, schema_editor)
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def drop_index(apps, schema_editor):
    _, _, name = _index_name(apps, schema_editor)
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("leads", "0019_activity_report_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                AddFieldInPlace(
                    model_name="lead",
                    name="external_id",
                    field=models.CharField(blank=True, db_default="", default="", max_length=255),
                ),
                migrations.RunPython(create_index, drop_index),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="lead",
                    name="external_id",
                    field=models.CharField(blank=True, db_default="", db_index=True, default="", max_length=255),
                ),
            ],
        ),
    ]
