"""`make restore` (manage.py restore): a backup restored serves the same records, pages and attachment bytes; what it
replaced is kept aside; the archive is an attack surface (traversal, links, tampering, damage) and is refused with
exit 2 before anything changes; so is a restore while `make run` is running."""

import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.models import Account
from activities.attachments import add_attachment
from contacts.models import Contact
from core import runlock
from core.backups import create_backup
from leads.models import Lead
from leads.selectors import LeadFilters, list_leads
from tests.factories import AccountFactory, ContactFactory, LeadFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.fixture
def var(settings, tmp_path):
    var = tmp_path / "var"
    (var / "mail").mkdir(parents=True)
    (var / "mail" / "welcome.log").write_bytes(b"Subject: Welcome\n")
    (var / "secret_key").write_bytes(b"k" * 50)
    (var / "run.lock").touch()  # as `make run` leaves it
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    return var


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _entry(name: str, data: bytes = b"", **fields) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for field, value in fields.items():
        setattr(info, field, value)
    return info, data


def _write(path: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def _database_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "tiny.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    data = path.read_bytes()
    path.unlink()
    return data


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _valid_entries(tmp_path: Path, *, files=None, **manifest) -> list[tuple[tarfile.TarInfo, bytes]]:
    """The entries of a well-formed archive (a tiny database, `files`), with manifest fields overridden."""
    files = {"media/a.pdf": PDF} if files is None else files
    db = _database_bytes(tmp_path)
    body = {
        "format": 1,
        "created_at": "2026-12-06T00:00:00+00:00",
        "app_version": "0.1.0",
        "migrations": {},
        "database": {"entry": "db.sqlite3", "bytes": len(db), "sha256": _sha(db)},
        "file_count": len(files),
        "files": {name: _sha(data) for name, data in files.items()},
        **manifest,
    }
    return [
        _entry("db.sqlite3", db),
        *(_entry(f"files/{name}", data) for name, data in files.items()),
        _entry("manifest.json", json.dumps(body).encode()),
    ]


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_serves_the_same_records_pages_and_attachment_bytes(var, client):
    # given: a rep's leads, an account with a contact, a file attached to a lead
    rep, other = UserFactory(username="rep1"), UserFactory(username="rep2")
    leads = [LeadFactory(owner=rep, last_name=name, company="Initech") for name in ("Ada", "Grace", "Linus")]
    account = AccountFactory(owner=rep, name="Globex")
    contact = ContactFactory(owner=rep, account=account, last_name="Hopper")
    attachment = add_attachment(
        by=rep, upload=SimpleUploadedFile("contract.pdf", PDF, "application/pdf"), lead=leads[0]
    )
    archive, manifest = create_backup()
    assert manifest["file_count"] == 3  # the attachment, the mail, the secret key

    # when: the data changes after the backup
    Lead.objects.filter(pk=leads[1].pk).update(last_name="Renamed")
    Lead.objects.filter(pk=leads[2].pk).delete()
    LeadFactory(owner=rep, last_name="Newcomer")
    Account.objects.filter(pk=account.pk).update(name="Changed Corp")
    Path(attachment.file.path).write_bytes(b"overwritten")
    (var / "mail" / "later.log").write_bytes(b"Subject: later\n")
    # ... and the backup is restored
    call_command("restore", str(archive))

    # then: the selectors and pages serve what was backed up
    restored = list_leads(rep, LeadFilters(status="all", owner="all"))
    assert sorted(lead.last_name for lead in restored) == ["Ada", "Grace", "Linus"]
    assert Contact.objects.visible_to(rep).get(pk=contact.pk).account.name == "Globex"
    client.force_login(rep)
    page = client.get(reverse("leads:detail", args=[leads[2].pk]))
    assert page.status_code == 200 and "Linus" in page.content.decode()
    assert "Hopper" in client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    download = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert sorted(p.name for p in (var / "mail").iterdir()) == ["welcome.log"]
    # a second rep still sees none of it
    client.force_login(other)
    assert client.get(reverse("leads:detail", args=[leads[2].pk])).status_code == 404
    assert client.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    # what the restore replaced is kept aside: the changed file, the later mail, the database as it was
    [previous] = var.glob("restore-previous-*")
    assert (previous / "media" / attachment.file.name).read_bytes() == b"overwritten"
    assert (previous / "mail" / "later.log").exists()
    with sqlite3.connect(previous / "db.sqlite3") as db:
        assert db.execute("SELECT name FROM accounts_account WHERE id = ?", [account.pk]).fetchone() == (
            "Changed Corp",
        )
    assert not list(var.glob(".restore-*"))


def _env(var: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {**env, "FUNNEL_VAR_DIR": str(var), **extra}


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_restore_into_a_fresh_var_creates_the_database_migrates_it_and_serves_the_records(var, tmp_path):
    rep = UserFactory(username="rep1")
    lead = LeadFactory(owner=rep, last_name="Lovelace")
    attachment = add_attachment(by=rep, upload=SimpleUploadedFile("plan.pdf", PDF, "application/pdf"), lead=lead)
    archive, _ = create_backup()
    fresh = tmp_path / "fresh-var"

    restore = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=_env(fresh),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert restore.returncode == 0, restore.stderr
    assert "Restored the backup of" in restore.stdout
    check = (
        "from django.db.migrations.executor import MigrationExecutor; from django.db import connection;"
        "from leads.models import Lead; from activities.models import Attachment; from users.models import User;"
        "rep = User.objects.get(username='rep1');"
        "print(list(Lead.objects.visible_to(rep).values_list('last_name', flat=True)));"
        f"print(Attachment.objects.visible_to(rep).get(pk={attachment.pk}).file.read());"
        "executor = MigrationExecutor(connection);"
        "print(executor.migration_plan(executor.loader.graph.leaf_nodes()))"
    )
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", check],
        cwd=ROOT,
        env=_env(fresh),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-3:] == ["['Lovelace']", repr(PDF), "[]"]
    assert (fresh / "secret_key").read_bytes() == (var / "secret_key").read_bytes()


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_a_backup_from_an_older_version_is_migrated_forward_on_restore(var):
    # given: a backup taken before the latest activities migration
    rep = UserFactory(username="rep1")
    lead = LeadFactory(owner=rep, last_name="Lovelace")
    try:
        call_command("migrate", "activities", "0011_worked_leads", verbosity=0)
        archive, manifest = create_backup()
    finally:
        call_command("migrate", verbosity=0)
    assert "0012_owner_created_without_lead" not in manifest["migrations"]["activities"]

    # when
    call_command("restore", str(archive))

    # then: the database is at this version's migrations and still serves the lead
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert ("activities", "0012_owner_created_without_lead") in executor.loader.applied_migrations
    assert list(Lead.objects.visible_to(rep).values_list("pk", flat=True)) == [lead.pk]


def _refused(archive: Path, match: str) -> None:
    with pytest.raises(CommandError, match=match) as refused:
        call_command("restore", str(archive))
    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value)


