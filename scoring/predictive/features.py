"""What the predictive conversion model looks at, streamed from the database in chunks of leads.

Features (`FEATURES`, in this order):

- **fit** (categorical): `source`; `industry` and `country` (the frequent values, the rest grouped as "other");
  `employees_band` (1-10, 11-50, 51-200, 201-1,000, 1,001-5,000, 5,000+, unknown); `seniority` from the title
  (senior = VP, director, head of, C-level, founder, owner, president; manager; staff; unknown when blank);
  `email_domain` (free, corporate, none — free by `FUNNEL_FREE_MAIL_DOMAINS`);
- **speed** (categorical): `first_touch`, the time from the lead's creation to its first call, email or meeting
  logged by a person (within 1 hour, a day, a week, later, never);
- **engagement** (numeric): counts of `opens`, `clicks` (nurture emails), `form_visits` (web forms posted again),
  `replies`, `calls`, `meetings`, and `days_since_activity` (days since the last of those or of a touch, or since
  creation when there was none; capped at a year).

Everything is measured **as of the lead's cutoff**: for a closed lead the moment it closed (converted: its
`converted_at`; unqualified: its last change to unqualified, or its `updated_at` when the history has none), for
an open lead now. A nurture email opened after a lead was disqualified says nothing about why it was.

Reading is chunked: leads by id (keyset, `FUNNEL_PREDICTIVE_CHUNK_SIZE` per chunk), then the engagement rows of
that id range, aggregated in Python; memory holds one chunk at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from activities.models import Activity, Event
from leads.models import Lead
from scoring.rules import CALL, FORM_SUBMITTED, MEETING, NURTURE_CLICKED, NURTURE_OPENED, REPLY
from scoring.selectors import closed_leads, open_leads

CATEGORICAL = ("source", "industry", "employees_band", "country", "seniority", "email_domain", "first_touch")
COUNTS = ("opens", "clicks", "form_visits", "replies", "calls", "meetings")
NUMERIC = (*COUNTS, "days_since_activity")
FEATURES = CATEGORICAL + NUMERIC
# Categorical features whose rare values are grouped as OTHER (the others have a handful of fixed values).
OPEN_ENDED = ("industry", "country")
OTHER, UNKNOWN = "other", "unknown"
MAX_DAYS = 365.0
DAY, HOUR = 86_400.0, 3_600.0

_EVENT_COUNTS = {NURTURE_OPENED: "opens", NURTURE_CLICKED: "clicks", FORM_SUBMITTED: "form_visits", REPLY: "replies"}
_ACTIVITY_COUNTS = {CALL: "calls", MEETING: "meetings"}
# A person reaching out: what "first touch" means.
TOUCH_KINDS = (CALL, MEETING, Activity.Kind.EMAIL.value)
_BANDS = ((10, "1-10"), (50, "11-50"), (200, "51-200"), (1_000, "201-1,000"), (5_000, "1,001-5,000"))
_SENIOR = re.compile(
    r"\b(vp|svp|evp|vice[- ]president|president|director|head|chief|c[etfomir]o|founder|co-founder|owner|partner)\b"
)
_MANAGER = re.compile(r"\b(manager|mgr|lead|supervisor)\b")
_TOUCH_BANDS = ((HOUR, "1_hour"), (DAY, "1_day"), (7 * DAY, "1_week"))
_LEAD_COLUMNS = ("id", "source", "industry", "employees", "country", "title", "email", "created_at", "score")


def employees_band(employees: int | None) -> str:
    if employees is None:
        return UNKNOWN
    for top, band in _BANDS:
        if employees <= top:
            return band
    return "5,000+"


def seniority(title: str) -> str:
    text = (title or "").strip().lower()
    if not text:
        return UNKNOWN
    if _SENIOR.search(text):
        return "senior"
    if _MANAGER.search(text):
        return "manager"
    return "staff"


def email_domain(email: str, free_domains: frozenset[str]) -> str:
    _, at, domain = (email or "").strip().lower().rpartition("@")
    if not at:
        return "none"
    return "free" if domain in free_domains else "corporate"


def first_touch_band(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for top, band in _TOUCH_BANDS:
        if seconds <= top:
            return band
    return "later"


@dataclass
class FeatureChunk:
    """One chunk of leads' features: raw values (keys for categoricals, counts and days for numerics)."""

    ids: np.ndarray
    categorical: dict[str, list[str]]
    numeric: dict[str, np.ndarray]
    score: np.ndarray
    converted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    closed_at: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __len__(self) -> int:
        return len(self.ids)


