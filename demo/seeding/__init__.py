"""Seed a realistic, deterministic demo data set, fast enough for a million leads.

Decisions worth knowing:

- Every value comes from one ``random.Random(seed)`` combined with small pools of
  Faker values generated once per locale; Faker is never called per row.
- Emails and websites use the reserved ``.example`` top-level domain, so a demo
  installation can never nurture a real mailbox.
- Rows are written with raw SQL and explicit ids (``max(id) + 1`` onwards):
  ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` elsewhere. The ORM's
  ``bulk_create`` would overwrite the historical ``created_at``/``updated_at``
  (``auto_now``) and is several times slower.
- Timestamps are whole seconds in UTC, all before the moment the run started.
"""

from demo.seeding.run import DEFAULT_LEADS, DEFAULT_SEED, SeedResult, seed_demo
from demo.seeding.users import DEMO_PASSWORD

__all__ = ["DEFAULT_LEADS", "DEFAULT_SEED", "DEMO_PASSWORD", "SeedResult", "seed_demo"]
