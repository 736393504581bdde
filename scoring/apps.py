import math

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _add_sqlite_math(sender, connection, **kwargs) -> None:
    """Give SQLite builds without the math extension the POWER() and FLOOR() that the scoring SQL uses."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    try:
        raw.execute("SELECT power(0.5, 2), floor(1.5)")
    except Exception:
        raw.create_function("power", 2, math.pow, deterministic=True)
        raw.create_function("floor", 1, lambda x: None if x is None else float(math.floor(x)), deterministic=True)


class ScoringConfig(AppConfig):
    name = "scoring"

    def ready(self) -> None:
        connection_created.connect(_add_sqlite_math, dispatch_uid="scoring_sqlite_math")
