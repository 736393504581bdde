"""Attachments on records: upload on the record pages and through the API, safe names and types, limits, downloads
that never render inline, deletes, and two users (the one who can't see the record gets 404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.attachments import add_attachment, clean_file_name
from activities.models import Attachment, Event
from conversion.services import convert_lead
from tests.factories import ContactFactory, LeadFactory, OpportunityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lead(rep):
    return LeadFactory(owner=rep)


def _upload(name="report.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_rep_attaches_a_file_on_the_lead_page_and_sees_it_listed_and_on_the_timeline(client, rep, lead, _media):
    client.force_login(rep)

    response = client.post(reverse("attachments:upload", args=["lead", lead.pk]), {"file": _upload()}, follow=True)

    attachment = Attachment.objects.get()
    assert (attachment.lead, attachment.original_name, attachment.size) == (lead, "report.pdf", len(PDF))
    assert attachment.content_type == "application/pdf" and attachment.uploaded_by == rep
    content = response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/leads/{lead.pk}/#attachments")
    assert reverse("attachments:download", args=[attachment.pk]) in content
    assert "Attached report.pdf" in content  # the timeline
    assert Event.objects.get(lead=lead, kind="attached").summary == "Attached report.pdf"
    [stored] = _files(_media)
    assert stored.read_bytes() == PDF and "report" not in stored.name


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        (".htaccess", "htaccess"),
        ("re\x00po\x1brt\u202e.pdf", "report.pdf"),
        ("...", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert clean_file_name(raw) == clean


def test_a_path_traversal_name_is_stored_under_a_random_name_inside_the_media_folder(rep, lead, _media):
    attachment = add_attachment(by=rep, upload=_upload(name="../../../../tmp/evil.sh"), lead=lead)

    assert attachment.original_name == "evil.sh"
    assert attachment.file.name.startswith("attachments/") and ".." not in attachment.file.name
    [stored] = _files(_media)
    assert _media in stored.parents


def test_the_type_comes_from_the_bytes_not_the_name_or_the_browser(rep, lead):
    png = add_attachment(by=rep, upload=_upload("photo.pdf", PNG, "application/pdf"), lead=lead)
    unknown = add_attachment(by=rep, upload=_upload("notes.txt", b"just words", "text/html"), lead=lead)

    assert png.content_type == "image/png"
    assert unknown.content_type == "application/octet-stream"


@pytest.mark.parametrize(
    "name, content",
    [
        ("page.html", b"<html><body><script>alert(1)</script></body></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_html_and_svg_are_downloaded_never_shown_inline(client, rep, lead, name, content):
    attachment = add_attachment(by=rep, upload=_upload(name, content, "text/html"), lead=lead)
    client.force_login(rep)

    response = client.get(reverse("attachments:download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == content


def test_an_oversize_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, api, rep, lead, settings, _media
):
    settings.FUNNEL_ATTACHMENT_MAX_BYTES = 100
    client.force_login(rep)
    big = b"x" * 101

    page = client.post(
        reverse("attachments:upload", args=["lead", lead.pk]), {"file": _upload("big.bin", big)}, follow=True
    )
    drop = client.post(
        reverse("attachments:upload", args=["lead", lead.pk]),
        {"file": _upload("big.bin", big)},
        HTTP_ACCEPT="application/json",
    )
    through_api = api(rep).post(
        "/api/v1/attachments/", {"file": _upload("big.bin", big), "lead": lead.pk}, format="multipart"
    )

    assert "The file is larger than the limit of 100" in page.content.decode()
    assert drop.status_code == 413 and drop.json()["code"] == "attachment_too_large"
    assert through_api.status_code == 413 and "file" in through_api.json()
    assert not Attachment.objects.exists() and not _files(_media)


def test_an_empty_file_and_a_missing_file_are_refused_naming_the_file(client, api, rep, lead, _media):
    client.force_login(rep)

    empty = client.post(
        reverse("attachments:upload", args=["lead", lead.pk]),
        {"file": _upload("e.txt", b"")},
        HTTP_ACCEPT="application/json",
    )
    missing = api(rep).post("/api/v1/attachments/", {"lead": lead.pk}, format="multipart")

    assert empty.status_code == 400 and empty.json()["code"] == "attachment_empty"
    assert missing.status_code == 400 and missing.json()["code"] == "attachment_missing" and "file" in missing.json()
    assert not Attachment.objects.exists() and not _files(_media)


def test_another_rep_cannot_upload_download_or_delete_and_gets_404(client, rep, other_rep, lead):
    attachment = add_attachment(by=rep, upload=_upload(), lead=lead)
    client.force_login(other_rep)

    assert client.post(reverse("attachments:upload", args=["lead", lead.pk]), {"file": _upload()}).status_code == 404
    assert client.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("attachments:delete", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.count() == 1


def test_the_owner_removes_an_attachment_and_its_file(client, rep, lead, _media, django_capture_on_commit_callbacks):
    attachment = add_attachment(by=rep, upload=_upload(), lead=lead)
    client.force_login(rep)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attachments:delete", args=[attachment.pk]))

    assert response.status_code == 302
    assert not Attachment.objects.exists() and not _files(_media)
    assert Event.objects.filter(lead=lead, kind="attachment_removed").exists()


def test_a_converted_lead_takes_no_new_attachments(client, rep, lead):
    convert_lead(lead, by=rep)
    client.force_login(rep)

    response = client.post(
        reverse("attachments:upload", args=["lead", lead.pk]), {"file": _upload()}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 409 and not Attachment.objects.exists()


def test_every_record_page_has_the_attachment_card(client, rep):
    contact = ContactFactory(owner=rep)
    deal = OpportunityFactory(owner=rep)
    client.force_login(rep)

    for name, record in (("contact", contact), ("account", contact.account), ("opportunity", deal)):
        page = client.get(reverse(f"{record._meta.app_label}:detail", args=[record.pk])).content.decode()
        assert reverse("attachments:upload", args=[name, record.pk]) in page


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_uploads_lists_by_record_downloads_and_deletes(api, rep, lead):
    client = api(rep)
    other_lead = LeadFactory(owner=rep)
    add_attachment(by=rep, upload=_upload("other.pdf"), lead=other_lead)

    created = client.post(
        "/api/v1/attachments/", {"file": _upload("q3 report.pdf"), "lead": lead.pk}, format="multipart"
    )
    listed = client.get(f"/api/v1/attachments/?lead={lead.pk}")
    download = client.get(created.json()["download_url"])
    deleted = client.delete(f"/api/v1/attachments/{created.json()['id']}/")

    assert created.status_code == 201
    assert created.json()["original_name"] == "q3 report.pdf" and created.json()["content_type"] == "application/pdf"
    assert [a["original_name"] for a in listed.json()["results"]] == ["q3 report.pdf"]
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF
    assert deleted.status_code == 204
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["other.pdf"]


def test_the_api_hides_another_reps_attachments_and_records(api, rep, other_rep, lead):
    attachment = add_attachment(by=rep, upload=_upload(), lead=lead)
    client = api(other_rep)

    assert client.get("/api/v1/attachments/").json()["results"] == []
    assert client.get(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/download/").status_code == 404
    assert client.delete(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    refused = client.post("/api/v1/attachments/", {"file": _upload(), "lead": lead.pk}, format="multipart")
    assert refused.status_code == 400 and "lead" in refused.json()
    assert Attachment.objects.count() == 1


def test_the_api_needs_exactly_one_record(api, rep, lead):
    contact = ContactFactory(owner=rep)

    both = api(rep).post(
        "/api/v1/attachments/", {"file": _upload(), "lead": lead.pk, "contact": contact.pk}, format="multipart"
    )

    assert both.status_code == 400 and "non_field_errors" in both.json()


def test_the_attachment_list_costs_a_fixed_number_of_queries(api, rep, lead, django_assert_max_num_queries):
    for n in range(12):
        add_attachment(by=rep, upload=_upload(f"file{n}.pdf"), lead=lead)

    with django_assert_max_num_queries(2):
        response = api(rep).get(f"/api/v1/attachments/?lead={lead.pk}")

    assert len(response.json()["results"]) == 12
