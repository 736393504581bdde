"""The weekly digest as a mail client shows it: Chromium renders its HTML, with the funnel's numbers in bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboards.digest import build_digest_email, digest_filters
from dashboards.selectors import get_funnel
from leads.models import Lead
from tests.factories import LeadFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]

MONDAY = datetime(2026, 12, 7).date()


def test_chromium_renders_the_digest_with_the_funnels_numbers(page):
    manager = UserFactory(username="digester", role="manager", time_zone="Europe/Berlin")
    rep = UserFactory(username="digest-rep", role="rep", name="Dora Digest")
    TeamFactory(name="North", manager=manager).members.add(rep)
    leads = [LeadFactory(owner=rep) for _ in range(4)]
    mql = datetime(2026, 12, 3, 12, tzinfo=UTC)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=mql - timedelta(hours=1))
    Lead.objects.filter(pk__in=[lead.pk for lead in leads[:3]]).update(mql_at=mql, score=60)
    stages = get_funnel(manager, digest_filters(MONDAY))["stages"]
    assert [stage["count"] for stage in stages[:2]] == [4, 3]

    html = build_digest_email(manager, MONDAY).alternatives[0][0]
    page.set_content(html)  # no network: nothing in the email is fetched from elsewhere

    funnel = page.locator("[data-section=funnel]")
    assert funnel.locator("h2").inner_text() == "Funnel: leads created last week"
    values = funnel.locator("table.bars .bar-value").all_inner_texts()
    assert [text.split(" · ")[0] for text in values] == [f"{stage['count']:,}" for stage in stages]
    widths = [
        box["width"]
        for box in (
            cell.bounding_box() for cell in funnel.locator("table.bars td[width$='%'][style*='background']").all()
        )
    ]
    assert widths[0] > widths[1] > 0  # the bars draw: 4 leads wider than 3 MQLs
    assert "Dora Digest" in page.locator("[data-section=activity]").inner_text()
    assert page.locator("img, script").count() == 0
