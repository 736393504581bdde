"""The dashboard's grade x score matrix: counts and conversion equal a recount, scoped as the dashboard is."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.filters import FunnelFilters
from dashboards.selectors import get_grade_matrix
from dashboards.selectors.grades import SCORE_BANDS
from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def filters(**extra) -> FunnelFilters:
    today = timezone.localdate()
    return FunnelFilters(created_after=today - timedelta(days=30), created_before=today, **extra)


def make_leads(owner, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    for _ in range(count):
        converted = rng.random() < 0.3
        LeadFactory(
            owner=owner,
            grade=rng.choice(["A", "B", "C", "D", ""]),
            score=rng.randint(0, 100),
            **(
                {"status": "converted", "converted_at": now, "converted_account": AccountFactory(owner=owner)}
                if converted
                else {}
            ),
        )


def recount(leads, grade: str, band: int) -> tuple[int, int]:
    low, high = SCORE_BANDS[band]
    cell = [lead for lead in leads if lead.grade == grade and low <= lead.score <= high]
    return len(cell), sum(1 for lead in cell if lead.converted_at is not None)


def test_matrix_counts_and_conversion_equal_a_recount(rep, other_rep):
    make_leads(rep, 60)
    make_leads(other_rep, 10, seed=8)
    mine = list(Lead.objects.filter(owner=rep))

    with CaptureQueriesContext(connection) as queries:
        matrix = get_grade_matrix(rep, filters())

    assert len(queries) == 1
    assert matrix["bands"] == ["0-24", "25-49", "50-74", "75-100"]
    assert [row["grade"] for row in matrix["rows"]] == ["A", "B", "C", "D"]
    for row in matrix["rows"]:
        for band, cell in enumerate(row["cells"]):
            total, converted = recount(mine, row["grade"], band)
            assert (cell["leads"], cell["converted"]) == (total, converted)
            assert cell["conversion_pct"] == (round(100 * converted / total, 1) if total else None)
    assert matrix["ungraded"] == sum(1 for lead in mine if lead.grade == "")
    total_in_matrix = sum(cell["leads"] for row in matrix["rows"] for cell in row["cells"]) + matrix["ungraded"]
    assert total_in_matrix == len(mine)  # the other rep's leads are not counted


def test_the_matrix_follows_the_dashboards_filters(rep):
    LeadFactory(owner=rep, grade="A", score=80, source="web")
    LeadFactory(owner=rep, grade="A", score=80, source="webinar")
    old = LeadFactory(owner=rep, grade="A", score=80, source="web")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=90))

    matrix = get_grade_matrix(rep, filters(source="web"))

    assert matrix["rows"][0]["cells"][3]["leads"] == 1


def test_the_dashboard_page_shows_the_matrix(client, manager, rep):
    LeadFactory(owner=rep, grade="B", score=55)
    client.force_login(manager)

    page = client.get(reverse("dashboards:dashboard")).content.decode()

    assert 'id="grade-matrix"' in page
    assert 'data-cell="B2">1<small>0.0% converted</small>' in page


def test_the_bands_cover_every_score():
    covered = [score for low, high in SCORE_BANDS for score in range(low, high + 1)]
    assert covered == list(range(101))
