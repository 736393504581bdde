"""Keyset pages: every row exactly once, in order, forwards and backwards, with ties and NULLs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.keyset import keyset_page
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rep):
    now = timezone.now()
    created = []
    for i in range(23):
        lead = LeadFactory(owner=rep, score=i % 4)  # many ties on score
        # A third never had activity (NULL); the rest share a handful of timestamps (ties again).
        last = None if i % 3 == 0 else now - timedelta(hours=i % 5)
        Lead.objects.filter(pk=lead.pk).update(last_activity_at=last)
        created.append(lead.pk)
    return created


def _expected(sort):
    rows = list(Lead.objects.values("pk", sort.lstrip("-")))
    name = sort.lstrip("-")
    present = sorted((r for r in rows if r[name] is not None), key=lambda r: (r[name], r["pk"]), reverse=True)
    missing = sorted((r for r in rows if r[name] is None), key=lambda r: r["pk"], reverse=True)
    return [r["pk"] for r in present + missing]


@pytest.mark.parametrize("sort", ["-score", "-last_activity_at", "-created_at"])
def test_walking_forward_then_back_visits_every_row_once_in_order(leads, sort):
    queryset = Lead.objects.all()
    forward, pages, page = [], [], keyset_page(queryset, sort=sort, size=5)
    while True:
        pages.append([lead.pk for lead in page.items])
        forward += pages[-1]
        if not page.next_cursor:
            break
        page = keyset_page(queryset, sort=sort, after=page.next_cursor, size=5)
    assert forward == _expected(sort)
    backward = [pages[-1]]
    while page.previous_cursor:
        page = keyset_page(queryset, sort=sort, before=page.previous_cursor, size=5)
        backward.insert(0, [lead.pk for lead in page.items])
    assert backward == pages


def test_a_forged_cursor_falls_back_to_the_first_page(leads):
    first = keyset_page(Lead.objects.all(), sort="-score", size=5)
    for junk in ["", "x", "~", "abc~12", "5~x", "2020-13-45T00:00~3"]:
        page = keyset_page(Lead.objects.all(), sort="-score", after=junk, size=5)
        assert [lead.pk for lead in page.items] == [lead.pk for lead in first.items], junk
    page = keyset_page(Lead.objects.all(), sort="-last_activity_at", after="not-a-date~3", size=5)
    assert len(page.items) == 5
