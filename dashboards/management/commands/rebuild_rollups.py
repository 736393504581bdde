"""`manage.py rebuild_rollups`: recount the reports' rollups from the records (see dashboards.rollups)."""

from django.core.management.base import BaseCommand

from dashboards.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "Recount the reports' rollups (leads worked per rep and day/week) from the records."

    def handle(self, *args, **options) -> None:
        for name, rows in rebuild_rollups().items():
            self.stdout.write(f"{name}: {rows:,} rows")
