"""Global search across leads, contacts, accounts and opportunities (pg_trgm on PostgreSQL)."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _add_sqlite_unaccent(sender, connection, **kwargs) -> None:
    """Give SQLite the `funnel_unaccent()` that PostgreSQL gets from search's migrations, in Python."""
    if connection.vendor != "sqlite":
        return
    from search.text import fold

    connection.connection.create_function("funnel_unaccent", 1, fold, deterministic=True)


class SearchConfig(AppConfig):
    name = "search"

    def ready(self) -> None:
        connection_created.connect(_add_sqlite_unaccent, dispatch_uid="search_sqlite_unaccent")
