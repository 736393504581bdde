"""Attachments in Chromium: a rep uploads a file on a lead page (file input and drop), then downloads it."""

import pytest

from activities.models import Attachment
from tests.factories import LeadFactory, UserFactory
from tests.system.screens import sign_in

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.chromium
@pytest.mark.django_db(transaction=True)
def test_a_rep_uploads_a_file_on_a_lead_page_and_downloads_it(live_server, settings, page, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rep = UserFactory(username="attach-rep")
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    source = tmp_path / "report.pdf"
    source.write_bytes(PDF)
    sign_in(page, live_server, rep.username)

    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.set_input_files("#attachment-file", str(source))
    page.get_by_role("button", name="Upload").click()
    link = page.get_by_role("link", name="report.pdf")
    link.wait_for()
    assert "Attached report.pdf" in page.inner_text("#timeline")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "report.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF

    # Dropping a file on the card uploads it too.
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File(["plain notes"], "notes.txt", {type: "text/plain"}));
            const card = document.querySelector("[data-attachments]");
            card.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    page.get_by_role("link", name="notes.txt").wait_for()
    assert sorted(Attachment.objects.filter(lead=lead).values_list("original_name", flat=True)) == [
        "notes.txt",
        "report.pdf",
    ]
