"""Migration helpers shared by apps.

`DropFieldIndexes` turns off `db_index` of fields in the database by dropping their single-column indexes by
name, found by introspection. Django's own AlterField would drop and re-add the foreign-key constraint (a full
re-check of a big table on PostgreSQL) and, on SQLite, rebuild the whole table — which also trips over indexes
SQLite cannot express. Use it as the database half of `SeparateDatabaseAndState`, with the `AlterField`s as
the state half.
"""

from __future__ import annotations

import contextlib

from django.db import migrations


def _single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]
    )


class DropFieldIndexes(migrations.RunPython):
    """Drop the plain single-column indexes of `fields` of `model_name` (reverse: create one index per field)."""

    def __init__(self, model_name: str, fields: list[str]):
        self.model_name, self.fields = model_name, fields
        super().__init__(self._drop, self._create)

    def _drop(self, apps, schema_editor) -> None:
        model = apps.get_model(self.app_label, self.model_name)
        table = model._meta.db_table
        for name in self.fields:
            column = model._meta.get_field(name).column
            for index in _single_column_indexes(schema_editor, table, column):
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(index)}")

    def _create(self, apps, schema_editor) -> None:
        model = apps.get_model(self.app_label, self.model_name)
        for name in self.fields:
            # Under Django's own name for an indexed field, which the migrations before this one drop by name.
            field = model._meta.get_field(name)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.app_label = app_label
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.app_label = app_label
        super().database_backwards(app_label, schema_editor, from_state, to_state)


class AdoptModels(migrations.RunPython):
    """Take over `models` of app `from_app`, whose tables this app now owns under their old names.

    Use after a state-only `CreateModel` (inside `SeparateDatabaseAndState`) of each model with its old
    `db_table`. Forwards: creates a table that does not exist yet (a database that never had the old app's
    migration), and moves the content types — with their permissions and admin log entries — from `from_app` to
    this app, so nothing that points at them is lost. The rows stay where they are.
    """

    def __init__(self, from_app: str, models: list[str]):
        self.from_app, self.model_names = from_app, [name.lower() for name in models]
        super().__init__(self._adopt, self._release)

    def _adopt(self, apps, schema_editor) -> None:
        tables = set(schema_editor.connection.introspection.table_names())
        for name in self.model_names:
            model = apps.get_model(self.app_label, name)
            if model._meta.db_table not in tables:
                schema_editor.create_model(model)
        self._move_content_types(apps, self.from_app, self.app_label)

    def _release(self, apps, schema_editor) -> None:
        self._move_content_types(apps, self.app_label, self.from_app)

    def _move_content_types(self, apps, old: str, new: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for name in self.model_names:
            moving = content_type.objects.filter(app_label=old, model=name).first()
            if moving is None:
                continue
            early = content_type.objects.filter(app_label=new, model=name).first()
            if early is not None:
                # The new code ran before this migration and made its own content type: fold it into the old one,
                # which holds the granted permissions and the admin history.
                _merge_content_type(apps, keep=moving, drop=early)
            moving.app_label = new
            moving.save(update_fields=["app_label"])

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.app_label = app_label
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.app_label = app_label
        super().database_backwards(app_label, schema_editor, from_state, to_state)


def _merge_content_type(apps, *, keep, drop) -> None:
    """Move what points at content type `drop` onto `keep` (permissions by codename, grants, admin log), then delete it."""
    permission = apps.get_model("auth", "Permission")
    for perm in permission.objects.filter(content_type=drop):
        twin = permission.objects.filter(content_type=keep, codename=perm.codename).first()
        if twin is None:
            perm.content_type = keep
            perm.save(update_fields=["content_type"])
            continue
        for group in perm.group_set.all():
            group.permissions.add(twin)
        for user in perm.user_set.all():
            user.user_permissions.add(twin)
        perm.delete()
    # LookupError: the admin's tables are not migrated yet, so no log entry can point at `drop`.
    with contextlib.suppress(LookupError):
        apps.get_model("admin", "LogEntry").objects.filter(content_type=drop).update(content_type=keep)
    drop.delete()


class AddFieldInPlace(migrations.AddField):
    """AddField that, on SQLite, adds the column in place (`ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT …`).

    Django adds a NOT NULL column to a SQLite table by rebuilding the table and recreating its indexes from the
    model state; the lead table's `DESC NULLS LAST` sort indexes cannot be written in SQLite's CREATE INDEX, so the
    rebuild fails. SQLite adds such a column in place when it has a constant default, which this operation always
    gives it (the default stays in the schema, where it does no harm). A nullable foreign key without a default is
    added in place by Django itself. Backwards, SQLite drops the column in place (`ALTER TABLE … DROP COLUMN`, for
    the same reason); the field must not be indexed. Other databases use AddField unchanged.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        if (
            schema_editor.connection.vendor != "sqlite"
            or field.many_to_many
            or field.remote_field is not None
            or field.unique
            or field.primary_key
            or not self.allow_migrate_model(schema_editor.connection.alias, model)
        ):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        definition, params = schema_editor.column_sql(model, field, include_default=True)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {schema_editor.quote_name(field.column)} {definition}", params
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        if (
            schema_editor.connection.vendor != "sqlite"
            or field.many_to_many
            or field.unique
            or field.primary_key
            or field.db_index
            or not self.allow_migrate_model(schema_editor.connection.alias, model)
        ):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name(field.column)}")
