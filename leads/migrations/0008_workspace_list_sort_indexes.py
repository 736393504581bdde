# The lead list's sort indexes. "Latest activity" sorts DESC NULLS LAST: PostgreSQL needs that spelled out in
# the index; SQLite cannot say it but already sorts NULLs last when descending, so it gets a plain DESC index.

from django.conf import settings
from django.db import migrations, models

OWNER_ACTIVITY = models.Index(
    models.F("owner"),
    models.OrderBy(models.F("last_activity_at"), descending=True, nulls_last=True),
    models.OrderBy(models.F("id"), descending=True),
    name="lead_owner_activity",
)
LAST_ACTIVITY = models.Index(
    models.OrderBy(models.F("last_activity_at"), descending=True, nulls_last=True),
    models.OrderBy(models.F("id"), descending=True),
    name="lead_last_activity",
)
SQLITE_SQL = {
    "lead_owner_activity": 'CREATE INDEX "lead_owner_activity" ON "leads_lead" ("owner_id", "last_activity_at" DESC, "id" DESC)',
    "lead_last_activity": 'CREATE INDEX "lead_last_activity" ON "leads_lead" ("last_activity_at" DESC, "id" DESC)',
}


def create_indexes(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    for index in (OWNER_ACTIVITY, LAST_ACTIVITY):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(SQLITE_SQL[index.name])
        else:
            schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):
    model = apps.get_model("leads", "Lead")
    for index in (OWNER_ACTIVITY, LAST_ACTIVITY):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):

    dependencies = [
        ("leads", "0007_assignment_default_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["owner", "-score", "-id"], name="lead_owner_score"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="lead", index=OWNER_ACTIVITY),
                migrations.AddIndex(model_name="lead", index=LAST_ACTIVITY),
            ],
            database_operations=[migrations.RunPython(create_indexes, drop_indexes)],
        ),
    ]
