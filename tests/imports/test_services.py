"""The CSV import service: file shapes, mapping, per-row errors, upsert, resume."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from activities.models import Event
from assignment.models import AssignmentRule
from core.exceptions import PermissionDenied
from core.leases import claim
from imports import services as importing
from imports.models import ImportJob, ImportRowError
from imports.reading import detect_mapping
from imports.services import create_import, run_import
from imports.tasks import run_import_bulk_task
from leads.models import Lead, LeadStatusChange
from scoring.models import ScoringRule
from scoring.services import explain_score
from tests.factories import AccountFactory, AssignmentRuleFactory, LeadFactory, UserFactory
from users.models import User

SALESFORCE_HEADERS = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Email",
    "Phone",
    "Lead Source",
    "Lead Status",
    "No. of Employees",
    "Annual Revenue",
    "City",
    "Country",
    "Email Opt Out",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_csv(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> ContentFile:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ContentFile(text.getvalue().encode(encoding), name="leads.csv")


def run(job: ImportJob) -> ImportJob:
    run_import(job.pk)
    job.refresh_from_db()
    return job


def test_salesforce_export_headers_map_to_lead_fields():
    mapping = detect_mapping(SALESFORCE_HEADERS)

    assert mapping == {
        "Lead ID": "",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "title",
        "Company": "company",
        "Email": "email",
        "Phone": "phone",
        "Lead Source": "source",
        "Lead Status": "status",
        "No. of Employees": "employees",
        "Annual Revenue": "annual_revenue",
        "City": "city",
        "Country": "country",
        "Email Opt Out": "do_not_contact",
    }


def test_our_own_export_headers_map_to_themselves_whatever_the_case_and_spacing():
    assert detect_mapping(["last_name", " EMAIL ", "Annual_Revenue", "notes"]) == {
        "last_name": "last_name",
        " EMAIL ": "email",
        "Annual_Revenue": "annual_revenue",
        "notes": "description",
    }


def test_a_salesforce_export_imports_with_labels_translated(manager):
    file = make_csv(
        [
            SALESFORCE_HEADERS,
            ["00Q1", "Ada", "Lovelace", "CTO", "Analytical Ltd", "Ada@Analytical.example", "+44 20 1234", "Web",
             "Open - Not Contacted", "1,200", "$1,500,000.50", "London", "UK", "1"],
            ["00Q2", "Alan", "Turing", "", "Bletchley", "alan@bletchley.example", "", "Partner Referral",
             "Working - Contacted", "", "", "", "", "0"],
        ]
    )  # fmt: skip

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.status, job.created, job.failed) == ("done", 2, 0)
    ada = Lead.objects.get(email="ada@analytical.example")
    assert (ada.first_name, ada.company, ada.phone, ada.source, ada.status) == (
        "Ada",
        "Analytical Ltd",
        "+44 20 1234",
        "web",
        "new",
    )
    assert (ada.employees, str(ada.annual_revenue), ada.do_not_contact) == (1200, "1500000.50", True)
    assert Lead.objects.get(email="alan@bletchley.example").status == "working"
    assert LeadStatusChange.objects.filter(lead=ada, from_status="", to_status="new", changed_by=manager).exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_utf8_with_or_without_bom_and_latin1_files_keep_their_accents(manager, encoding):
    file = make_csv([["Last Name", "City"], ["Müller", "Zürich"], ["Dupré", "Besançon"]], encoding=encoding)

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert job.created == 2
    assert set(Lead.objects.values_list("last_name", "city")) == {("Müller", "Zürich"), ("Dupré", "Besançon")}


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_sniffed(manager, delimiter):
    file = make_csv([["Last Name", "Email"], ["Doe", "jd@x.example"], ["Roe", "rr@x.example"]], delimiter=delimiter)

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert job.created == 2
    assert Lead.objects.filter(last_name="Doe", email="jd@x.example").exists()


def test_quoted_newlines_stay_inside_their_cell_and_nul_bytes_are_dropped(manager):
    content = b'Last Name,Description\r\n"Doe","line one\nline two"\r\nRo\x00e,plain\r\n'

    job = run(create_import(by=manager, file=ContentFile(content, name="x.csv"), enqueue=False))

    assert (job.rows_total, job.created) == (2, 2)
    assert Lead.objects.get(last_name="Doe").description == "line one\nline two"
    assert Lead.objects.filter(last_name="Roe").exists()


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_still_land(manager):
    file = make_csv(
        [
            ["Last Name", "Email", "No. of Employees", "Lead Status", "Title"],
            ["Good", "good@x.example", "10", "New", ""],
            ["", "nolast@x.example", "", "", ""],
            ["BadMail", "not-an-email", "", "", ""],
            ["BadCount", "", "many", "", ""],
            ["Converted", "", "", "Closed - Converted", ""],
            ["TooLong", "", "", "", "x" * 129],
        ]
    )

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.rows_done, job.created, job.failed) == (6, 1, 5)
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Good"]
    errors = list(ImportRowError.objects.filter(job=job).values_list("row", "column", "message"))
    assert errors == [
        (3, "Last Name", "Last name is required."),
        (4, "Email", "Enter a valid email address."),
        (5, "No. of Employees", "Enter a whole number of employees."),
        (6, "Lead Status", "A lead becomes converted only through conversion; import it as qualified."),
        (7, "Title", "Longer than 128 characters."),
    ]


def test_formula_prefixes_are_stripped_but_phone_numbers_and_numbers_are_kept(manager):
    file = make_csv(
        [
            ["Last Name", "Company", "Phone", "Title"],
            ['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "+33 1 23 45", "-5"],
            ["Plain", "+cmd|' /C calc'!A0", "-1 555", "=1+2"],
        ]
    )

    run(create_import(by=manager, file=file, enqueue=False))

    first = Lead.objects.get(phone="+33 1 23 45")
    assert (first.last_name, first.company, first.title) == ('HYPERLINK("http://evil.example","x")', "SUM(A1)", "-5")
    second = Lead.objects.get(last_name="Plain")
    assert (second.company, second.phone, second.title) == ("cmd|' /C calc'!A0", "-1 555", "1+2")


def test_an_open_lead_with_the_email_is_updated_not_duplicated(manager):
    lead = LeadFactory(email="known@x.example", last_name="Old", company="Old Co", phone="123", status="working")
    file = make_csv(
        [["Last Name", "Email", "Company", "Phone", "Lead Status"], ["New", "KNOWN@x.example ", "New Co", "", "New"]]
    )

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.created, job.updated) == (0, 1)
    lead.refresh_from_db()
    # Non-empty cells overwrite, empty cells leave the field alone, status is kept.
    assert (lead.last_name, lead.company, lead.phone, lead.status) == ("New", "New Co", "123", "working")
    assert lead.score == explain_score(lead)["score"]


def test_converted_leads_are_never_touched_and_a_new_lead_is_created_instead(manager):
    account = AccountFactory()
    converted = LeadFactory(
        email="conv@x.example",
        last_name="Converted",
        status="converted",
        converted_at=timezone.now(),
        converted_account=account,
    )
    file = make_csv([["Last Name", "Email"], ["Again", "conv@x.example"]])

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.created, job.updated) == (1, 0)
    converted.refresh_from_db()
    assert converted.last_name == "Converted"
    assert Lead.objects.get(email="conv@x.example", status="new").last_name == "Again"


def test_duplicates_inside_the_file_merge_into_one_lead_with_later_cells_winning(manager):
    file = make_csv(
        [
            ["Last Name", "Email", "Company", "City"],
            ["Doe", "dup@x.example", "First Co", "Paris"],
            ["Doe", "DUP@x.example", "Second Co", ""],
            ["Other", "other@x.example", "", ""],
        ]
    )

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.created, job.merged, job.rows_done) == (2, 1, 3)
    lead = Lead.objects.get(email="dup@x.example")
    assert (lead.company, lead.city) == ("Second Co", "Paris")


def test_a_duplicate_in_a_later_chunk_updates_the_lead_of_an_earlier_chunk(manager, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    file = make_csv([["Last Name", "Email"], ["A", "a@x.example"], ["B", "b@x.example"], ["A2", "a@x.example"]])

    job = run(create_import(by=manager, file=file, enqueue=False))

    assert (job.created, job.updated) == (2, 1)
    assert Lead.objects.get(email="a@x.example").last_name == "A2"


def test_a_retried_job_resumes_after_its_last_committed_chunk_and_imports_nothing_twice(manager, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [["Last Name", "Company"]] + [[f"L{n}", "no email"] for n in range(5)]
    job = create_import(by=manager, file=make_csv(rows), enqueue=False)
    real_chunk = importing._import_chunk
    calls = []

    def crash_on_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("worker lost")
        return real_chunk(*args, **kwargs)

    # given a worker that dies in the second chunk
    monkeypatch.setattr(importing, "_import_chunk", crash_on_second_chunk)
    with pytest.raises(OSError):
        run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, Lead.objects.count()) == ("failed", 2, 2)

    # when the job is delivered again
    monkeypatch.setattr(importing, "_import_chunk", real_chunk)
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    job = run(job)

    # then rows without email (which cannot be matched) were still imported once each
    assert (job.status, job.rows_done, job.created) == ("done", 5, 5)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == [f"L{n}" for n in range(5)]


def test_a_second_delivery_while_the_job_runs_does_nothing(manager):
    job = create_import(by=manager, file=make_csv([["Last Name"], ["Doe"]]), enqueue=False)
    ImportJob.objects.filter(pk=job.pk).update(status="running", updated_at=timezone.now())
    assert claim("import", job.pk, task=importing.IMPORT_TASK)  # the running worker's lease

    assert run_import(job.pk) is None
    assert Lead.objects.count() == 0


def test_a_finished_job_delivered_again_imports_nothing(manager):
    job = run(create_import(by=manager, file=make_csv([["Last Name"], ["Doe"]]), enqueue=False))

    assert run_import(job.pk) is None
    assert Lead.objects.count() == 1


def test_progress_counts_rows_and_reports_a_rate(manager, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    job = create_import(by=manager, file=make_csv([["Last Name"]] + [[f"L{n}"] for n in range(5)]), enqueue=False)
    seen = []

    run_import(job.pk, progress=lambda j: seen.append((j.rows_done, j.rows_total, j.status)))

    assert seen == [(2, 5, "running"), (4, 5, "running"), (5, 5, "running"), (5, 5, "done")]
    job.refresh_from_db()
    assert job.percent == 100
    assert job.eta_seconds is None


def test_reps_may_not_import(rep):
    with pytest.raises(PermissionDenied):
        create_import(by=rep, file=make_csv([["Last Name"], ["Doe"]]))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa",
            "not a text",
        ),
    ],
)
def test_an_empty_or_binary_file_is_refused_naming_the_file(manager, content, message):
    with pytest.raises(ValidationError) as error:
        create_import(by=manager, file=ContentFile(content, name="x.csv"))

    assert message in error.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()


def test_a_file_without_a_last_name_column_is_refused_naming_the_mapping(manager):
    with pytest.raises(ValidationError) as error:
        create_import(by=manager, file=make_csv([["Email"], ["a@x.example"]]))

    assert "last_name" in error.value.message_dict["mapping"][0]


def test_the_import_queues_its_job_after_commit(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = create_import(by=manager, file=make_csv([["Last Name"], ["Doe"]]))

    kicks = [getattr(callback, "task_name", None) for callback in callbacks]
    assert kicks.count(run_import_bulk_task.name) == 1
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 1)


def test_importing_the_same_file_again_creates_and_changes_nothing(manager):
    rows = [["Last Name", "Email", "City"], ["Doe", "jd@x.example", "Paris"], ["Roe", "rr@x.example", ""]]
    run(create_import(by=manager, file=make_csv(rows), enqueue=False))

    again = run(create_import(by=manager, file=make_csv(rows), enqueue=False))

    assert (again.created, again.updated, again.rows_done) == (0, 0, 2)
    assert Lead.objects.count() == 2


def test_a_running_job_whose_worker_stopped_is_taken_over_by_the_sweeper_and_resumed(manager, monkeypatch):
    from core.leases import claim, is_recovering
    from core.models import Lease
    from core.tasks import sweep_leases_task

    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    job = create_import(by=manager, file=make_csv([["Last Name"], ["A"], ["B"]]), enqueue=False)
    # given a worker that took the lease, committed the first row, then died
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    held = claim("import", job.pk, task=importing.IMPORT_TASK)
    importing.claim_import(job.pk)
    importing._import_chunk(
        ImportJob.objects.get(pk=job.pk), 1, importing.RowValidator(job).validate([["A"]], first_row=2), held=held
    )
    assert importing.run_import(job.pk) is None  # its lease is still held: a duplicate delivery does nothing
    Lease.objects.filter(kind="import", job_id=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert is_recovering("import", job.pk)

    sweep_leases_task()

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.attempts) == ("done", 2, 2, 2)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["A", "B"]
    assert not Lease.objects.exists()


def test_a_worker_that_lost_its_lease_commits_no_further_chunk(manager):
    from core.leases import LeaseLost, claim
    from core.models import Lease

    job = create_import(by=manager, file=make_csv([["Last Name"], ["A"]]), enqueue=False)
    held = claim("import", job.pk, task=importing.IMPORT_TASK)
    Lease.objects.filter(kind="import", job_id=job.pk).update(holder="another worker")

    with pytest.raises(LeaseLost):
        importing._import_chunk(
            ImportJob.objects.get(pk=job.pk), 1, importing.RowValidator(job).validate([["A"]], first_row=2), held=held
        )

    assert ImportJob.objects.get(pk=job.pk).rows_done == 0
    assert not Lead.objects.exists()


def test_the_command_imports_a_file_with_a_progress_line(manager, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "leads.csv"
    path.write_text("Nom,Courriel\nDupont,jd@x.example\n,bad@x.example\n", encoding="latin-1")

    call_command(
        "import_leads", str(path), "--by", manager.username, "--mapping", '{"Nom": "last_name", "Courriel": "email"}'
    )

    out = capsys.readouterr()
    assert "2 rows, 1 created, 0 updated, 0 merged duplicates, 1 failed" in out.out
    assert "2/2" in out.err
    assert Lead.objects.get().email == "jd@x.example"


def test_the_command_refuses_a_rep(rep, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "leads.csv"
    path.write_text("Last Name\nDoe\n")

    with pytest.raises(CommandError, match="Only managers and admins may import leads"):
        call_command("import_leads", str(path), "--by", rep.username)
    assert not ImportJob.objects.exists()


def test_new_leads_land_scored_rated_and_stamped_as_scoring_one_lead_would(manager, settings):
    from activities.models import Event
    from scoring.models import ScoringRule

    settings.FUNNEL_MQL_THRESHOLD = 50
    ScoringRule.objects.create(name="Big revenue", field="annual_revenue", operator="gte", value="1000000", points=40)
    ScoringRule.objects.create(name="Opted out", field="do_not_contact", operator="equals", value="true", points=-30)
    rows = [
        ["Last Name", "Email", "Title", "Company", "Phone", "Lead Source", "Employees", "Annual Revenue"],
        ["Chief", "ceo@big.example", "CEO", "Big Co", "+1 555", "Referral", "5000", "20000000"],
        ["Free", "someone@gmail.com", "Analyst", "", "", "Web", "3", ""],
        ["Middle", "vp@mid.example", "VP Sales", "Mid Co", "+1 556", "Webinar", "250", "2000000"],
        ["Blank", "", "", "", "", "", "", ""],
    ]

    job = run(create_import(by=manager, file=make_csv(rows), enqueue=False))

    assert job.created == 4
    leads = list(Lead.objects.order_by("pk"))
    assert all(lead.scored_at is not None for lead in leads)
    for lead in leads:
        explained = explain_score(lead)
        assert (lead.score, lead.rating) == (explained["score"], explained["rating"]), lead.last_name
        assert (lead.mql_at is not None) == (lead.score >= 50), lead.last_name
    assert {lead.last_name for lead in leads if lead.mql_at} == {"Chief", "Middle"}
    events = Event.objects.filter(kind="mql").order_by("lead_id")
    assert [(e.lead_id, e.data["score"]) for e in events] == [(lead.pk, lead.score) for lead in leads if lead.mql_at]


def test_files_of_imports_that_ended_long_ago_are_removed_and_their_reports_kept(
    manager, settings, django_capture_on_commit_callbacks
):
    from imports.services import purge_import_files

    settings.FUNNEL_IMPORT_FILE_DAYS = 30
    now = timezone.now()
    old = run(create_import(by=manager, file=make_csv([["Last Name", "Email"], ["Old", "bad"]]), enqueue=False))
    recent = run(create_import(by=manager, file=make_csv([["Last Name"], ["Recent"]]), enqueue=False))
    ImportJob.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=31))
    ImportJob.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=29))
    old_path = old.file.path

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_import_files(now=now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not Path(old_path).exists()
    assert (old.status, old.created, old.failed) == ("done", 0, 1)
    assert ImportRowError.objects.filter(job=old).count() == 1
    assert recent.file and Path(recent.file.path).exists()


def test_an_upload_left_awaiting_its_mapping_is_closed_and_its_file_removed(
    manager, settings, django_capture_on_commit_callbacks
):
    from imports.services import purge_import_files

    settings.FUNNEL_IMPORT_FILE_DAYS = 30
    draft = create_import(by=manager, file=make_csv([["Surname"], ["Doe"]]), start=False)
    running = create_import(by=manager, file=make_csv([["Last Name"], ["Busy"]]), enqueue=False)
    ImportJob.objects.filter(pk__in=[draft.pk, running.pk]).update(created_at=timezone.now() - timedelta(days=40))
    ImportJob.objects.filter(pk=running.pk).update(status="running")
    draft_path = draft.file.path

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_import_files() == 1

    draft.refresh_from_db()
    running.refresh_from_db()
    assert (draft.status, bool(draft.file), Path(draft_path).exists()) == ("failed", False, False)
    assert "Upload it again" in draft.detail
    assert running.status == "running" and Path(running.file.path).exists()


# --- assignment of the imported leads -------------------------------------------------------------------------


def test_an_admins_import_routes_new_unowned_leads_by_every_rule_with_their_events_and_one_digest_per_owner(
    admin, manager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)  # several chunks: one digest per owner all the same
    AssignmentRule.objects.update(active=False)
    hot_rep, first, _second = (UserFactory(username=name, role="rep") for name in ("hot", "first", "second"))
    ScoringRule.objects.create(name="Big revenue", field="annual_revenue", operator="gte", value="1000000", points=60)
    hot_rule = AssignmentRuleFactory(order=1, name="Hot", score_min=40, target_user=hot_rep)
    AssignmentRuleFactory(order=2, name="French", countries=["france"], target_user=first)
    rest = AssignmentRuleFactory(order=3, name="Rest")
    existing = LeadFactory(email="known@x.example", owner=None)
    rows = [["Last Name", "Email", "Country", "Annual Revenue"]]
    rows += [[f"Big{n}", f"big{n}@x.example", "Spain", "5000000"] for n in range(2)]
    rows += [[f"Fr{n}", f"fr{n}@x.example", "France", ""] for n in range(2)]
    rows += [[f"Any{n}", f"any{n}@x.example", "Italy", ""] for n in range(4)]
    rows += [["Known", "known@x.example", "Spain", ""]]

    with django_capture_on_commit_callbacks(execute=True):
        job = run(create_import(by=admin, file=make_csv(rows), enqueue=False))

    assert (job.created, job.updated) == (8, 1)
    owners = dict(Lead.objects.values_list("last_name", "owner__username"))
    assert owners["Big0"] == owners["Big1"] == "hot"  # scored before it was routed
    assert owners["Fr0"] == owners["Fr1"] == "first"
    # "Rest" targets every active rep, round-robin: the four others spread evenly
    assert sorted(owners[f"Any{n}"] for n in range(4)) == ["first", "hot", "rep1", "second"]
    assert owners["Known"] is None  # an updated lead keeps its (lack of) owner
    for lead in Lead.objects.exclude(pk=existing.pk):
        event = Event.objects.get(lead=lead, kind="assigned")
        assert event.actor == admin
        assert event.summary.startswith(f"Assigned to {lead.owner.display_name} by rule")
    assert Event.objects.get(lead__last_name="Big0", kind="assigned").data["rule"] == hot_rule.pk
    rest.refresh_from_db()
    assert rest.last_assigned_user_id is not None
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        user.email for user in User.objects.filter(role="rep")
    )


def test_in_an_admins_import_leads_nobody_can_take_stay_unassigned_with_one_note_and_the_manager_is_told(
    admin, manager, django_capture_on_commit_callbacks
):
    AssignmentRule.objects.update(active=False)
    rows = [["Last Name", "Email"], ["A", "a@x.example"], ["B", "b@x.example"]]

    with django_capture_on_commit_callbacks(execute=True):
        job = run(create_import(by=admin, file=make_csv(rows), enqueue=False))

    assert job.created == 2
    assert not Lead.objects.filter(owner__isnull=False).exists()
    failures = Event.objects.filter(kind="assignment_failed")
    assert sorted(failures.values_list("lead__last_name", flat=True)) == ["A", "B"]
    assert {event.data["reason"] for event in failures} == {"no_rule_matched"}
    assert [message.to for message in mail.outbox] == [[manager.email]]


def test_an_import_given_an_owner_gives_every_new_lead_to_that_owner_and_leaves_the_rules_alone(manager, rep):
    default = AssignmentRule.objects.get()
    rows = [["Last Name", "Email"], ["A", "a@x.example"], ["B", ""]]

    job = run(create_import(by=manager, file=make_csv(rows), owner=rep, enqueue=False))

    assert job.created == 2
    assert set(Lead.objects.values_list("owner", flat=True)) == {rep.pk}
    assert not Event.objects.filter(kind__in=["assigned", "assignment_failed"]).exists()
    default.refresh_from_db()
    assert default.last_assigned_user is None


def test_a_rep_at_capacity_gets_no_imported_leads(admin, rep):
    rep.lead_capacity = 1
    rep.save(update_fields=["lead_capacity"])
    LeadFactory(owner=rep)
    other = UserFactory(username="roomy", role="rep")
    rows = [["Last Name", "Email"]] + [[f"L{n}", f"l{n}@x.example"] for n in range(3)]

    run(create_import(by=admin, file=make_csv(rows), enqueue=False))

    assert set(Lead.objects.filter(email__endswith="@x.example").values_list("owner", flat=True)) == {other.pk}
