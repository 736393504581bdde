# pg_trgm and unaccent for global search, and funnel_unaccent(text): unaccent() is only STABLE (its dictionary
# could change), so an index can't use it; this IMMUTABLE wrapper names the extension's schema and dictionary,
# which is what makes it safe to index. SQLite gets funnel_unaccent from search.apps (in Python); Django's
# extension operations do nothing there (forwards; backwards Django's own would query pg_extension, hence the
# subclasses below), and neither does the function below.

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class PostgresOnlyBackwards:
    """Django's CreateExtension checks the database vendor going forwards only; do the same going backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Trigram(PostgresOnlyBackwards, TrigramExtension):
    pass


class Unaccent(PostgresOnlyBackwards, UnaccentExtension):
    pass


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        schema = cursor.fetchone()[0]
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION funnel_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"RETURN {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    )


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS funnel_unaccent(text)")


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        Trigram(),
        Unaccent(),
        migrations.RunPython(create_function, drop_function, elidable=False),
    ]