UNSAFE = {
    "parent folder": [_entry("../evil.txt", b"x")],
    "absolute path": [_entry("/funnel-evil.txt", b"x")],
    "climbing out of files/": [_entry("files/../../evil.txt", b"x")],
    "dot part": [_entry("files/./media/x", b"x")],
    "symlink": [_entry("files/media/link", type=tarfile.SYMTYPE, linkname="/etc/passwd")],
    "symlinked folder": [_entry("files/media", type=tarfile.SYMTYPE, linkname="/etc")],
    "hard link": [_entry("files/media/hard", type=tarfile.LNKTYPE, linkname="db.sqlite3")],
    "device": [_entry("files/media/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)],
    "fifo": [_entry("files/media/pipe", type=tarfile.FIFOTYPE)],
    "unknown entry": [_entry("settings.py", b"DEBUG = True")],
}


@pytest.mark.embedded
@pytest.mark.parametrize("case", UNSAFE)
def test_an_archive_that_reaches_outside_var_or_holds_links_is_refused_and_nothing_is_written(var, tmp_path, case):
    # the unsafe entry comes after a well-formed start, so a partial unpack would show
    entries = _valid_entries(tmp_path)
    archive = _write(tmp_path / "evil.tar.gz", [*entries[:-1], *UNSAFE[case], entries[-1]])
    before = _snapshot(var)

    _refused(archive, "refusing the archive")

    assert _snapshot(var) == before
    assert not (tmp_path / "evil.txt").exists() and not Path("/funnel-evil.txt").exists()
    assert not list(var.glob(".restore-*")) and not list(var.glob("restore-previous-*"))


@pytest.mark.embedded
def test_a_missing_archive_is_refused(var, tmp_path):
    _refused(tmp_path / "nope.tar.gz", "there is no backup archive at")


@pytest.mark.embedded
def test_a_damaged_or_foreign_archive_is_refused(var, tmp_path):
    good = _write(tmp_path / "good.tar.gz", _valid_entries(tmp_path))
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    noise = tmp_path / "noise.tar.gz"
    noise.write_bytes(os.urandom(4096))
    before = _snapshot(var)

    _refused(cut, "is not a readable backup archive")
    _refused(noise, "is not a readable backup archive")
    _refused(_write(tmp_path / "bare.tar.gz", _valid_entries(tmp_path)[:-1]), "has no manifest.json")
    _refused(_write(tmp_path / "junk.tar.gz", [_entry("manifest.json", b"{not json")]), "damaged manifest.json")

    assert _snapshot(var) == before


@pytest.mark.embedded
def test_an_archive_whose_contents_fail_the_manifest_checks_is_refused(var, tmp_path):
    entries = _valid_entries(tmp_path, files={"media/a.pdf": PDF, "mail/m.log": b"mail"})
    db, pdf, mail, manifest = entries
    tampered_file = _entry("files/media/a.pdf", PDF + b"<script>")
    tampered_db = _entry("db.sqlite3", db[1][:-1] + b"\x01")
    before = _snapshot(var)

    _refused(_write(tmp_path / "t1.tar.gz", [db, tampered_file, mail, manifest]), "media/a.pdf fails its SHA-256")
    _refused(_write(tmp_path / "t2.tar.gz", [tampered_db, pdf, mail, manifest]), "database copy is missing or fails")
    _refused(_write(tmp_path / "t3.tar.gz", [db, pdf, manifest]), "do not match the manifest")
    _refused(_write(tmp_path / "t4.tar.gz", [db, pdf, mail, mail, manifest]), "appears twice")
    _refused(_write(tmp_path / "t5.tar.gz", [pdf, mail, manifest]), "database copy is missing")
    garbage = b"not a database" * 100
    bad_db = [_entry("db.sqlite3", garbage), *_valid_entries(tmp_path, database={"sha256": _sha(garbage)})[1:]]
    _refused(_write(tmp_path / "t6.tar.gz", bad_db), "database copy is damaged")

    assert _snapshot(var) == before


@pytest.mark.embedded
def test_a_backup_from_a_newer_version_is_refused(var, tmp_path):
    newer = _valid_entries(tmp_path, migrations={"leads": ["0001_initial", "9999_from_the_future"]})

    _refused(_write(tmp_path / "newer.tar.gz", newer), "newer version of Funnel CRM .*leads.9999_from_the_future")


@pytest.mark.embedded
def test_restore_is_refused_while_make_run_holds_the_run_lock(var, tmp_path):
    archive = _write(tmp_path / "good.tar.gz", _valid_entries(tmp_path))
    # make run starts honcho through this wrapper; here it runs `sleep` instead of honcho
    running = subprocess.Popen(
        [sys.executable, "scripts/run_locked.py", "sleep", "120"], cwd=ROOT, env=_env(var), start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with runlock.exclusive(var) as free:
                pass
            if not free:
                break
            assert running.poll() is None and time.monotonic() < deadline, "the wrapper never took the run lock"
            time.sleep(0.1)
        before = _snapshot(var)

        _refused(archive, "the app is running")

        assert _snapshot(var) == before
    finally:
        os.killpg(running.pid, signal.SIGTERM)
        running.wait(timeout=30)
    with runlock.exclusive(var) as free:
        assert free  # the lock goes with the process: no stale pid file to clean up


def test_make_backup_and_make_restore_call_the_commands():
    dry_run = subprocess.run(
        ["make", "-n", "backup", "restore", "BACKUP=var/backups/x.tar.gz"], cwd=ROOT, capture_output=True, text=True
    )

    assert 'manage.py backup --output "var/backups/x.tar.gz"' in dry_run.stdout
    assert 'manage.py restore "var/backups/x.tar.gz"' in dry_run.stdout
