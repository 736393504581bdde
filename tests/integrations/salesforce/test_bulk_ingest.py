"""Bulk API 2.0 ingest jobs over HTTP: create, upload, close, results, abort, delete, and who sees which job."""

from __future__ import annotations

import csv
import io

import pytest

from integrations.salesforce.bulk import csvfiles
from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.usefixtures("media")

URL = "/services/data/v62.0/jobs/ingest"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client(api, rep):
    return api(rep)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """`run(response_callable)`: perform a request and run the work it queued after commit (eager Celery)."""

    def call(request):
        with django_capture_on_commit_callbacks(execute=True):
            return request()

    return call


def create(client, **payload):
    body = {"object": "Lead", "operation": "insert", "contentType": "CSV", "lineEnding": "LF", **payload}
    return client.post(URL, body, format="json")


def upload(client, job_id, text, content_type="text/csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.put(f"{URL}/{job_id}/batches", data, content_type=content_type)


def close(client, job_id):
    return client.patch(f"{URL}/{job_id}", {"state": "UploadComplete"}, format="json")


def ingest(client, run, text, **payload):
    """Create a job, upload `text`, close it and let the worker run it; return the job info."""
    response = create(client, **payload)
    assert response.status_code == 200, response.json()
    job_id = response.json()["id"]
    assert upload(client, job_id, text).status_code == 201
    assert run(lambda: close(client, job_id)).status_code == 200
    return client.get(f"{URL}/{job_id}").json()


def results(client, job_id, kind):
    response = client.get(f"{URL}/{job_id}/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_creating_a_job_answers_salesforce_job_info_in_state_open(client, rep):
    response = create(client, columnDelimiter="COMMA")

    assert response.status_code == 200
    info = response.json()
    assert info["id"].startswith("750") and len(info["id"]) == 18
    assert info["state"] == "Open"
    assert info["object"] == "Lead" and info["operation"] == "insert"
    assert info["createdById"] == to_sf_id("User", rep.pk)
    assert info["contentType"] == "CSV" and info["apiVersion"] == 62.0
    assert info["lineEnding"] == "LF" and info["columnDelimiter"] == "COMMA"
    assert info["contentUrl"] == f"services/data/v62.0/jobs/ingest/{info['id']}/batches"


def test_an_insert_job_creates_the_rows_through_the_services_and_reports_each_row(client, run, rep):
    text = "FirstName,LastName,Company,Email\nAda,Lovelace,Engines,ada@engines.example\nAlan,Turing,Bletchley,\n"

    info = ingest(client, run, text)

    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 2 and info["numberRecordsFailed"] == 0
    leads = Lead.objects.order_by("pk")
    assert [(lead.last_name, lead.owner_id, lead.source) for lead in leads] == [
        ("Lovelace", rep.pk, Lead.Source.API),
        ("Turing", rep.pk, Lead.Source.API),
    ]
    rows = results(client, info["id"], "successfulResults")
    assert [row["sf__Id"] for row in rows] == [to_sf_id("Lead", lead.pk) for lead in leads]
    assert [row["sf__Created"] for row in rows] == ["true", "true"]
    assert rows[0]["Email"] == "ada@engines.example" and rows[1]["LastName"] == "Turing"
    assert results(client, info["id"], "failedResults") == []
    assert results(client, info["id"], "unprocessedrecords") == []


def test_a_bad_row_fails_alone_with_salesforces_error_text(client, run):
    text = "LastName,Company,Status\nLovelace,Engines,Open - Not Contacted\n,Nobody Inc,\nTuring,Bletchley,Bogus\n"

    info = ingest(client, run, text)

    assert info["state"] == "JobComplete"
    assert info["numberRecordsProcessed"] == 3 and info["numberRecordsFailed"] == 2
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Lovelace"]
    failed = results(client, info["id"], "failedResults")
    assert [row["Company"] for row in failed] == ["Nobody Inc", "Bletchley"]
    assert failed[0]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert "LastName" in failed[0]["sf__Error"]
    assert failed[1]["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:")
    assert all(row["sf__Id"] == "" for row in failed)


def test_an_unknown_column_fails_the_job_before_any_row_naming_the_column(client, run):
    text = "LastName,Favourite_Colour__c\nLovelace,blue\n"

    info = ingest(client, run, text)

    assert info["state"] == "Failed"
    assert info["errorMessage"] == "InvalidBatch : Field name not found : Favourite_Colour__c"
    assert not Lead.objects.exists()
    assert [row["LastName"] for row in results(client, info["id"], "unprocessedrecords")] == ["Lovelace"]


def test_update_upsert_and_delete_jobs_write_the_visible_records(client, run, rep):
    lead = LeadFactory(owner=rep, last_name="Old", company="Acme", external_id="")
    lead_id = to_sf_id("Lead", lead.pk)

    updated = ingest(client, run, f"Id,LastName,Company\n{lead_id},New,#N/A\n", operation="update")
    upserted = ingest(
        client,
        run,
        "External_Id__c,LastName\nX-1,Created\nX-1,Again\n",
        operation="upsert",
        externalIdFieldName="External_Id__c",
    )

    lead.refresh_from_db()
    assert updated["numberRecordsFailed"] == 0 and (lead.last_name, lead.company) == ("New", "")
    created = results(client, upserted["id"], "successfulResults")
    assert [row["sf__Created"] for row in created] == ["true", "false"]
    assert Lead.objects.get(external_id="X-1").last_name == "Again"

    deleted = ingest(client, run, f"Id\n{lead_id}\n", operation="delete")
    assert deleted["numberRecordsFailed"] == 0
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_an_empty_cell_leaves_a_field_as_it_is(client, run, rep):
    lead = LeadFactory(owner=rep, last_name="Kept", company="Acme")

    ingest(client, run, f"Id,LastName,Company\n{to_sf_id('Lead', lead.pk)},,Globex\n", operation="update")

    lead.refresh_from_db()
    assert (lead.last_name, lead.company) == ("Kept", "Globex")


def test_a_row_naming_another_users_record_fails_as_not_found(client, run, other_rep):
    theirs = LeadFactory(owner=other_rep, last_name="Theirs")

    info = ingest(client, run, f"Id,LastName\n{to_sf_id('Lead', theirs.pk)},Mine\n", operation="update")

    assert info["numberRecordsFailed"] == 1
    assert results(client, info["id"], "failedResults")[0]["sf__Error"].startswith("NOT_FOUND:")
    theirs.refresh_from_db()
    assert theirs.last_name == "Theirs"


def test_a_semicolon_crlf_job_reads_and_answers_in_its_own_format(client, run):
    text = 'LastName;Company\r\nLovelace;"Engines; Analytical"\r\n'

    info = ingest(client, run, text, columnDelimiter="SEMICOLON", lineEnding="CRLF")

    assert Lead.objects.get().company == "Engines; Analytical"
    body = b"".join(client.get(f"{URL}/{info['id']}/successfulResults/").streaming_content).decode()
    assert body.startswith("sf__Id;sf__Created;LastName;Company\r\n")
    assert body.endswith(';true;Lovelace;"Engines; Analytical"\r\n')


def test_result_files_are_formula_safe(client, run):
    ingest(client, run, "LastName,Company,Phone\n=HYPERLINK(1),@SUM(1),+33 1 23 45 67 89\n")

    info = client.get(URL).json()["records"][0]
    row = results(client, info["id"], "successfulResults")[0]
    assert (row["LastName"], row["Company"], row["Phone"]) == ("'=HYPERLINK(1)", "'@SUM(1)", "+33 1 23 45 67 89")


@pytest.mark.parametrize(
    ("payload", "code", "text"),
    [
        ({"object": "Widget"}, "INVALIDENTITY", "Widget"),
        ({"object": "User"}, "INVALIDENTITY", "read-only"),
        ({"operation": "merge"}, "INVALIDJOB", "operation"),
        ({"columnDelimiter": "COLON"}, "INVALIDJOB", "columnDelimiter"),
        ({"lineEnding": "CR"}, "INVALIDJOB", "lineEnding"),
        ({"contentType": "JSON"}, "INVALIDJOB", "contentType"),
        ({"operation": "upsert"}, "INVALIDJOB", "externalIdFieldName"),
        ({"operation": "upsert", "externalIdFieldName": "Company"}, "INVALIDJOB", "Company"),
        ({"externalIdFieldName": "External_Id__c"}, "INVALIDJOB", "only for upsert"),
    ],
)
def test_a_bad_job_definition_is_refused_naming_the_problem(client, payload, code, text):
    response = create(client, **payload)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code and text in error["message"]
    assert not BulkJob.objects.exists()


def test_uploads_are_refused_with_a_clear_error_and_nothing_stored(client, media, monkeypatch):
    job_id = create(client).json()["id"]
    monkeypatch.setattr(csvfiles, "MAX_UPLOAD_BYTES", 64)

    nul = upload(client, job_id, "LastName\nA\x00B\n")
    latin1 = upload(client, job_id, "LastName\nJos\xe9\n".encode("latin-1"))
    big = upload(client, job_id, "LastName\n" + "x" * 100 + "\n")
    json_body = upload(client, job_id, '{"LastName": "x"}', content_type="application/json")
    empty = upload(client, job_id, "")

    assert (nul.status_code, nul.json()[0]["errorCode"]) == (400, "INVALIDBATCH")
    assert "NUL" in nul.json()[0]["message"]
    assert latin1.status_code == 400 and "UTF-8" in latin1.json()[0]["message"]
    assert big.status_code == 413
    assert json_body.status_code == 415
    assert empty.status_code == 400
    assert not BulkJob.objects.get().data
    assert not any(path.is_file() for path in media.rglob("*"))


def test_data_is_uploaded_once_and_only_while_the_job_is_open(client, run):
    job_id = create(client).json()["id"]
    no_data = close(client, job_id)
    assert upload(client, job_id, "LastName\nA\n").status_code == 201

    again = upload(client, job_id, "LastName\nB\n")
    run(lambda: close(client, job_id))
    after_close = upload(client, job_id, "LastName\nC\n")

    assert (no_data.status_code, no_data.json()[0]["errorCode"]) == (409, "INVALIDJOBSTATE")
    assert (again.status_code, again.json()[0]["errorCode"]) == (409, "INVALIDJOBSTATE")
    assert (after_close.status_code, after_close.json()[0]["errorCode"]) == (409, "INVALIDJOBSTATE")
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["A"]


def test_an_aborted_job_applies_nothing_and_lists_its_rows_as_unprocessed(client):
    job_id = create(client).json()["id"]
    upload(client, job_id, "LastName\nA\nB\n")

    aborted = client.patch(f"{URL}/{job_id}", {"state": "Aborted"}, format="json")
    closed = close(client, job_id)

    assert aborted.status_code == 200 and aborted.json()["state"] == "Aborted"
    assert closed.status_code == 409
    assert [row["LastName"] for row in results(client, job_id, "unprocessedrecords")] == ["A", "B"]
    assert not Lead.objects.exists()


def test_a_finished_job_cannot_be_aborted_and_an_unknown_state_is_refused(client, run):
    info = ingest(client, run, "LastName\nA\n")

    aborted = client.patch(f"{URL}/{info['id']}", {"state": "Aborted"}, format="json")
    bogus = client.patch(f"{URL}/{info['id']}", {"state": "Paused"}, format="json")

    assert aborted.status_code == 409
    assert (bogus.status_code, bogus.json()[0]["errorCode"]) == (400, "INVALIDJOB")


def test_a_job_is_deleted_with_its_files_once_it_no_longer_runs(client, run, media):
    open_id = create(client).json()["id"]
    info = ingest(client, run, "LastName\nA\n")

    refused = client.delete(f"{URL}/{open_id}")
    deleted = run(lambda: client.delete(f"{URL}/{info['id']}"))

    assert refused.status_code == 409
    assert deleted.status_code == 204
    assert client.get(f"{URL}/{info['id']}").status_code == 404
    assert not any(path.is_file() for path in media.rglob("*"))
    assert Lead.objects.count() == 1  # the records a job wrote stay


def test_another_user_gets_not_found_for_every_call_on_a_job(api, client, run, other_rep):
    info = ingest(client, run, "LastName\nA\n")
    other = api(other_rep)
    job_url = f"{URL}/{info['id']}"

    responses = [
        other.get(job_url),
        other.patch(job_url, {"state": "Aborted"}, format="json"),
        other.put(f"{job_url}/batches", b"LastName\nB\n", content_type="text/csv"),
        other.get(f"{job_url}/successfulResults/"),
        other.get(f"{job_url}/failedResults/"),
        other.get(f"{job_url}/unprocessedrecords/"),
        other.delete(job_url),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()[0]["errorCode"] == "NOT_FOUND"
    assert other.get(URL).json()["records"] == []
    assert BulkJob.objects.get().state == "JobComplete"


def test_the_job_list_shows_the_callers_jobs_and_an_admin_sees_all(api, client, admin, other_rep):
    mine = create(client).json()["id"]
    theirs = create(api(other_rep)).json()["id"]

    listed = client.get(URL).json()
    admin_listed = api(admin).get(URL).json()

    assert listed["done"] is True and listed["nextRecordsUrl"] is None
    assert [job["id"] for job in listed["records"]] == [mine]
    assert {job["id"] for job in admin_listed["records"]} == {mine, theirs}
    assert api(admin).get(f"{URL}/{theirs}").status_code == 200


def test_malformed_job_ids_are_not_found(client):
    for job_id in ("750000000000000", "00Q00000000000gEAA", "7500000000000zzZZZ", "x"):
        response = client.get(f"{URL}/{job_id}")
        assert response.status_code == 404
        assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_without_a_token_the_jobs_answer_invalid_session_id(api):
    response = api().get(URL)

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"
