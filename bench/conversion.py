"""Time sequential lead conversions and count the queries of one.

In the suite (`bench/run.py`): `run(ctx)` converts 1,000 x scale qualified leads (at least 20). Standalone
against PostgreSQL: `DATABASE_URL=postgres://… .venv/bin/python bench/conversion.py [N]` migrates the database
first. Half of the leads match an existing account by domain; they are converted one by one as a rep; the rows
created are tagged with a run id and deleted at the end.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account  # noqa: E402
from accounts.services import create_account  # noqa: E402
from activities.models import Event  # noqa: E402
from contacts.models import Contact  # noqa: E402
from conversion.services import convert_lead  # noqa: E402
from crm.celery import app  # noqa: E402
from leads.models import Lead  # noqa: E402
from opportunities.models import Opportunity  # noqa: E402
from users.models import User  # noqa: E402


def measure(count: int) -> dict:
    """Convert `count` + 1 fresh qualified leads; return the queries of the first and the time of the rest."""
    # The request pays for enqueueing the owner's notice, not for sending it: a worker does that.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    run = uuid.uuid4().hex[:8]
    rep = User.objects.create(username=f"bench-{run}", email=f"bench-{run}@example.test", role=User.Role.REP)
    try:
        for n in range(count // 20):
            create_account(by=rep, name=f"Bench {run} Company {n}", website=f"co{n}-{run}.example")
        leads = Lead.objects.bulk_create(
            Lead(
                first_name="Lead",
                last_name=f"{n}",
                email=f"lead{n}@co{n % (count // 20 or 1)}-{run}.example" if n % 2 else f"lead{n}@new{n}-{run}.example",
                company=f"Bench {run} New {n}",
                website="",
                phone="+1 555 0100",
                city="Lyon",
                country="FR",
                status=Lead.Status.QUALIFIED,
                owner=rep,
            )
            for n in range(count + 1)
        )
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            convert_lead(leads[0], by=rep)
            first = time.perf_counter() - started
        started = time.perf_counter()
        for lead in leads[1:]:
            convert_lead(lead, by=rep)
        elapsed = time.perf_counter() - started
    finally:
        cleanup(rep)
    return {"count": count, "queries": len(queries), "first_seconds": first, "seconds": elapsed}


def run(ctx) -> dict:
    """The suite's figure: one conversion (queries, ms) and N sequential conversions (s, ms each)."""
    from bench.run import row

    result = measure(ctx.scaled(1000, minimum=20))
    count = result["count"]
    return {
        "rows": [
            row("queries of one conversion", result["queries"], "queries"),
            row("one conversion", round(result["first_seconds"] * 1000, 1), "ms"),
            row(f"{count:,} sequential conversions", round(result["seconds"], 2), "s"),
            row("mean per conversion", round(result["seconds"] / count * 1000, 2), "ms"),
        ],
        "details": {"conversions": count, "half_match_an_existing_account": True},
    }


def cleanup(rep: User) -> None:
    lead_ids = list(Lead.objects.filter(owner=rep).values_list("pk", flat=True))
    Event.objects.filter(lead_id__in=lead_ids).delete()
    Lead.objects.filter(pk__in=lead_ids).delete()
    Opportunity.objects.filter(owner=rep).delete()
    Contact.objects.filter(owner=rep).delete()
    Account.objects.filter(owner=rep).delete()
    rep.delete()


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    result = measure(count)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"queries per conversion: {result['queries']}")
    print(f"{count} sequential conversions: {result['seconds']:.2f} s ({result['seconds'] / count * 1000:.1f} ms each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
