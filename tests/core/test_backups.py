"""`make backup` (manage.py backup): one archive with an online copy of the database, the files var/ keeps, and a
manifest that checks them; nothing transient, nothing raw; PostgreSQL is refused with the commands to use instead."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.backups import create_backup
from tests.factories import LeadFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def var(settings, tmp_path):
    """A var/ as `make run` leaves it: kept files beside the queue, beat's schedule, static files, locks, a link."""
    var = tmp_path / "var"
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    for name, content in {
        "secret_key": b"k" * 50,
        "media/attachments/2026/12/abc123": b"%PDF-1.4 contract",
        "media/imports/errors-7.csv": b"row,error\n3,bad email\n",
        "mail/20261206-000000-1.log": b"Subject: Welcome\n",
        "broker/queue/msg-1.msg": b"{}",
        "broker/processed/msg-0.msg": b"{}",
        "celerybeat-schedule": b"shelf",
        "static/app.css": b"body{}",
        "bench/media/x.csv": b"a",
        "backups/funnel-older.tar.gz": b"old",
        "copied-here.tar.gz": b"an archive someone put in var/",
        "run.lock": b"",
        "media/worker.pid": b"123",
        "restore-previous-20260101T000000Z/secret_key": b"old key",
    }.items():
        path = var / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (tmp_path / "outside.txt").write_bytes(b"not ours")
    (var / "media" / "link-out").symlink_to(tmp_path / "outside.txt")
    return var


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_a_database_copy_the_kept_files_and_a_manifest_that_checks_them(var, tmp_path):
    # given
    lead = LeadFactory(last_name="Lovelace", company="Analytical Engines")

    # when
    archive, manifest = create_backup()

    # then: under var/backups, with exactly the database, the kept files and the manifest
    assert (
        archive.parent == var / "backups"
        and archive.name.startswith("funnel-")
        and archive.suffixes[-2:]
        == [
            ".tar",
            ".gz",
        ]
    )
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the secret key and everyone's data
    members = _members(archive)
    assert set(members) == {
        "db.sqlite3",
        "manifest.json",
        "files/secret_key",
        "files/media/attachments/2026/12/abc123",
        "files/media/imports/errors-7.csv",
        "files/mail/20261206-000000-1.log",
    }
    assert members["files/media/attachments/2026/12/abc123"] == b"%PDF-1.4 contract"
    assert json.loads(members["manifest.json"]) == manifest
    assert manifest["file_count"] == 4 and manifest["app_version"] == "0.1.0"
    assert manifest["files"]["media/imports/errors-7.csv"] == hashlib.sha256(b"row,error\n3,bad email\n").hexdigest()
    assert manifest["database"]["sha256"] == hashlib.sha256(members["db.sqlite3"]).hexdigest()
    assert "0001_initial" in manifest["migrations"]["leads"]
    assert manifest["created_at"].endswith("+00:00")
    # the copy is a whole, self-contained database holding the lead
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(members["db.sqlite3"])
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT last_name, company FROM leads_lead WHERE id = ?", [lead.pk]).fetchone() == (
            "Lovelace",
            "Analytical Engines",
        )
    assert not (tmp_path / "copy.sqlite3-wal").exists()


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_the_command_writes_to_the_given_path_and_never_over_an_existing_file(var, tmp_path, capsys):
    target = tmp_path / "nightly" / "crm.tar.gz"

    call_command("backup", output=str(target))

    assert "and 4 files to" in capsys.readouterr().out
    assert "manifest.json" in _members(target)
    with pytest.raises(CommandError, match="already exists") as refused:
        call_command("backup", output=str(target))
    assert refused.value.returncode == 2
    assert [p.name for p in target.parent.iterdir()] == ["crm.tar.gz"]


@pytest.mark.parametrize("command", [["backup"], ["restore", "var/backups/any.tar.gz"]])
def test_backup_and_restore_refuse_postgresql_and_print_the_pg_dump_and_pg_restore_commands(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(FUNNEL_VAR_DIR=str(tmp_path / "var"), DATABASE_URL="postgres://crm@127.0.0.1:9/crm")

    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("CommandError: DATABASE_URL points at postgresql")
    assert "pg_dump --format=custom" in result.stderr
    assert "pg_restore --clean --if-exists --no-owner" in result.stderr
    assert not (tmp_path / "var" / "backups").exists()
