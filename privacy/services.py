"""Privacy erasure: one transaction that removes a person everywhere, through each owning app's service."""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.erasure import erase_person_accounts
from activities.erasure import erase_person_timeline
from contacts.services import erase_person_contacts
from core.events import publish
from core.exceptions import PermissionDenied
from core.services import forget_idempotent_responses
from core.suppression import suppress_email
from core.text import normalize_email
from imports.erasure import purge_person_from_imports
from leads.services.erasure import erase_person_leads
from nurture.erasure import erase_person_email
from opportunities.erasure import erase_name_from_opportunities
from privacy.events import PrivacyEvent
from privacy.models import Erasure
from privacy.selectors import get_person_records

logger = logging.getLogger("funnel.privacy")


def check_can_handle_privacy_requests(user) -> None:
    """Raises PermissionDenied unless `user` is an admin: privacy requests span every owner's records."""
    if not (user and user.is_authenticated and user.is_admin):
        raise PermissionDenied("Only admins handle privacy requests.")


@transaction.atomic
def erase_person(email: str, *, by) -> Erasure:
    """Erase the person with `email` everywhere, add them to the suppression list and keep a tombstone.

    Open leads are deleted; converted leads, contacts and person accounts are anonymised, and deals named after the
    person renamed (their accounts, amounts and the funnel stay true); timeline words and email bodies are scrubbed, attachments and tracking hits deleted, import error rows
    and uploaded files that held the person removed. The address is suppressed even when nothing was held, so the
    person is never captured again. All of it commits or none of it does.

    Raises:
        PermissionDenied: `by` is not an admin.
    """
    check_can_handle_privacy_requests(by)
    email = normalize_email(email)
    person = get_person_records(email, user=by)
    lead_ids, contact_ids = person.lead_ids, person.contact_ids
    counts: dict[str, int] = {}
    # The timeline first: deleting an open lead would take its attachments' rows but leave their files.
    counts.update(erase_person_timeline(email, lead_ids=lead_ids, contact_ids=contact_ids))
    counts.update(erase_person_email(email, lead_ids=lead_ids, contact_ids=contact_ids))
    counts.update(purge_person_from_imports(email, lead_ids=lead_ids))
    counts.update(erase_person_leads(email, by=by))
    counts["contacts_anonymised"] = erase_person_contacts(email, by=by)
    counts["person_accounts_anonymised"] = erase_person_accounts(person.account_ids)
    counts["opportunities_renamed"] = erase_name_from_opportunities(person.opportunity_ids, names=person.names)
    counts["stored_api_responses_deleted"] = forget_idempotent_responses(naming=email)
    suppress_email(email)
    # Apps above (the webhook outbox) forget what they hold about these records, in this transaction.
    publish(PrivacyEvent.PERSON_ERASED, by=by, data={"lead_ids": lead_ids, "contact_ids": contact_ids})
    erasure = Erasure.objects.create(erased_by=by, counts=counts, found=any(counts.values()))
    logger.info("erasure %s by user %s: %s", erasure.pk, by.pk, counts)
    return erasure
