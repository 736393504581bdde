"""Search on PostgreSQL: ranking, accents through the unaccent extension, and the trigram index in the plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import Lead
from search.selectors import search_records, search_target
from search.targets import ACCOUNTS, LEADS
from tests.factories import AccountFactory, LeadFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_an_exact_match_ranks_before_a_prefix_before_a_substring(rep):
    substring = LeadFactory(owner=rep, first_name="Ann", last_name="Vandermeer", company="Co1")
    prefix = LeadFactory(owner=rep, first_name="Bea", last_name="Meerkat", company="Co2")
    exact = LeadFactory(owner=rep, first_name="Cy", last_name="Meer", company="Co3")
    # The substring match is the most recent: rank wins over recency.
    Lead.objects.filter(pk=substring.pk).update(last_activity_at=timezone.now())

    results = search_records(rep, "meer")

    assert [r.id for r in results] == [exact.pk, prefix.pk, substring.pk]


def test_within_a_rank_the_most_recent_activity_comes_first(rep):
    now = timezone.now()
    old = LeadFactory(owner=rep, last_name="Xanthippe Old")
    recent = LeadFactory(owner=rep, last_name="Xanthippe New")
    idle = LeadFactory(owner=rep, last_name="Xanthippe Idle")
    Lead.objects.filter(pk=old.pk).update(
        last_activity_at=now - timedelta(days=30), updated_at=now - timedelta(days=30)
    )
    Lead.objects.filter(pk=recent.pk).update(
        last_activity_at=now - timedelta(days=1), updated_at=now - timedelta(days=30)
    )
    Lead.objects.filter(pk=idle.pk).update(last_activity_at=None, updated_at=now - timedelta(days=10))

    assert [r.id for r in search_records(rep, "xanth")] == [recent.pk, idle.pk, old.pk]


def test_types_mix_in_one_ranking(rep):
    LeadFactory(owner=rep, last_name="Quillon Partners")
    account = AccountFactory(owner=rep, name="Quillon")

    results = search_records(rep, "quillon")

    assert (results[0].type, results[0].id) == ("account", account.pk)  # exact before prefix


def test_accents_fold_with_the_unaccent_rules(rep):
    LeadFactory(owner=rep, first_name="Łukasz", last_name="Żółć", company="Straße AG")

    assert len(search_records(rep, "lukasz zolc")) == 1
    assert len(search_records(rep, "strasse")) == 1
    assert len(search_records(rep, "ŻÓŁĆ")) == 1


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask whether the index CAN serve
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


def test_the_lead_search_walks_the_trigram_index(admin):
    LeadFactory.create_batch(3, owner=None)

    plan = _plan(search_target(LEADS, admin, "lovelace", limit=20))

    assert "Bitmap Index Scan on lead_search_trgm" in plan
    assert "~~ '%lovelace%'" in plan  # the folded query, as a constant the index can use


def test_a_two_letter_search_walks_the_trigram_index_too(admin):
    plan = _plan(search_target(ACCOUNTS, admin, "Gl", limit=20))

    assert "Bitmap Index Scan on account_search_trgm" in plan


def test_every_searched_table_has_its_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_search_trgm'")
        indexes = dict(cursor.fetchall())

    assert set(indexes) == {"lead_search_trgm", "contact_search_trgm", "account_search_trgm", "opportunity_search_trgm"}
    assert all(
        "gin_trgm_ops" in definition and "funnel_unaccent(lower(" in definition for definition in indexes.values()
    )
