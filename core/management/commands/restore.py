"""`manage.py restore ARCHIVE` (`make restore BACKUP=…`): put a backup back into var/ and migrate it forward."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupRefused
from core.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into var/ and the embedded database (stop `make run` first). "
        "What it replaces is kept in var/restore-previous-<UTC time>/; then the database is migrated forward."
    )
    # The database is about to be replaced and migrated: checks of the current one tell nothing.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", nargs="?", default="", help="the .tar.gz that `manage.py backup` wrote")

    def handle(self, *args, archive="", **options) -> None:
        try:
            if not archive:
                raise BackupRefused("name the archive to restore: make restore BACKUP=var/backups/funnel-….tar.gz")
            manifest, previous = restore_backup(Path(archive), verbosity=max(options["verbosity"] - 1, 0))
        except BackupRefused as refusal:
            if refusal.hint:
                self.stderr.write(refusal.hint)
            raise CommandError(str(refusal), returncode=2) from refusal
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (version {manifest.get('app_version', '?')}, "
            f"{manifest['file_count']} files) and migrated it. What it replaced is in {previous}"
        )
