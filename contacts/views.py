"""Contact pages: the list, one contact with its account, deals and timeline, the new and edit forms, and the
JSON the forms call while the user types (the contact picker, duplicate hints)."""

from __future__ import annotations

from django.db.models import Q

from accounts.views import OnAccountMixin
from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from contacts.forms import ContactForm
from contacts.models import Contact
from contacts.selectors import list_contact_choices, list_duplicate_contacts
from contacts.services import create_contact, update_contact
from core.editing import RecordCreateView, RecordEditView
from core.lists import Column
from core.lookups import id_param, lookup_view, text_param
from core.views import LogActivityMixin, RecordDetailView, RecordListView

RELATED_LIMIT = 50


class ContactListView(RecordListView):
    """Contacts the user can see, newest first, searchable by name or email, keyset-paged."""

    model = Contact
    related = ("account", "owner")
    template_name = "contacts/contact_list.html"
    context_object_name = "contacts"
    cell_template = "contacts/_contact_cell.html"
    columns = (
        Column("name", "Name", sort="last_name", fixed=True),
        Column("account", "Account"),
        Column("title", "Title", sort="title", css="opt-narrow"),
        Column("email", "Email", sort="email", css="wrap-anywhere"),
        Column("phone", "Phone", css="nowrap opt"),
        Column("owner", "Owner", css="opt-narrow"),
        Column("department", "Department", sort="department", default=False),
        Column("city", "City", sort="mailing_city", default=False),
        Column("country", "Country", sort="mailing_country", default=False),
        Column("lead_source", "Lead source", sort="lead_source", default=False),
        Column("created", "Created", sort="created_at", css="nowrap", default=False),
    )

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


class ContactCreateView(OnAccountMixin, RecordCreateView):
    """A new contact, the user's own unless a manager or admin picks another owner; `?account=` preselects it."""

    model = Contact
    form_class = ContactForm

    def create(self, form: ContactForm) -> Contact:
        data = dict(form.cleaned_data)
        return create_contact(by=self.request.user, owner=data.pop("owner", None), **data)


class ContactEditView(RecordEditView):
    """Edit a contact the user can see."""

    model = Contact
    related = ("account", "owner")
    form_class = ContactForm

    def update(self, contact: Contact, form: ContactForm) -> Contact:
        return update_contact(contact, by=self.request.user, data=form.cleaned_data)


def _contact_detail(contact: Contact) -> str:
    return " · ".join(part for part in (contact.email, contact.account.name if contact.account else "") if part)


@lookup_view
def contact_autocomplete(request):
    """The contact picker: visible contacts whose name or email contains `?q=`, of `?account=` when given."""
    contacts = list_contact_choices(request.user, q=text_param(request, "q"), account_id=id_param(request, "account"))
    return [(c, c.full_name, _contact_detail(c)) for c in contacts]


@lookup_view
def contact_duplicates(request):
    """Visible contacts with the email address in `?email=` (but `?exclude=`)."""
    contacts = list_duplicate_contacts(
        request.user, email=text_param(request, "email"), exclude=id_param(request, "exclude")
    )
    return [(c, c.full_name, _contact_detail(c)) for c in contacts]


class ContactLogActivityView(LogActivityMixin, ContactDetailView):
    """Log a note, call, meeting or task on a contact."""


contact_list = ContactListView.as_view()
contact_detail = ContactDetailView.as_view()
contact_create = ContactCreateView.as_view()
contact_edit = ContactEditView.as_view()
contact_log_activity = ContactLogActivityView.as_view()