def stream_features(
    *, closed: bool, now: datetime | None = None, lead_ids: Iterable[int] | None = None, chunk_size: int | None = None
) -> Iterator[FeatureChunk]:
    """Yield the features of the closed leads of the training window (`closed`) or of the open leads, by chunk.

    With `lead_ids`, only those leads (that are closed in the window, or open) are read.
    """
    now = now or timezone.now()
    chunk_size = chunk_size or settings.FUNNEL_PREDICTIVE_CHUNK_SIZE
    base = (closed_leads(now=now) if closed else open_leads()).order_by("id")
    columns = _LEAD_COLUMNS + (("closed_at", "status") if closed else ())
    if lead_ids is not None:
        wanted = sorted(set(lead_ids))
        for start in range(0, len(wanted), min(chunk_size, 1_000)):
            part = wanted[start : start + min(chunk_size, 1_000)]
            rows = list(base.filter(id__in=part).values_list(*columns))
            if rows:
                yield _chunk(rows, closed=closed, now=now, ids=Q(lead_id__in=[row[0] for row in rows]))
        return
    last = 0
    while True:
        rows = list(base.filter(id__gt=last).values_list(*columns)[:chunk_size])
        if not rows:
            return
        last = rows[-1][0]
        yield _chunk(rows, closed=closed, now=now, ids=Q(lead_id__gte=rows[0][0], lead_id__lte=last))


def _chunk(rows: list[tuple], *, closed: bool, now: datetime, ids: Q) -> FeatureChunk:
    n = len(rows)
    index = {row[0]: i for i, row in enumerate(rows)}
    created = np.array([row[7].timestamp() for row in rows])
    cutoff = np.array([row[9].timestamp() for row in rows]) if closed else np.full(n, now.timestamp())
    counts = {name: np.zeros(n, dtype=np.float32) for name in COUNTS}
    last_seen = created.copy()
    first_touch = np.full(n, np.inf)
    engagement = (
        Event.objects.filter(ids, kind__in=list(_EVENT_COUNTS)).order_by().values_list("lead_id", "kind", "created_at")
    )
    for lead_id, kind, at in engagement.iterator(chunk_size=10_000):
        i, t = index.get(lead_id), at.timestamp()
        if i is None or t > cutoff[i]:
            continue
        counts[_EVENT_COUNTS[kind]][i] += 1
        last_seen[i] = max(last_seen[i], t)
    activities = (
        Activity.objects.filter(ids, kind__in=TOUCH_KINDS).order_by().values_list("lead_id", "kind", "created_at")
    )
    for lead_id, kind, at in activities.iterator(chunk_size=10_000):
        i, t = index.get(lead_id), at.timestamp()
        if i is None or t > cutoff[i]:
            continue
        if kind in _ACTIVITY_COUNTS:
            counts[_ACTIVITY_COUNTS[kind]][i] += 1
        last_seen[i] = max(last_seen[i], t)
        first_touch[i] = min(first_touch[i], t)
    days = np.clip((cutoff - last_seen) / DAY, 0.0, MAX_DAYS).astype(np.float32)
    touch_seconds = np.maximum(first_touch - created, 0.0)
    free = settings.FUNNEL_FREE_MAIL_DOMAINS
    categorical = {
        "source": [row[1] or OTHER for row in rows],
        "industry": [(row[2] or "").strip().lower() or UNKNOWN for row in rows],
        "employees_band": [employees_band(row[3]) for row in rows],
        "country": [(row[4] or "").strip().upper() or UNKNOWN for row in rows],
        "seniority": [seniority(row[5]) for row in rows],
        "email_domain": [email_domain(row[6], free) for row in rows],
        "first_touch": [first_touch_band(None if s == np.inf else s) for s in touch_seconds.tolist()],
    }
    chunk = FeatureChunk(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        categorical=categorical,
        numeric={**counts, "days_since_activity": days},
        score=np.array([row[8] for row in rows], dtype=np.float32),
    )
    if closed:
        chunk.converted = np.array([row[10] == Lead.Status.CONVERTED for row in rows], dtype=bool)
        chunk.closed_at = cutoff
    return chunk
