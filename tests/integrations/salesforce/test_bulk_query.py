"""Bulk API 2.0 query jobs over HTTP: the SOQL run as the job's creator, results paged by Sforce-Locator."""

from __future__ import annotations

import csv
import io

import pytest

from integrations.salesforce.bulk import querying
from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.ids import to_sf_id
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.usefixtures("media")

URL = "/services/data/v62.0/jobs/query"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client(api, rep):
    return api(rep)


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """`submit(soql, **payload)`: create a query job, let the worker run it, return the job info."""

    def call(query, **payload):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"operation": "query", "query": query, **payload}, format="json")
        assert response.status_code == 200, response.json()
        return client.get(f"{URL}/{response.json()['id']}").json()

    return call


def page(client, job_id, **params):
    response = client.get(f"{URL}/{job_id}/results", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return response


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_query_job_returns_the_creators_visible_records_as_csv(client, submit, rep, other_rep):
    mine = [LeadFactory(owner=rep, last_name=name) for name in ("Ada", "Alan")]
    LeadFactory(owner=other_rep, last_name="Hidden")

    info = submit("SELECT Id, LastName FROM Lead ORDER BY LastName")

    assert info["state"] == "JobComplete" and info["jobType"] == "V2Query"
    assert info["object"] == "Lead" and info["numberRecordsProcessed"] == 2
    response = page(client, info["id"])
    assert response["Sforce-Locator"] == "null"
    assert response["Sforce-NumberOfRecords"] == "2"
    assert rows_of(response) == [["Id", "LastName"], *[[to_sf_id("Lead", lead.pk), lead.last_name] for lead in mine]]


def test_results_page_by_max_records_and_locator_until_the_locator_is_null(client, submit, rep, monkeypatch):
    monkeypatch.setattr(querying, "CHECKPOINT", 2)
    for number in range(7):
        LeadFactory(owner=rep, last_name=f"Lead {number}")
    info = submit("SELECT LastName FROM Lead ORDER BY LastName")

    names, locator, counts = [], None, []
    while locator != "null":
        params = {"maxRecords": 3} if locator is None else {"maxRecords": 3, "locator": locator}
        response = page(client, info["id"], **params)
        locator = response["Sforce-Locator"]
        counts.append(response["Sforce-NumberOfRecords"])
        header, *rows = rows_of(response)
        assert header == ["LastName"]
        names += [row[0] for row in rows]

    assert names == [f"Lead {number}" for number in range(7)]
    assert counts == ["3", "3", "1"]


def test_parent_fields_the_creator_cannot_see_are_empty(client, submit, rep, other_rep):
    visible = AccountFactory(owner=rep, name="Mine")
    hidden = AccountFactory(owner=other_rep, name="Theirs")
    ContactFactory(owner=rep, last_name="A", account=visible)
    ContactFactory(owner=rep, last_name="B", account=hidden)

    info = submit("SELECT LastName, Account.Name FROM Contact ORDER BY LastName")

    assert rows_of(page(client, info["id"])) == [["LastName", "Account.Name"], ["A", "Mine"], ["B", ""]]


def test_query_results_are_formula_safe_and_use_the_jobs_format(client, submit, rep):
    LeadFactory(owner=rep, last_name="=cmd|' /C calc'!A0", company="Semi;colon")

    info = submit("SELECT LastName, Company FROM Lead", columnDelimiter="SEMICOLON", lineEnding="CRLF")

    body = page(client, info["id"]).content.decode()
    assert body == "LastName;Company\r\n'=cmd|' /C calc'!A0;\"Semi;colon\"\r\n"


def test_limit_and_offset_are_honoured(client, submit, rep):
    for number in range(5):
        LeadFactory(owner=rep, last_name=f"Lead {number}")

    info = submit("SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1")

    assert rows_of(page(client, info["id"]))[1:] == [["Lead 1"], ["Lead 2"]]


def test_a_query_job_is_created_as_json_even_when_the_client_accepts_csv(client):
    response = client.post(
        URL, {"operation": "query", "query": "SELECT Id FROM Lead"}, format="json", HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["state"] == "UploadComplete"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"query": "SELEKT Id FROM Lead"}, "MALFORMED_QUERY"),
        ({"query": "SELECT Shoe_Size__c FROM Lead"}, "INVALID_FIELD"),
        ({"query": "SELECT Id FROM Widget"}, "INVALID_TYPE"),
        ({"query": "SELECT COUNT() FROM Lead"}, "INVALIDJOB"),
        ({"query": ""}, "INVALIDJOB"),
        ({"query": "SELECT Id FROM Lead", "operation": "insert"}, "INVALIDJOB"),
        ({"query": "SELECT Id FROM Lead", "columnDelimiter": "SPACE"}, "INVALIDJOB"),
    ],
)
def test_a_bad_query_job_is_refused_at_once(client, payload, code):
    response = client.post(URL, {"operation": "query", **payload}, format="json")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code
    assert not BulkJob.objects.exists()


