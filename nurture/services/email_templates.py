"""Writes on the email templates reps pick from when writing on a record's page (admins, through the admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from nurture.models import EmailTemplate
from users.models import User

TEMPLATE_FIELDS = ["name", "subject", "body_text", "active"]


@transaction.atomic
def create_email_template(*, by: User, **values: Any) -> EmailTemplate:
    """Add a template; an unknown merge field is refused naming its field."""
    template = EmailTemplate(**{name: values[name] for name in TEMPLATE_FIELDS if name in values})
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def update_email_template(template: EmailTemplate, *, by: User, data: dict[str, Any]) -> EmailTemplate:
    """Change a template's fields; emails already sent keep the text they were sent with."""
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    changed = [name for name in TEMPLATE_FIELDS if name in data and getattr(template, name) != data[name]]
    for name in changed:
        setattr(template, name, data[name])
    if changed:
        template.full_clean()
        template.save(update_fields=[*changed, "updated_at"])
    return template


@transaction.atomic
def delete_email_template(template: EmailTemplate, *, by: User) -> None:
    """Remove a template; the emails written from it stay (their link to it is cleared)."""
    EmailTemplate.objects.filter(pk=template.pk).delete()
