"""Contact pages: the list, one contact with its account, deals and timeline, and the edit form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render

from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from contacts.forms import ContactForm
from contacts.models import Contact
from contacts.services import update_contact
from core.exceptions import ApplicationError
from core.views import LogActivityMixin, RecordDetailView, RecordListView, add_service_error

RELATED_LIMIT = 50


class ContactListView(RecordListView):
    """Contacts the user can see, newest first, searchable by name or email, keyset-paged."""

    model = Contact
    related = ("account", "owner")
    template_name = "contacts/contact_list.html"
    context_object_name = "contacts"

    def search(self, contacts, q: str):
        if "@" in q:
            return contacts.filter(email=q.lower())
        return contacts.filter(Q(last_name__istartswith=q) | Q(first_name__istartswith=q))


class ContactDetailView(RecordDetailView):
    """One contact: details, account, opportunities they play a role in, timeline."""

    model = Contact
    related = ("account", "owner")
    template_name = "contacts/contact_detail.html"
    timeline = get_timeline
    activity_form_class = ActivityForm
    log_activity = log_activity_on

    def get_extra_context(self, contact: Contact) -> dict:
        # Opportunities are an app above contacts: read through the reverse relation, not its module.
        roles = contact.opportunity_roles.visible_to(self.request.user)
        return {"roles": list(roles.select_related("opportunity__stage", "opportunity__account")[:RELATED_LIMIT])}


class ContactEditView(ContactDetailView):
    """Edit a contact's details."""

    def get(self, request, *args, **kwargs):
        contact = self.get_object()
        form = ContactForm(request.POST or None, instance=contact)
        if request.method == "POST" and form.is_valid():
            try:
                update_contact(contact, by=request.user, data=form.cleaned_data)
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Contact saved.")
                return redirect("contacts:detail", pk=contact.pk)
        return render(request, "contacts/contact_form.html", {"form": form, "contact": contact})

    post = get


class ContactLogActivityView(LogActivityMixin, ContactDetailView):
    """Log a note, call, meeting or task on a contact."""


contact_list = ContactListView.as_view()
contact_detail = ContactDetailView.as_view()
contact_edit = ContactEditView.as_view()
contact_log_activity = ContactLogActivityView.as_view()
