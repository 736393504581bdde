"""Backups of the embedded default: one `.tar.gz` holding the SQLite database and the files kept in `var/`.

An archive holds three kinds of entries and nothing else:

- `db.sqlite3` — a consistent copy of the database taken with SQLite's online backup API from the app's own
  connection, so it is safe while `make run` serves and its worker writes (never the live file copied raw);
- `files/<path>` — every regular file under `var/` that the app keeps (attachments, import files and their error
  reports, `var/mail/`, the per-checkout secret key that signs sessions and unsubscribe links), but not what is
  transient or rebuilt (`TRANSIENT`: the backups themselves, the job queue, beat's schedule, collected static
  files, the benchmark scratch folder, locks, pids, sockets, and what earlier restores set aside);
- `manifest.json` — when and by which version it was made, the applied migrations, the file count, and the
  SHA-256 of the database copy and of every file, which a restore checks before it touches anything.

Production runs PostgreSQL: there `pg_dump`/`pg_restore` do this job (`POSTGRES_COMMANDS`, README's "Backups").
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core.runlock import LOCK_NAME

FORMAT = 1
DB_ENTRY = "db.sqlite3"
FILES_PREFIX = "files/"
MANIFEST_ENTRY = "manifest.json"
# Top-level names in var/ that are transient, rebuilt, or backups themselves.
TRANSIENT = frozenset({"backups", "broker", "static", "bench", LOCK_NAME})
TRANSIENT_PREFIXES = ("restore-previous-", ".restore-", ".funnel-backup-", "celerybeat-schedule")
TRANSIENT_SUFFIXES = (".pid", ".sock", ".lock")
# Archives and dumps someone put in var/ are backups, not data: never nested into the next one, nor set aside.
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".dump")
CHUNK = 1024 * 1024
POSTGRES_COMMANDS = """\
With PostgreSQL, use its own tools (and copy the attachment files in MEDIA_ROOT alongside the dump):
  back up:  pg_dump --format=custom --file=funnel-$(date -u +%Y%m%dT%H%M%SZ).dump "$DATABASE_URL"
  restore:  createdb funnel_restored, then
            pg_restore --clean --if-exists --no-owner --dbname=postgres://…/funnel_restored funnel-….dump
            point DATABASE_URL at it, run python manage.py migrate, start the app (README.md, "Backups")"""


class BackupRefused(Exception):
    """A backup or restore that must not go ahead; `str()` is the one-line reason, `hint` what to do instead."""

    def __init__(self, reason: str, *, hint: str = "") -> None:
        super().__init__(reason)
        self.hint = hint


def check_embedded() -> None:
    """Refuse unless the database is the embedded SQLite one.

    Raises:
        BackupRefused: DATABASE_URL points at PostgreSQL (or another server), whose own tools must be used.
    """
    if connection.vendor != "sqlite":
        raise BackupRefused(
            f"DATABASE_URL points at {connection.vendor}, not the embedded SQLite database: use pg_dump/pg_restore",
            hint=POSTGRES_COMMANDS,
        )


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def var_dir() -> Path:
    return Path(settings.VAR_DIR)


def database_names() -> set[str]:
    """The live database file and its WAL/journal companions, when they live in var/ (never archived raw)."""
    name = str(connection.settings_dict["NAME"])
    path = Path(name)
    if path.parent.resolve() != var_dir().resolve():
        return set()
    return {path.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}


def is_kept(top_level_name: str) -> bool:
    """Whether an entry directly in var/ belongs in a backup (and is set aside by a restore)."""
    return not (
        top_level_name in TRANSIENT
        or top_level_name in database_names()
        or top_level_name.startswith(TRANSIENT_PREFIXES)
        or top_level_name.endswith(TRANSIENT_SUFFIXES + ARCHIVE_SUFFIXES)
    )


def kept_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Yield (path, path relative to root) of every regular file a backup holds; links are never followed."""
    for top in sorted(root.iterdir()) if root.is_dir() else []:
        if not is_kept(top.name) or top.is_symlink():
            continue
        if top.is_file():
            yield top, top.name
            continue
        if not top.is_dir():
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(
                d for d in dirs if not (d.startswith(TRANSIENT_PREFIXES) or (Path(folder) / d).is_symlink())
            )
            for name in sorted(files):
                path = Path(folder) / name
                if path.is_symlink() or not path.is_file() or name.endswith(TRANSIENT_SUFFIXES):
                    continue
                yield path, path.relative_to(root).as_posix()


def copy_database(target: Path) -> None:
    """Copy the app's database into the new file `target` with SQLite's online backup API, in one consistent step."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # A self-contained file: no -wal beside it, whatever mode the live database runs in.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


class _HashingReader:
    """A file object for `tarfile.addfile` that hashes exactly the bytes it hands over."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> str | None:
    """Add one regular file, returning its SHA-256; None when it vanished meanwhile (a purged import file)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(arcname)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
        return reader.digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, arcname: str, data: bytes) -> None:
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def create_backup(output: Path | None = None) -> tuple[Path, dict]:
    """Write one archive of the database and the kept var/ files; return its path and manifest.

    The archive is written beside its destination and renamed into place when complete, so a failed backup
    leaves no partial archive under the final name.

    Raises:
        BackupRefused: the database is not the embedded one, or `output` already exists.
    """
    check_embedded()
    root = var_dir()
    output = Path(output) if output else root / "backups" / f"funnel-{utc_stamp()}.tar.gz"
    if output.exists():
        raise BackupRefused(f"{output} already exists: choose another BACKUP path")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".funnel-backup-") as work:
        db_copy = Path(work) / DB_ENTRY
        copy_database(db_copy)
        migrations = applied_migrations()
        partial = Path(work) / "archive.tar.gz"
        files: dict[str, str] = {}
        with tarfile.open(partial, "w:gz") as tar:
            db_sha = _add_file(tar, db_copy, DB_ENTRY)
            for path, relative in kept_files(root):
                if path.resolve() == output.resolve():
                    continue
                digest = _add_file(tar, path, FILES_PREFIX + relative)
                if digest is not None:
                    files[relative] = digest
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "app_version": app_version(),
                "migrations": migrations,
                "database": {"entry": DB_ENTRY, "bytes": db_copy.stat().st_size, "sha256": db_sha},
                "file_count": len(files),
                "files": files,
            }
            _add_bytes(tar, MANIFEST_ENTRY, json.dumps(manifest, indent=1, sort_keys=True).encode())
        # It holds the secret key and everyone's data: readable by its owner only.
        partial.chmod(0o600)
        os.replace(partial, output)
    return output, manifest
