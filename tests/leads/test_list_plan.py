"""The rep's lead list on PostgreSQL: the page the rep opens on walks one index range, with no sort."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import LeadFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _page_query(client) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/leads/").status_code == 200
    [sql] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "leads_lead"."id"')]
    return sql


def test_a_reps_open_leads_page_reads_the_owner_open_index_in_order(client, rep, other_rep):
    LeadFactory.create_batch(30, owner=rep)
    LeadFactory.create_batch(5, owner=rep, status="unqualified")
    LeadFactory.create_batch(30, owner=other_rep)
    client.force_login(rep)

    sql = _page_query(client)
    with connection.cursor() as cursor:
        # The planner judges this test's rows, not what earlier tests left in the statistics (rolled back with the
        # test). A test table is so small that scanning and sorting it is cheapest: ask whether an index CAN serve
        # the page in its order (at 2M leads PostgreSQL picks it unprompted, bench/README.md).
        cursor.execute("ANALYZE leads_lead")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # The rep's visibility already says "their own": the owner is compared once, so PostgreSQL estimates it once.
    assert sql.count(f'"leads_lead"."owner_id" = {rep.pk}') == 1
    assert "lead_owner_open_created" in plan
    assert "Sort" not in plan
