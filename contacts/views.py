"""Contact pages: the list, one contact with its account, deals and timeline, and the edit form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from contacts.forms import ContactForm
from contacts.models import Contact
from contacts.services import update_contact
from crm.common.exceptions import ApplicationError
from crm.common.keyset import keyset_page
from crm.common.views import add_service_error, paging_links

RELATED_LIMIT = 50


@login_required
def contact_list(request):
    """Contacts the user can see, newest first, searchable by name or email, keyset-paged."""
    contacts = Contact.objects.visible_to(request.user).select_related("account", "owner")
    q = request.GET.get("q", "").strip()
    if q:
        if "@" in q:
            contacts = contacts.filter(email=q.lower())
        else:
            contacts = contacts.filter(Q(last_name__istartswith=q) | Q(first_name__istartswith=q))
    page = keyset_page(contacts, sort="-created_at", after=request.GET.get("after"), before=request.GET.get("before"))
    return render(
        request, "contacts/contact_list.html", {"contacts": page.items, "q": q, **paging_links(request, page)}
    )


def _visible_contact(request, pk: int) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user).select_related("account", "owner"), pk=pk)


def _detail_context(request, contact: Contact, **overrides) -> dict:
    from opportunities.models import OpportunityContactRole

    context = {
        "contact": contact,
        "roles": list(
            OpportunityContactRole.objects.visible_to(request.user)
            .filter(contact=contact)
            .select_related("opportunity__stage", "opportunity__account")[:RELATED_LIMIT]
        ),
        "timeline": get_timeline(request.user, contact=contact),
        "activity_form": ActivityForm(initial={"kind": "call"}),
        "log_url": reverse("contacts:log_activity", args=[contact.pk]),
    }
    context.update(overrides)
    return context


@login_required
def contact_detail(request, pk: int):
    """One contact: details, account, opportunities they play a role in, timeline."""
    contact = _visible_contact(request, pk)
    return render(request, "contacts/contact_detail.html", _detail_context(request, contact))


@login_required
def contact_edit(request, pk: int):
    """Edit a contact's details."""
    contact = _visible_contact(request, pk)
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


@login_required
@require_POST
def contact_log_activity(request, pk: int):
    """Log a note, call, meeting or task on a contact."""
    contact = _visible_contact(request, pk)
    return log_activity_on(
        request,
        record_name="contact",
        record=contact,
        success_url=reverse("contacts:detail", args=[contact.pk]),
        render_page=lambda form: render(
            request, "contacts/contact_detail.html", _detail_context(request, contact, activity_form=form), status=400
        ),
    )
