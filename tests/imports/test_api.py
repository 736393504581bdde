"""Import over the API and through the import pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from leads.models import Lead
from tests.factories import TeamFactory, UserFactory

CSV = (
    b"First Name,Last Name,Email,Lead Source\r\n"
    b"Ada,Lovelace,ada@x.example,Web\r\n"
    b"Bad,,bad@x.example,Web\r\n"
    b"Eve,\"=cmd|' /C calc'!A0\",eve@x.example,Nowhere\r\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """`upload(client, content, **fields)` posts a CSV and runs the queued import as a worker would."""

    def post(client, content: bytes = CSV, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/imports/",
                {"file": SimpleUploadedFile("leads.csv", content, "text/csv"), **extra},
                format="multipart",
            )

    return post


def test_a_manager_imports_a_csv_and_reads_its_progress(api, manager, upload):
    client = api(manager)

    response = upload(client)

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    progress = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert {k: progress[k] for k in ("status", "rows_total", "rows_done", "created", "updated", "failed")} == {
        "status": "done",
        "rows_total": 3,
        "rows_done": 3,
        "created": 1,
        "updated": 0,
        "failed": 2,
    }
    assert progress["error_report"].endswith(f"/api/v1/imports/{progress['id']}/errors.csv")
    assert progress["eta_seconds"] is None
    assert Lead.objects.get().email == "ada@x.example"


def test_the_error_report_lists_row_column_message_and_quotes_formulas(api, manager, upload):
    client = api(manager)
    job_id = upload(client).json()["id"]

    response = client.get(f"/api/v1/imports/{job_id}/errors.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "row,column,message,value",
        "3,Last Name,Last name is required.,",
        '4,Lead Source,"Unknown lead source; use one of: web, web_form, referral, trade_show, webinar, '
        'email_campaign, advertising, social, partner, cold_call, import, api, other.",Nowhere',
    ]


def test_a_formula_column_header_is_quoted_in_the_error_report(api, manager, upload):
    client = api(manager)
    job_id = upload(client, b"Last Name,=Evil\r\n,x\r\n", mapping=json.dumps({"Last Name": "last_name"})).json()["id"]

    lines = b"".join(client.get(f"/api/v1/imports/{job_id}/errors.csv").streaming_content).decode().splitlines()

    assert lines[1] == "2,Last Name,Last name is required.,"
    assert ImportJob.objects.get(pk=job_id).mapping == {"Last Name": "last_name"}


def test_a_mapping_given_as_json_overrides_the_detected_one(api, manager, upload):
    mapping = json.dumps({"Col A": "last_name", "Col B": "company"})

    response = upload(api(manager), b"Col A,Col B\r\nDoe,Acme\r\n", mapping=mapping)

    assert response.status_code == 202
    assert Lead.objects.get().company == "Acme"


@pytest.mark.parametrize(
    ("content", "mapping", "field"),
    [
        (b"", None, "file"),
        (b"\x00\x01\x02\x03\xff\xfe" * 50, None, "file"),
        (b"Email\r\na@x.example\r\n", None, "mapping"),
        (b"Last Name\r\nDoe\r\n", "not json", "mapping"),
        (b"Last Name\r\nDoe\r\n", json.dumps({"Last Name": "password"}), "mapping"),
        (b"Last Name\r\nDoe\r\n", json.dumps({"Nope": "last_name"}), "mapping"),
    ],
)
def test_a_bad_file_or_mapping_is_a_400_naming_the_field(api, manager, content, mapping, field, upload):
    extra = {"mapping": mapping} if mapping is not None else {}

    response = upload(api(manager), content, **extra)

    assert response.status_code == 400
    assert field in response.json()
    assert not ImportJob.objects.exists()


def test_a_missing_file_is_a_400_naming_the_file(api, manager):
    response = api(manager).post("/api/v1/imports/", {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_reps_may_not_import(api, rep, upload):
    response = upload(api(rep))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_another_managers_job_answers_404_and_the_creators_manager_sees_it(api, manager, admin, upload):
    job_id = upload(api(manager)).json()["id"]
    other_manager = UserFactory(username="manager2", role="manager")
    TeamFactory(name="West", manager=other_manager)

    assert api(other_manager).get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert api(other_manager).get(f"/api/v1/imports/{job_id}/errors.csv").status_code == 404
    assert api(admin).get(f"/api/v1/imports/{job_id}/").status_code == 200
    assert api(other_manager).get("/api/v1/imports/").json()["results"] == []


def test_a_rep_does_not_see_their_managers_imports(api, manager, rep, upload):
    job_id = upload(api(manager)).json()["id"]

    assert api(rep).get(f"/api/v1/imports/{job_id}/").status_code == 404


def test_the_progress_endpoint_costs_a_fixed_number_of_queries(api, manager, django_assert_max_num_queries, upload):
    client = api(manager)
    job_id = upload(client).json()["id"]

    with django_assert_max_num_queries(2):
        assert client.get(f"/api/v1/imports/{job_id}/").status_code == 200


# --- pages ------------------------------------------------------------------------------------------------


def test_the_import_pages_take_a_file_through_mapping_to_progress(client, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)

    response = client.post(
        reverse("imports:upload"), {"file": SimpleUploadedFile("crm.csv", b"Surname,Firm\r\nDoe,Acme\r\n,Nobody\r\n")}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[job.pk])
    assert job.status == "draft"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert '<option value="last_name" selected>' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:mapping", args=[job.pk]), {"column-0": "last_name", "column-1": "company"}
        )
    assert response["Location"] == reverse("imports:progress", args=[job.pk])

    page = client.get(response["Location"]).content.decode()
    assert "js/import.js" in page
    assert reverse("imports:errors", args=[job.pk]) in page
    status = client.get(reverse("imports:status", args=[job.pk])).json()
    assert (status["status"], status["rows_done"], status["created"], status["failed"]) == ("done", 2, 1, 1)
    assert Lead.objects.get().company == "Acme"
    report = b"".join(client.get(reverse("imports:errors", args=[job.pk])).streaming_content).decode()
    assert "3,Surname,Last name is required." in report


def test_the_mapping_step_refuses_a_mapping_without_last_name(client, manager):
    client.force_login(manager)
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("crm.csv", b"Surname\r\nDoe\r\n")})
    job = ImportJob.objects.get()

    response = client.post(reverse("imports:mapping", args=[job.pk]), {"column-0": ""})

    assert response.status_code == 200
    assert "Map a column to last_name" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "draft"


def test_an_unreadable_upload_shows_the_error_on_the_form(client, manager):
    client.force_login(manager)

    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("x.csv", b"")})

    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_reps_get_404_on_the_import_page_and_on_anothers_job(client, rep, manager):
    client.force_login(manager)
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("crm.csv", b"Surname\r\nDoe\r\n")})
    job = ImportJob.objects.get()
    client.force_login(rep)

    assert client.get(reverse("imports:upload")).status_code == 404
    assert client.get(reverse("imports:progress", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:status", args=[job.pk])).status_code == 404


def test_the_status_endpoint_costs_a_fixed_number_of_queries(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("crm.csv", b"Surname\r\nDoe\r\n")})
    job = ImportJob.objects.get()

    # session, user, the manager's team members, job; plus the session's sliding expiry save (savepoint, update,
    # release)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("imports:status", args=[job.pk])).status_code == 200
