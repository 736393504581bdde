"""Web forms: their configuration, and the public web-to-lead capture (a website form posts a lead with its key)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from activities.services import record_event
from core.exceptions import PermissionDenied
from core.services import apply_changes, save_validated
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


WEB_FORM_CONFIG_FIELDS = ["name", "form_key", "allowed_return_urls", "default_source", "default_owner", "is_active"]


def new_form_key() -> str:
    """A fresh, unguessable form key (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def _check_can_configure(by) -> None:
    if by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins configure web forms.")


@transaction.atomic
def create_web_form(*, by, form_key: str = "", **fields: Any) -> WebForm:
    """Create a web form; without a `form_key` it gets a fresh one.

    Raises:
        PermissionDenied: `by` is a rep.
        ValidationError: a field is invalid or the key is taken.
    """
    _check_can_configure(by)
    form = WebForm(
        form_key=form_key or new_form_key(), **{k: v for k, v in fields.items() if k in WEB_FORM_CONFIG_FIELDS}
    )
    save_validated(form)
    return form


@transaction.atomic
def update_web_form(form: WebForm, *, by, data: dict[str, Any]) -> WebForm:
    """Edit a web form; a new `form_key` replaces the old one at once (posts with the old key are refused).

    Raises:
        PermissionDenied: `by` is a rep.
        ValidationError: a field is invalid or the key is taken.
    """
    _check_can_configure(by)
    form = WebForm.objects.select_for_update().get(pk=form.pk)
    changes = apply_changes(form, data, fields=WEB_FORM_CONFIG_FIELDS)
    if changes:
        save_validated(form, update_fields=list(changes))
    return form


@transaction.atomic
def delete_web_form(form: WebForm, *, by) -> None:
    """Delete a web form; its leads stay, and their timelines keep the submissions.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    WebForm.objects.filter(pk=form.pk).delete()
