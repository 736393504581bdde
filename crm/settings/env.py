"""Reading settings from the environment: the helpers every settings module uses."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def replica_databases(*, is_postgres: bool) -> dict[str, dict]:
    """Return the `replica` alias of DATABASE_REPLICA_URL (a PostgreSQL hot standby of default), or nothing."""
    url = os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        return {}
    if not is_postgres:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL as well.")
    replica = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    # The test run has no replica of its own: the alias reads the primary's test database.
    replica["TEST"] = {"MIRROR": "default"}
    return {"replica": replica}


def disable_server_side_cursors(databases: dict[str, dict], *, is_postgres: bool) -> None:
    """Turn named cursors off on every alias when FUNNEL_DISABLE_SERVER_SIDE_CURSORS is set (pgbouncer in transaction
    mode may hand a cursor's next FETCH to another server; `iterator()` then reads its result in one go)."""
    if is_postgres and env_bool("FUNNEL_DISABLE_SERVER_SIDE_CURSORS", False):
        for database in databases.values():
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
