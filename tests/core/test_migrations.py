"""The move of models between apps (tables kept, content types relabelled) is safe for a database that has data.

Before the move the app `leads` held the scoring, assignment and import models and the shared kernel had the label
`common`. A database from then holds the tables under their old names, the migration row
("common", "0001_api_idempotency_key") and content types (with permissions and admin log entries) under the old
labels. The tests roll this database back to that state, fill it through the historical models, migrate it forward
the way a deploy does (`migrate`, post_migrate signals included) and compare every table's rows before and after.
Each test leaves the database fully migrated: the rest of the suite runs on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from dashboards.rollups import rebuild_rollups

# The migrations of the change: each app's initial migration adopts tables that already exist.
NEW_MIGRATIONS = [
    ("core", "0001_initial"),
    ("leads", "0015_move_scoring_assignment_imports_out"),
    ("scoring", "0001_initial"),
    ("assignment", "0001_initial"),
    ("imports", "0001_initial"),
]
OLD_COMMON_MIGRATION = ("common", "0001_api_idempotency_key")
# (old app label, new app label, model) for every moved model; the table name is `<old label>_<model>` throughout.
MOVED = [
    ("leads", "scoring", "scoringrule"),
    ("leads", "scoring", "engagementweight"),
    ("leads", "scoring", "scoringrun"),
    ("leads", "assignment", "assignmentrule"),
    ("leads", "imports", "importjob"),
    ("leads", "imports", "importrowerror"),
    ("common", "core", "idempotencykey"),
]
NEW_LABEL = {(old, model): new for old, new, model in MOVED}
WHEN = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def _executor() -> MigrationExecutor:
    """A fresh executor: its loader reads the applied migrations when it is made."""
    return MigrationExecutor(connection)


def _migrate_fully() -> None:
    """Migrate to the latest state the way a deploy does, post_migrate (content types, permissions) included."""
    call_command("migrate", verbosity=0, interactive=False)
    _clear_content_type_cache()


def _assert_fully_migrated() -> None:
    executor = _executor()
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())


def _clear_content_type_cache() -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _rollback_targets(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """For each new migration, its predecessor in its app (None: the app's zero)."""
    graph = executor.loader.graph
    targets = []
    for key in NEW_MIGRATIONS:
        parents = [parent.key for parent in graph.node_map[key].parents if parent.key[0] == key[0]]
        targets.append(parents[0] if parents else (key[0], None))
    return targets


def _old_state():
    """The project state of a database from before the move: applied migrations plus `common.IdempotencyKey`.

    The app `common` no longer exists, so its model is rebuilt from `core`'s (the same fields and constraints,
    the old label and the default table name, `common_idempotencykey`).
    """
    loader = _executor().loader
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    state = loader.project_state(applied)
    assert ("scoring", "scoringrule") not in state.models
    assert ("leads", "scoringrule") in state.models
    key_model = loader.project_state(("core", "0001_initial")).models["core", "idempotencykey"].clone()
    key_model.app_label = "common"
    key_model.options.pop("db_table")
    state.add_model(key_model)
    return state


def _roll_back_to_before_the_move():
    """Unapply the change's migrations and give the database what an old one holds; returns the old apps."""
    executor = _executor()
    executor.migrate(_rollback_targets(executor))
    _clear_content_type_cache()
    loader = _executor().loader
    for key in NEW_MIGRATIONS:
        assert key not in loader.applied_migrations
    assert ("leads", "0014_dashboard_indexes") in loader.applied_migrations

    old_apps = _old_state().apps
    key_model = old_apps.get_model("common", "IdempotencyKey")
    assert key_model._meta.db_table == "common_idempotencykey"
    # Unapplying core's adoption keeps the table; it is made again the way the old app's CreateModel made it.
    with connection.schema_editor() as editor:
        if key_model._meta.db_table in connection.introspection.table_names():
            editor.delete_model(key_model)
        editor.create_model(key_model)
    MigrationRecorder(connection).record_applied(*OLD_COMMON_MIGRATION)

    content_type = old_apps.get_model("contenttypes", "ContentType")
    permission = old_apps.get_model("auth", "Permission")
    for old, new, model in MOVED:
        # Unapplying the adoption hands the content types back; an old database never had the new labels.
        assert not content_type.objects.filter(app_label=new, model=model).exists()
        ct, _ = content_type.objects.get_or_create(app_label=old, model=model)
        for action in ("add", "change", "delete", "view"):
            permission.objects.get_or_create(
                content_type=ct, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
    return old_apps


def _fill_old_database(old_apps) -> dict[str, int]:
    """Rows in every moved table and in the apps around them, written through the historical models."""
    get = old_apps.get_model
    user_model, team_model = get("users", "User"), get("users", "Team")
    content_type, permission = get("contenttypes", "ContentType"), get("auth", "Permission")

    manager = user_model.objects.create(username="mig-manager", password="!", role="manager")
    team = team_model.objects.create(name="Migration East", manager=manager)
    rep = user_model.objects.create(username="mig-rep", password="!", role="rep", team=team, lead_capacity=40)
    auditor = user_model.objects.create(username="mig-auditor", password="!", role="manager", is_staff=True)
    group = get("auth", "Group").objects.create(name="Migration scoring editors")
    scoring_ct = content_type.objects.get(app_label="leads", model="scoringrule")
    key_ct = content_type.objects.get(app_label="common", model="idempotencykey")
    group.permissions.add(*permission.objects.filter(content_type=scoring_ct))
    auditor.groups.add(group)
    auditor.user_permissions.add(permission.objects.get(content_type=key_ct, codename="view_idempotencykey"))
    auditor.user_permissions.add(
        permission.objects.get(content_type__app_label="leads", codename="change_assignmentrule")
    )

    account = get("accounts", "Account").objects.create(name="Acme", owner=rep, employees=250, industry="Retail")
    contact = get("contacts", "Contact").objects.create(last_name="Curie", account=account, owner=rep)
    stage = get("opportunities", "Stage").objects.order_by("order").first() or get(
        "opportunities", "Stage"
    ).objects.create(name="Migration stage", order=1, probability=10)
    opportunity = get("opportunities", "Opportunity").objects.create(
        name="Acme renewal", account=account, stage=stage, owner=rep, amount=Decimal("1200.50")
    )
    lead = get("leads", "Lead").objects.create(
        last_name="Lovelace", email="ada@migration.example", owner=rep, score=42, source="web", country="UK"
    )
    get("opportunities", "OpportunityContactRole").objects.create(
        opportunity=opportunity, contact=contact, role="Buyer"
    )
    get("opportunities", "OpportunityStageChange").objects.create(
        opportunity=opportunity, to_stage=stage, changed_at=WHEN, changed_by=rep
    )
    get("leads", "LeadStatusChange").objects.create(lead=lead, to_status="working", changed_at=WHEN, changed_by=rep)
    get("leads", "WebForm").objects.create(name="Migration form", form_key="mig-form-key", default_owner=rep)
    get("activities", "Activity").objects.create(subject="Call Ada", lead=lead, owner=rep)
    get("activities", "Event").objects.create(kind="lead.created", summary="Ada", lead=lead, data={"by": "mig"})
    sequence = get("nurture", "Sequence").objects.create(name="Migration sequence")
    step = get("nurture", "Step").objects.create(sequence=sequence, order=1, subject="Hi", body_text="Hello")
    enrollment = get("nurture", "Enrollment").objects.create(
        lead=lead, sequence=sequence, status="active", next_send_at=WHEN, current_step=step
    )
    get("nurture", "Delivery").objects.create(enrollment=enrollment, step=step)

    rule = get("leads", "ScoringRule").objects.create(
        name="Migration: retail", field="industry", operator="equals", value="Retail", points=-15
    )
    weight = get("leads", "EngagementWeight").objects.create(kind="migration.webinar", points=7, active=False)
    run = get("leads", "ScoringRun").objects.create(
        status="done", reason="migration", started_at=WHEN, finished_at=WHEN, last_id=99, max_id=99, leads_changed=3
    )
    assignment = get("leads", "AssignmentRule").objects.create(
        order=5,
        name="Migration: UK retail",
        sources=["web"],
        countries=["UK"],
        industries=["Retail"],
        employees_min=10,
        employees_max=500,
        score_min=30,
        ratings=["hot"],
        method="least_loaded",
        target_team=team,
        last_assigned_user=rep,
    )
    job = get("leads", "ImportJob").objects.create(
        file="imports/2025/03/migration.csv",
        original_name="migration.csv",
        headers=["Last name", "Email"],
        mapping={"Last name": "last_name", "Email": "email"},
        status="done",
        rows_total=3,
        rows_done=3,
        created=1,
        failed=2,
        created_by=rep,
        owner=manager,
        started_at=WHEN,
    )
    error = get("leads", "ImportRowError").objects.create(
        job=job, row=2, column="Email", message="Enter a valid email address.", value="not-an-email"
    )
    idempotency_key = get("common", "IdempotencyKey").objects.create(
        user=rep, key="migration-key", fingerprint="f" * 64, status_code=201, body='{"id": 1}', created_at=WHEN
    )
    log_entry = get("admin", "LogEntry").objects.create(
        user=auditor,
        content_type=scoring_ct,
        object_id=str(rule.pk),
        object_repr=rule.name,
        action_flag=2,
        change_message="[]",
    )
    return {
        "scoringrule": rule.pk,
        "engagementweight": weight.pk,
        "scoringrun": run.pk,
        "assignmentrule": assignment.pk,
        "importjob": job.pk,
        "importrowerror": error.pk,
        "idempotencykey": idempotency_key.pk,
        "logentry": log_entry.pk,
        "auditor": auditor.pk,
        "rep": rep.pk,
        "manager": manager.pk,
        "team": team.pk,
    }


# Filled by their migration (activities 0011) from the activities and status changes the database holds.
ROLLUP_TABLES = {"activities_workedleadday", "activities_workedleadweek"}
# Counted by their migration (dashboards 0002, PostgreSQL only) from the leads the database holds.
LEAD_ROLLUP_TABLES = {"dashboards_funnelday", "dashboards_unattendedday"}


def _snapshot(columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table but the migration records, as the database returns it.

    With `columns` (table → column names, from `_columns()` of an earlier schema), a table named there is read in
    those columns only: columns that later migrations add are left out of the comparison.
    """
    snapshot = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table == MigrationRecorder.Migration._meta.db_table:
                continue
            selected = ", ".join(quote(name) for name in columns[table]) if columns and table in columns else "*"
            cursor.execute(f"SELECT {selected} FROM {quote(table)}")  # noqa: S608 - introspected names
            snapshot[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return snapshot


def _columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            table: [column.name for column in connection.introspection.get_table_description(cursor, table)]
            for table in connection.introspection.table_names()
        }


def _content_types() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        return {pk: (app_label, model) for pk, app_label, model in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_migrates_forward_with_every_row_intact():
    try:
        old_apps = _roll_back_to_before_the_move()
        ids = _fill_old_database(old_apps)
        before = _snapshot()
        columns_before = _columns()
        content_types_before = _content_types()
        moved_ids = {
            (old, model): next(pk for pk, key in content_types_before.items() if key == (old, model))
            for old, _, model in MOVED
        }
    finally:
        _migrate_fully()  # the migration under test; also after a failed setup: the suite needs the latest schema

    _assert_fully_migrated()
    after = _snapshot(columns_before)

    # Content types: the moved ones keep their ids under the new labels; none is added, dropped or duplicated.
    content_types_after = _content_types()
    expected = {pk: (NEW_LABEL.get(key, key[0]), key[1]) for pk, key in content_types_before.items()}
    assert content_types_after == expected
    assert len(set(content_types_after.values())) == len(content_types_after)
    for (old, model), pk in moved_ids.items():
        assert content_types_after[pk] == (NEW_LABEL[old, model], model)
    assert not any(app_label == "common" for app_label, _ in content_types_after.values())

    # Every other table, moved or not, holds exactly the rows it held: no row lost, changed or added (post_migrate
    # adds no permission: they all still point at their content types).
    del before["django_content_type"], after["django_content_type"]
    # Tables that later migrations add (the same migrate run applies them) start empty — but the reports' rollups,
    # which their migration counts from the timeline already held: they hold what a recount gives.
    assert before.keys() <= after.keys()
    recounts = ROLLUP_TABLES | (LEAD_ROLLUP_TABLES & after.keys())
    assert all(not after[table] for table in after.keys() - before.keys() - recounts)
    assert all(after[table] for table in ROLLUP_TABLES)
    if connection.vendor == "postgresql":
        assert after["dashboards_funnelday"]
    rebuild_rollups()
    recounted = _snapshot()
    for table in recounts:  # compared without their ids (the first column): a recount numbers rows anew
        assert sorted(row[1:] for row in recounted[table]) == sorted(row[1:] for row in after[table]), table
    for table, rows in before.items():
        assert after[table] == rows, table
    assert all(before[f"leads_{model}"] for _, _, model in MOVED if model != "idempotencykey")
    assert before["common_idempotencykey"]

    # The current models read the old rows.
    _assert_current_models_read_the_rows(ids)


def _assert_current_models_read_the_rows(ids: dict[str, int]) -> None:
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from assignment.models import AssignmentRule
    from core.models import IdempotencyKey
    from imports.models import ImportJob, ImportRowError
    from scoring.models import EngagementWeight, ScoringRule, ScoringRun
    from users.models import User

    rule = ScoringRule.objects.get(pk=ids["scoringrule"])
    assert (rule.name, rule.field, rule.operator, rule.value, rule.points) == (
        "Migration: retail",
        "industry",
        "equals",
        "Retail",
        -15,
    )
    weight = EngagementWeight.objects.get(pk=ids["engagementweight"])
    assert (weight.kind, weight.points, weight.active) == ("migration.webinar", 7, False)
    run = ScoringRun.objects.get(pk=ids["scoringrun"])
    assert (run.status, run.started_at, run.finished_at, run.last_id, run.leads_changed) == ("done", WHEN, WHEN, 99, 3)
    assignment = AssignmentRule.objects.get(pk=ids["assignmentrule"])
    assert (assignment.sources, assignment.countries, assignment.ratings, assignment.method) == (
        ["web"],
        ["UK"],
        ["hot"],
        "least_loaded",
    )
    assert (assignment.target_team_id, assignment.last_assigned_user_id, assignment.target_user_id) == (
        ids["team"],
        ids["rep"],
        None,
    )
    assert (assignment.employees_min, assignment.employees_max, assignment.score_min) == (10, 500, 30)
    job = ImportJob.objects.get(pk=ids["importjob"])
    assert job.file.name == "imports/2025/03/migration.csv"
    assert (job.mapping, job.headers, job.rows_done, job.failed) == (
        {"Last name": "last_name", "Email": "email"},
        ["Last name", "Email"],
        3,
        2,
    )
    assert (job.created_by_id, job.owner_id, job.started_at) == (ids["rep"], ids["manager"], WHEN)
    error = ImportRowError.objects.get(pk=ids["importrowerror"])
    assert list(job.row_errors.all()) == [error]
    assert (error.row, error.column, error.value) == (2, "Email", "not-an-email")
    key = IdempotencyKey.objects.get(pk=ids["idempotencykey"])
    assert (key.user_id, key.key, key.status_code, key.body, key.created_at) == (
        ids["rep"],
        "migration-key",
        201,
        '{"id": 1}',
        WHEN,
    )

    # Content types, permissions and admin history follow the models.
    for model in (ScoringRule, EngagementWeight, ScoringRun, AssignmentRule, ImportJob, ImportRowError, IdempotencyKey):
        ct = ContentType.objects.get_for_model(model)
        assert ct.app_label == model._meta.app_label
        assert ContentType.objects.filter(model=ct.model).count() == 1
        codenames = set(Permission.objects.filter(content_type=ct).values_list("codename", flat=True))
        assert {f"{action}_{ct.model}" for action in ("add", "change", "delete", "view")} <= codenames
    assert LogEntry.objects.get(pk=ids["logentry"]).get_edited_object() == rule
    auditor = User.objects.get(pk=ids["auditor"])
    assert ModelBackend().get_all_permissions(auditor) >= {
        "scoring.add_scoringrule",
        "scoring.change_scoringrule",
        "core.view_idempotencykey",
        "assignment.change_assignmentrule",
    }
    assert not {perm for perm in ModelBackend().get_all_permissions(auditor) if perm.startswith(("leads.", "common."))}

    # The adopted tables take new rows after the old ones (the id sequences came along with the tables).
    assert ScoringRule.objects.create(name="After", field="country", operator="equals", points=1).pk > rule.pk
    assert ImportRowError.objects.create(job=job, row=3, message="After").pk > error.pk


@pytest.mark.django_db(transaction=True)
def test_a_fresh_database_migrates_and_the_models_need_no_new_migration():
    executor = _executor()
    try:
        executor.migrate([(app, None) for app in sorted({key[0] for key in executor.loader.graph.nodes})])
        leftover = set(connection.introspection.table_names()) - {MigrationRecorder.Migration._meta.db_table}
        # Unapplying core's adoption keeps the idempotency keys' table (it may hold an old database's rows); a
        # fresh database has none.
        assert leftover <= {"common_idempotencykey"}
        with connection.schema_editor() as editor:
            for table in leftover:
                editor.execute(f"DROP TABLE {editor.quote_name(table)}")
        assert not set(_executor().loader.applied_migrations) & set(executor.loader.graph.nodes)
    finally:
        _migrate_fully()  # the migration under test; also after a failed setup: the suite needs the latest schema

    _assert_fully_migrated()
    tables = set(connection.introspection.table_names())
    assert {f"leads_{model}" for _, _, model in MOVED if model != "idempotencykey"} <= tables
    assert "common_idempotencykey" in tables
    labels = set(_content_types().values())
    assert {(new, model) for _, new, model in MOVED} <= labels
    assert not {(old, model) for old, _, model in MOVED} & labels
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_content_type_the_new_code_made_before_migrating_is_folded_into_the_old_one():
    try:
        old_apps = _roll_back_to_before_the_move()
        content_type = old_apps.get_model("contenttypes", "ContentType")
        permission = old_apps.get_model("auth", "Permission")
        group = old_apps.get_model("auth", "Group").objects.create(name="Scoring editors")
        old_type = content_type.objects.get(app_label="leads", model="scoringrule")
        group.permissions.add(permission.objects.get(content_type=old_type, codename="change_scoringrule"))
        # What the new code would have made had it served a request before `migrate` ran.
        early = content_type.objects.create(app_label="scoring", model="scoringrule")
        permission.objects.create(content_type=early, codename="change_scoringrule", name="Can change scoring rule")
    finally:
        _migrate_fully()

    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    kept = ContentType.objects.get(app_label="scoring", model="scoringrule")
    assert kept.pk == old_type.pk
    assert not ContentType.objects.filter(app_label="leads", model="scoringrule").exists()
    granted = Group.objects.get(name="Scoring editors").permissions.get()
    assert (granted.content_type_id, granted.codename) == (kept.pk, "change_scoringrule")
