"""`manage.py backup [--output PATH]` (`make backup`): one archive of the embedded database and var/ files."""

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupRefused, create_backup


class Command(BaseCommand):
    help = (
        "Back up the embedded SQLite database (online, safe while the app runs) and the files in var/ into one "
        ".tar.gz (default var/backups/funnel-<UTC time>.tar.gz). With PostgreSQL, prints the pg_dump commands."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", help="where to write the archive (must not exist yet)")

    def handle(self, *args, output=None, **options) -> None:
        try:
            path, manifest = create_backup(output)
        except BackupRefused as refusal:
            if refusal.hint:
                self.stderr.write(refusal.hint)
            raise CommandError(str(refusal), returncode=2) from refusal
        size = manifest["database"]["bytes"] / 1024 / 1024
        self.stdout.write(
            f"Backed up the database ({size:.1f} MB) and {manifest['file_count']} files to {path}\n"
            f"Restore it with: make restore BACKUP={path}"
        )
