"""Public web-to-lead capture: a website form posts a lead with its form key."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from activities.services import record_event
from core.text import normalize_email
from leads.models import Lead, WebForm
from leads.services.capture import create_lead, update_lead

# A field a person never sees (hidden by the form's CSS) but form-filling bots do fill.
HONEYPOT_FIELD = "nickname"
WEB_FORM_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "website",
    "industry",
    "employees",
    "country",
    "city",
    "description",
]


@transaction.atomic
def capture_web_form_submission(form: WebForm, *, data: dict[str, Any]) -> Lead:
    """Create a lead from a form post, or update the open lead with that email; record the submission.

    A new lead gets the form's default source and owner; without an owner it goes to assignment.
    """
    fields = {k: v for k, v in data.items() if k in WEB_FORM_FIELDS}
    email = normalize_email(fields.get("email"))
    existing = (
        Lead.objects.select_for_update(of=("self",)).exclude(status=Lead.Status.CONVERTED).filter(email=email).first()
        if email
        else None
    )
    if existing is None:
        lead = create_lead(by=None, owner=form.default_owner, source=form.default_source, **fields)
    else:
        # A re-post refreshes what the visitor typed; blanks never erase what sales already knows.
        lead = update_lead(existing, by=None, data={k: v for k, v in fields.items() if v not in ("", None)})
    record_event(
        "form_submitted",
        f"Submitted the web form “{form.name}”",
        lead=lead,
        data={"form": form.pk, "fields": sorted(k for k, v in fields.items() if v not in ("", None))},
    )
    return lead
