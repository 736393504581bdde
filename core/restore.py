"""Restore a backup archive (core.backups) into the embedded default's var/ and database, then migrate forward.

The archive is treated as hostile until proven otherwise: it is never handed to `tarfile.extractall`. Each entry
must be one of the names a backup writes (`db.sqlite3`, `manifest.json`, `files/<relative path>`), a regular file
or a folder, with no absolute path, no `..` or `.` part and no link of any kind. Everything is first written into a
staging folder inside var/ and checked against the manifest (SHA-256 of every file and of the database, the file
count, SQLite's own integrity check); only then is the current state set aside in `var/restore-previous-<ts>/` and
the backup moved in. A refusal leaves var/ and the database exactly as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import zlib
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from core import runlock
from core.backups import (
    CHUNK,
    DB_ENTRY,
    FILES_PREFIX,
    FORMAT,
    MANIFEST_ENTRY,
    BackupRefused,
    check_embedded,
    copy_database,
    is_kept,
    utc_stamp,
    var_dir,
)

MANIFEST_MAX_BYTES = 64 * 1024 * 1024
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def _safe_name(member: tarfile.TarInfo) -> str:
    """The entry's name if it is one a backup writes and stays inside the folder it is restored into."""
    name = member.name
    if member.isdir():
        name = name.rstrip("/")
    parts = name.split("/")
    if (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or any(part in {"", ".", ".."} for part in parts)
    ):
        raise BackupRefused(f"refusing the archive: the entry {member.name!r} points outside the backup")
    files_root = FILES_PREFIX.rstrip("/")
    expected = name in {DB_ENTRY, MANIFEST_ENTRY} or (parts[0] == files_root and len(parts) >= 2)
    if not expected and not (member.isdir() and name == files_root):
        raise BackupRefused(f"refusing the archive: {member.name!r} is not an entry a Funnel backup holds")
    if not (member.isfile() or member.isdir()):
        raise BackupRefused(f"refusing the archive: the entry {member.name!r} is a link or a special file")
    return name


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, stage: Path) -> str:
    """Write one regular entry to `target` (inside `stage`) and return the SHA-256 of what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.parent.resolve().is_relative_to(stage.resolve()):
        raise BackupRefused(f"refusing the archive: the entry {member.name!r} points outside the backup")
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    # O_EXCL: a second entry of the same name, or a name already made a link, is refused rather than followed.
    with source, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _stage(archive: Path, stage: Path) -> tuple[dict, dict[str, str]]:
    """Unpack `archive` into `stage` entry by entry; return the manifest and the SHA-256 of each file written."""
    written: dict[str, str] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = _safe_name(member)
                if member.isdir():
                    continue
                if name in written or (name == MANIFEST_ENTRY and manifest_bytes is not None):
                    raise BackupRefused(f"refusing the archive: the entry {name!r} appears twice")
                if name == MANIFEST_ENTRY:
                    if member.size > MANIFEST_MAX_BYTES:
                        raise BackupRefused("refusing the archive: its manifest is implausibly large")
                    manifest_bytes = tar.extractfile(member).read()
                    continue
                written[name] = _write_member(tar, member, stage / name, stage)
    except BackupRefused:
        raise
    except FileExistsError as error:
        raise BackupRefused(f"refusing the archive: two entries write the same path ({error.filename})") from error
    except ARCHIVE_ERRORS as error:
        raise BackupRefused(f"{archive} is not a readable backup archive (damaged or not .tar.gz): {error}") from error
    if manifest_bytes is None:
        raise BackupRefused(f"{archive} has no manifest.json: not a Funnel backup, or cut short")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupRefused(f"{archive} has a damaged manifest.json: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{archive} has a manifest this version does not read (format {FORMAT} expected)")
    return manifest, written


def _verify(manifest: dict, written: dict[str, str], stage: Path) -> None:
    """Check the staged entries against the manifest, and the database copy with SQLite's integrity check."""
    database = manifest.get("database") or {}
    if written.get(DB_ENTRY) is None or written[DB_ENTRY] != database.get("sha256"):
        raise BackupRefused("refusing the archive: the database copy is missing or fails its SHA-256 check")
    files = manifest.get("files")
    staged = {name.removeprefix(FILES_PREFIX): sha for name, sha in written.items() if name != DB_ENTRY}
    if not isinstance(files, dict) or manifest.get("file_count") != len(files):
        raise BackupRefused("refusing the archive: its manifest's file list is damaged")
    if set(staged) != set(files):
        missing = sorted(set(files) - set(staged)) or sorted(set(staged) - set(files))
        raise BackupRefused(f"refusing the archive: its files do not match the manifest (first: {missing[0]})")
    for name, digest in staged.items():
        if files[name] != digest:
            raise BackupRefused(f"refusing the archive: {name} fails its SHA-256 check")
    try:
        checked = sqlite3.connect(f"file:{stage / DB_ENTRY}?mode=ro", uri=True)
        try:
            result = checked.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            checked.close()
    except sqlite3.DatabaseError as error:
        result = str(error)
    if result != "ok":
        raise BackupRefused(f"refusing the archive: its database copy is damaged ({result})")


def _check_migrations(manifest: dict) -> None:
    """Refuse a backup made by a newer version: it holds migrations this code does not have."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for app_label, names in (manifest.get("migrations") or {}).items():
        if app_label not in loader.migrated_apps:
            continue
        for name in names:
            if (app_label, name) not in known:
                raise BackupRefused(
                    f"this backup comes from a newer version of Funnel CRM (migration {app_label}.{name} is "
                    "unknown here): upgrade the code first, then restore"
                )


def _restore_database(copy: Path) -> None:
    """Write the staged copy over the app's database through SQLite's backup API (the live file is never swapped)."""
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    ContentType.objects.clear_cache()


def _swap_files(root: Path, files: Path, previous: Path) -> None:
    """Move the kept entries of var/ into `previous`, then the restored ones into var/."""
    for entry in sorted(root.iterdir()):
        if is_kept(entry.name):
            entry.rename(previous / entry.name)
    if files.is_dir():
        for entry in sorted(files.iterdir()):
            entry.rename(root / entry.name)


def restore_backup(archive: Path, *, verbosity: int = 0) -> tuple[dict, Path]:
    """Restore `archive` into var/ and the database, keep what it replaced aside, and migrate forward.

    Returns the archive's manifest and the folder holding what was replaced.

    Raises:
        BackupRefused: PostgreSQL, the app is running, or the archive is missing, damaged, unsafe or from a newer
            version; nothing has been changed then.
    """
    check_embedded()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupRefused(f"there is no backup archive at {archive}")
    root = var_dir()
    root.mkdir(parents=True, exist_ok=True)
    with runlock.exclusive(root) as free:
        if not free:
            raise BackupRefused(
                f"the app is running (make run holds {root / runlock.LOCK_NAME}): stop it first, then restore"
            )
        stamp = utc_stamp()
        stage = root / f".restore-{stamp}"
        stage.mkdir()
        try:
            manifest, written = _stage(archive, stage)
            _verify(manifest, written, stage)
            _check_migrations(manifest)
            previous = root / f"restore-previous-{stamp}"
            previous.mkdir()
            copy_database(previous / DB_ENTRY)
            try:
                _restore_database(stage / DB_ENTRY)
            except sqlite3.Error as error:
                raise BackupRefused(
                    f"could not write the backup into the database ({error}); nothing was changed, "
                    f"and a copy of the database as it was is in {previous}"
                ) from error
            _swap_files(root, stage / FILES_PREFIX.rstrip("/"), previous)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        call_command("migrate", interactive=False, verbosity=verbosity)
    return manifest, previous
