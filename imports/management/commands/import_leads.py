"""`manage.py import_leads FILE [--mapping JSON_OR_FILE] [--owner USERNAME] [--by USERNAME]`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from imports.models import ImportJob
from imports.services import create_import, run_import
from users.models import User


class Command(BaseCommand):
    help = "Import a CSV file of leads now, with a progress line (the same service as the import page and API)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8 with or without BOM, or Latin-1; delimiter sniffed)")
        parser.add_argument("--mapping", help='JSON object {"CSV header": "lead field"} or a file holding it')
        parser.add_argument("--owner", help="username owning every new lead (default: assignment rules decide)")
        parser.add_argument("--by", help="username of the manager or admin importing (default: the first admin)")

    def handle(self, *args, file: str, mapping: str | None, owner: str | None, by: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if mapping and Path(mapping).is_file():
            mapping = Path(mapping).read_text(encoding="utf-8")
        actor = (
            self._user(by) if by else User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError("No admin user exists; pass --by USERNAME of a manager or admin.")
        with path.open("rb") as handle:
            try:
                job = create_import(
                    by=actor,
                    file=File(handle, name=path.name),
                    mapping=mapping,
                    owner=self._user(owner) if owner else None,
                    enqueue=False,
                )
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
            except ApplicationError as exc:
                raise CommandError(exc.detail) from exc
        started = time.monotonic()
        job = run_import(job.pk, progress=self._progress) or ImportJob.objects.get(pk=job.pk)
        sys.stderr.write("\n")
        self.stdout.write(
            f"Import {job.pk} {job.status} in {time.monotonic() - started:.1f} s: {job.rows_done} rows, "
            f"{job.created} created, {job.updated} updated, {job.merged} merged duplicates, {job.failed} failed."
        )
        if job.failed:
            self.stdout.write(f"Error report: /api/v1/imports/{job.pk}/errors.csv (or the import page).")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None

    def _progress(self, job: ImportJob) -> None:
        total = job.rows_total or 0
        width = 30
        filled = width * job.rows_done // total if total else width
        rate = f"{job.rate:,.0f} rows/s" if job.rate else ""
        eta = f"ETA {job.eta_seconds} s" if job.eta_seconds is not None else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {job.rows_done:,}/{total:,} {rate} {eta}   ")
        sys.stderr.flush()
