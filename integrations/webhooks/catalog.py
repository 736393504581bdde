"""The event types an endpoint may subscribe to, and the record each one is about.

Each type is the kind of a core event published by the app below (`lead.created` is `LeadEvent.CREATED`), except
`lead.assigned`, which is the assignment app's `assignment.assigned` (rules, by hand, an SLA hand-over) and a
lead edit that changed the owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from accounts.events import AccountEvent
from accounts.models import Account
from assignment.events import AssignmentEvent
from contacts.events import ContactEvent
from contacts.models import Contact
from imports.events import ImportEvent
from imports.models import ImportJob
from leads.events import LeadEvent
from leads.models import Lead
from opportunities.events import OpportunityEvent
from opportunities.models import Opportunity


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    object: str


EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in [
        EventType("lead.created", "A lead was created (form, API, by hand).", "lead"),
        EventType("lead.updated", "A lead's details changed; `changes.fields` names them.", "lead"),
        EventType("lead.status_changed", "A lead's status changed; `changes` has `from` and `to`.", "lead"),
        EventType("lead.assigned", "A lead got a new owner (rules, by hand, SLA hand-over).", "lead"),
        EventType("lead.converted", "A lead was converted into an account, a contact and maybe a deal.", "lead"),
        EventType("account.created", "An account was created (by hand, API or a conversion).", "account"),
        EventType("contact.created", "A contact was created (by hand, API or a conversion).", "contact"),
        EventType("opportunity.created", "An opportunity was created (by hand, API or a conversion).", "opportunity"),
        EventType(
            "opportunity.stage_changed", "A deal moved stage; `changes` has `from` and `to` stage ids.", "opportunity"
        ),
        EventType(
            "opportunity.closed",
            "A deal moved into a closed stage; `changes.won` says whether it was won.",
            "opportunity",
        ),
        EventType("import.finished", "A CSV import ended; `changes.status` is done or failed.", "import"),
    ]
}

# The core event kinds that become webhook messages, and the webhook type each becomes.
SOURCES: dict[str, str] = {
    LeadEvent.CREATED: "lead.created",
    LeadEvent.UPDATED: "lead.updated",
    LeadEvent.STATUS_CHANGED: "lead.status_changed",
    LeadEvent.CONVERTED: "lead.converted",
    AssignmentEvent.ASSIGNED: "lead.assigned",
    AccountEvent.CREATED: "account.created",
    ContactEvent.CREATED: "contact.created",
    OpportunityEvent.CREATED: "opportunity.created",
    OpportunityEvent.STAGE_CHANGED: "opportunity.stage_changed",
    OpportunityEvent.CLOSED: "opportunity.closed",
    ImportEvent.FINISHED: "import.finished",
}

MODELS: dict[str, type[models.Model]] = {
    "lead": Lead,
    "account": Account,
    "contact": Contact,
    "opportunity": Opportunity,
    "import": ImportJob,
}

# The fields of each record a payload carries, named as in /api/v1/ (a foreign key as its id, money as a decimal
# string, times in ISO 8601). Fields a model lacks are left out.
FIELDS: dict[str, list[str]] = {
    "lead": [
        "id", "first_name", "last_name", "email", "phone", "company", "title", "website", "industry", "employees",
        "annual_revenue", "country", "state", "postal_code", "city", "source", "description", "do_not_contact",
        "status", "unqualified_reason", "score", "rating", "grade", "owner", "unsubscribed_at", "mql_at",
        "qualified_at", "converted_at", "converted_account", "converted_contact", "converted_opportunity",
        "last_activity_at", "external_id", "created_at", "updated_at",
    ],
    "account": [
        "id", "name", "website", "domain", "industry", "employees", "annual_revenue", "phone", "billing_street",
        "billing_city", "billing_state", "billing_postal_code", "billing_country", "parent", "owner",
        "is_person_account", "description", "external_id", "created_at", "updated_at",
    ],
    "contact": [
        "id", "first_name", "last_name", "email", "phone", "title", "department", "mailing_street", "mailing_city",
        "mailing_state", "mailing_postal_code", "mailing_country", "account", "lead_source", "owner",
        "do_not_contact", "description", "external_id", "created_at", "updated_at",
    ],
    "opportunity": [
        "id", "name", "account", "amount", "close_date", "stage", "probability", "forecast_category",
        "lead_source", "next_step", "lost_reason", "owner", "closed_at", "description", "external_id",
        "created_at", "updated_at",
    ],
    "import": [
        "id", "original_name", "status", "rows_total", "rows_done", "created", "updated", "merged", "failed",
        "detail", "owner", "created_by", "created_at", "started_at", "finished_at",
    ],
}  # fmt: skip


def webhook_types_of(kind: str, data: dict) -> list[str]:
    """The webhook types a core event of `kind` with `data` becomes (a lead edit of the owner is also an assignment)."""
    names = [SOURCES[kind]] if kind in SOURCES else []
    if kind == LeadEvent.UPDATED and "owner" in data.get("fields", ()):
        names.append("lead.assigned")
    return names
