# GIN trigram indexes for global search (PostgreSQL only): one per searched table, on the folded concatenation of
# its searched columns, in the order of search.targets (the query repeats this expression exactly, so the planner
# matches it to the index). `LIKE '%fragment%'` on it is a bitmap index scan. The models don't change: the indexes
# live outside the model state, like leads' prefix indexes (leads/migrations/0009).

from django.db import migrations

INDEXES = {
    "lead_search_trgm": ("leads_lead", ["first_name", "last_name", "company", "email", "phone", "website"]),
    "contact_search_trgm": ("contacts_contact", ["first_name", "last_name", "email", "phone"]),
    "account_search_trgm": ("accounts_account", ["name", "domain", "website", "phone"]),
    "opportunity_search_trgm": ("opportunities_opportunity", ["name"]),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        text = " || ' ' || ".join(f'"{column}"' for column in columns)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (funnel_unaccent(lower({text})) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_search_extensions"),
        ("leads", "0017_routing_match"),
        ("contacts", "0002_initial"),
        ("accounts", "0002_initial"),
        ("opportunities", "0004_dashboard_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
