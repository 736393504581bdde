"""Inline edits of a contact's phone and title (core.inline): the contact page and the contact list."""

from __future__ import annotations

from typing import Any

from contacts.models import Contact
from contacts.services import update_contact
from core.inline import InlineEditView, InlineField, model_field


class ContactInlineView(InlineEditView):
    """Change the phone or title of a contact the user can see."""

    model = Contact
    fields = {
        "phone": InlineField(model_field(Contact, "phone"), input="tel"),
        "title": InlineField(model_field(Contact, "title")),
    }

    def save(self, contact: Contact, name: str, value: Any, *, reason: str) -> Contact:
        return update_contact(contact, by=self.request.user, data={name: value})


contact_inline = ContactInlineView.as_view()
