"""Time 1,000 sequential lead conversions and count the queries of one.

Run against PostgreSQL: `DATABASE_URL=postgres://… .venv/bin/python bench/conversion.py [N]`. It migrates the
database, creates N qualified leads (half of them matching an existing account by domain), converts them one
by one as a rep and prints the total time, the mean per conversion and the queries of a single conversion.
The rows it creates are tagged with a run id and deleted at the end.
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
from crm.celery import app  # noqa: E402
from crm.users.models import User  # noqa: E402
from leads.models import Lead  # noqa: E402
from leads.services.conversion import convert_lead  # noqa: E402
from opportunities.models import Opportunity  # noqa: E402


def main(count: int) -> None:
    # The request pays for enqueueing the owner's notice, not for sending it: a worker does that.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    rep = User.objects.create(username=f"bench-{run}", email=f"bench-{run}@example.test", role=User.Role.REP)
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
        convert_lead(leads[0], by=rep)
    started = time.perf_counter()
    for lead in leads[1:]:
        convert_lead(lead, by=rep)
    elapsed = time.perf_counter() - started
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"queries per conversion: {len(queries)}")
    print(f"{count} sequential conversions: {elapsed:.2f} s ({elapsed / count * 1000:.1f} ms each)")
    cleanup(rep)


def cleanup(rep: User) -> None:
    lead_ids = list(Lead.objects.filter(owner=rep).values_list("pk", flat=True))
    Event.objects.filter(lead_id__in=lead_ids).delete()
    Lead.objects.filter(pk__in=lead_ids).delete()
    Opportunity.objects.filter(owner=rep).delete()
    Contact.objects.filter(owner=rep).delete()
    Account.objects.filter(owner=rep).delete()
    rep.delete()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