def test_results_wait_for_the_job_and_refuse_bad_paging(client, submit, rep):
    LeadFactory(owner=rep)
    pending = client.post(URL, {"operation": "query", "query": "SELECT Id FROM Lead"}, format="json").json()
    done = submit("SELECT Id FROM Lead")

    early = client.get(f"{URL}/{pending['id']}/results")
    bad_locator = client.get(f"{URL}/{done['id']}/results", {"locator": "abc"})
    too_far = client.get(f"{URL}/{done['id']}/results", {"locator": "5"})
    bad_size = client.get(f"{URL}/{done['id']}/results", {"maxRecords": "0"})

    assert (early.status_code, early.json()[0]["errorCode"]) == (409, "INVALIDJOBSTATE")
    assert bad_locator.status_code == 400 and too_far.status_code == 400
    assert (bad_size.status_code, bad_size.json()[0]["errorCode"]) == (400, "INVALID_MAXRECORDS")


def test_an_aborted_query_job_never_runs(client, django_capture_on_commit_callbacks, rep):
    LeadFactory(owner=rep)
    with django_capture_on_commit_callbacks() as kicks:
        job_id = client.post(URL, {"operation": "query", "query": "SELECT Id FROM Lead"}, format="json").json()["id"]
    aborted = client.patch(f"{URL}/{job_id}", {"state": "Aborted"}, format="json")
    for kick in kicks:
        kick()

    assert aborted.json()["state"] == "Aborted"
    assert client.get(f"{URL}/{job_id}").json()["state"] == "Aborted"
    assert client.get(f"{URL}/{job_id}/results").status_code == 409
    assert client.patch(f"{URL}/{job_id}", {"state": "UploadComplete"}, format="json").status_code == 400


def test_another_user_gets_not_found_for_every_call_on_a_query_job(api, client, submit, rep, other_rep):
    info = submit("SELECT Id FROM Lead")
    other = api(other_rep)
    job_url = f"{URL}/{info['id']}"

    responses = [
        other.get(job_url),
        other.get(f"{job_url}/results"),
        other.patch(job_url, {"state": "Aborted"}, format="json"),
        other.delete(job_url),
        # an ingest path with a query job's id is no job either
        client.get(f"/services/data/v62.0/jobs/ingest/{info['id']}"),
    ]

    for response in responses:
        assert response.status_code == 404
        assert response.json()[0]["errorCode"] == "NOT_FOUND"
    assert other.get(URL).json()["records"] == []
    assert [job["id"] for job in client.get(URL).json()["records"]] == [info["id"]]


def test_a_finished_query_job_is_deleted_with_its_file(client, submit, media, django_capture_on_commit_callbacks):
    info = submit("SELECT Id FROM Lead")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{URL}/{info['id']}")

    assert response.status_code == 204
    assert client.get(f"{URL}/{info['id']}").status_code == 404
    assert not any(path.is_file() for path in media.rglob("*"))
