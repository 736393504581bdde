"""Demo activities (calls, emails, notes, meetings, tasks) on about 30% of the leads, drawn with each lead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from activities.models import Activity
from demo.seeding.writer import DAY, Table

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

ACTIVITY_SUBJECTS = {
    "call": ["Discovery call with {first}", "Left a voicemail", "Follow-up call", "Qualification call"],
    "email": ["Sent pricing overview", "Intro email to {first}", "Shared the case study", "Replied to {first}"],
    "note": ["Notes from the {company} chat", "Budget confirmed for Q3", "Uses a competitor today"],
    "meeting": ["Demo for {company}", "On-site visit at {company}", "Technical deep dive"],
    "task": ["Follow up with {first} {last}", "Send proposal to {company}", "Book a demo with {first}"],
}
ACTIVITY_BODIES = [
    "",
    "Interested in the reporting features; wants a trial for the team.",
    "Asked for pricing for about 25 seats.",
    "Evaluating two other vendors; decision expected next quarter.",
    "Needs SSO and an EU data residency answer.",
    "Good fit. Follow up after their board meeting.",
    "Gatekeeper only; find the head of operations.",
]
ACTIVITY_FIELDS = [
    "id", "lead", "contact", "account", "opportunity", "kind", "subject", "body", "due_at", "completed_at",
    "owner", "created_at", "updated_at", "call_outcome",
]  # fmt: skip
# A call's outcome, by the activity's id (no draw: the rest of the demo stays as it was): mostly connected or a
# voicemail, as a rep's day goes. A "Left a voicemail" call is one.
CALL_OUTCOMES = ["connected", "voicemail", "connected", "no_answer", "connected", "voicemail", "wrong_number"]


class LeadActivities:
    """The activities of the leads being generated: drawn lead by lead, written in the same chunks as the leads."""

    def __init__(self, ctx: SeedContext) -> None:
        self.ctx = ctx
        self.table = Table(Activity, ACTIVITY_FIELDS)
        self.next_id = self.table.next_id()
        self.rows: list[tuple] = []

    def draw(
        self,
        lead_id: int,
        *,
        owner: int | None,
        created: int,
        until: int,
        first: str,
        last: str,
        company: str,
        count: int | None = None,
        first_within: int | None = None,
    ) -> int | None:
        """Append activities of one lead between `created` and `until` (`count`, else one to three; the first
        within `first_within` seconds of `created` when given); return the latest time."""
        ctx = self.ctx
        r = ctx.random.random
        ts = ctx.clock.ts
        now = ctx.now
        kind_table = ctx.kind_table
        last_activity_at = None
        activity_id = self.next_id
        activity_owner = owner or ctx.rep_ids[int(r() * len(ctx.rep_ids))]
        for step in range(count or 1 + int(r() * 3)):
            span = until - created - 60
            if step == 0 and first_within is not None:
                span = min(span, first_within)
            at = created + 60 + int(r() * max(0, span))
            # A quick first touch is a call: what "speed to lead" measures.
            kind = "call" if step == 0 and first_within is not None else kind_table[int(r() * len(kind_table))]
            subjects = ACTIVITY_SUBJECTS[kind]
            subject = subjects[int(r() * len(subjects))].format(first=first, last=last, company=company)
            body = ACTIVITY_BODIES[int(r() * len(ACTIVITY_BODIES))]
            due_at = completed_at = None
            if kind == "task":
                due_at = at + DAY * (1 + int(r() * 14))
                if (due_at < now and r() < 0.75) or r() < 0.2:
                    completed_at = at + int((min(due_at, now) - at) * r())
            outcome = ""
            if kind == "call":
                outcome = "voicemail" if "voicemail" in subject else CALL_OUTCOMES[activity_id % len(CALL_OUTCOMES)]
            self.rows.append(
                (activity_id, lead_id, None, None, None, kind, subject, body, ts(due_at), ts(completed_at),
                 activity_owner, ts(at), ts(completed_at or at), outcome)
            )  # fmt: skip
            activity_id += 1
            if last_activity_at is None or at > last_activity_at:
                last_activity_at = at
        self.next_id = activity_id
        return last_activity_at
