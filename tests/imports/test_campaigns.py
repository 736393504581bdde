"""The import's campaign column: `CampaignId` (Salesforce) or `Campaign`, by id or exact name."""

import csv
import io

import pytest
from django.core.files.base import ContentFile

from campaigns.models import CampaignMember
from imports.models import ImportRowError
from imports.reading import detect_mapping
from imports.services import create_import, run_import
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_csv(rows):
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return ContentFile(text.getvalue().encode(), name="leads.csv")


def test_campaign_headers_map_to_the_campaign_column():
    assert detect_mapping(["Last Name", "CampaignId"])["CampaignId"] == "campaign"
    assert detect_mapping(["Last Name", "Campaign"])["Campaign"] == "campaign"


def test_imported_rows_join_the_campaign_they_name(manager):
    # given: a lead already in the campaign, and two new rows naming it by id and by name
    show = CampaignFactory(name="Berlin Expo")
    known = LeadFactory(email="known@x.test")
    CampaignMember.objects.create(campaign=show, lead=known, status="attended", created_at=known.created_at)
    file = make_csv(
        [
            ["Last Name", "Email", "CampaignId"],
            ["Doe", "doe@x.test", str(show.pk)],
            ["Roe", "roe@x.test", "berlin expo"],
            ["Known", "known@x.test", str(show.pk)],
            ["Nobody", "nobody@x.test", ""],
        ]
    )
    # when
    job = create_import(by=manager, file=file, enqueue=False)
    run_import(job.pk)
    # then
    members = CampaignMember.objects.filter(campaign=show)
    assert sorted(m.lead.email for m in members) == ["doe@x.test", "known@x.test", "roe@x.test"]
    assert members.get(lead=known).status == "attended"
    assert not CampaignMember.objects.filter(lead__email="nobody@x.test").exists()


def test_an_unknown_campaign_or_a_row_without_email_is_a_row_error_naming_the_column(manager):
    CampaignFactory(name="Known")
    file = make_csv([["Last Name", "Email", "Campaign"], ["Doe", "doe@x.test", "Nope"], ["Roe", "", "Known"]])
    job = create_import(by=manager, file=file, enqueue=False)
    run_import(job.pk)
    job.refresh_from_db()
    assert job.failed == 2
    assert set(ImportRowError.objects.values_list("column", flat=True)) == {"Campaign"}
    assert not CampaignMember.objects.exists()
