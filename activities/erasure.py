"""Erasing a person from the timeline: what was written about them is scrubbed, their files deleted.

The entries stay (scrubbed) so activity reports and "worked" counts stay true; only their words go.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

from activities.models import Activity, Attachment, Event, Notification
from core.services import delete_in_batches
from core.text import normalize_email

logger = logging.getLogger(__name__)

ERASED_TEXT = "Erased at the person's request"


def _of_person(lead_ids: list[int], contact_ids: list[int]) -> Q:
    return Q(lead_id__in=lead_ids) | Q(contact_id__in=contact_ids)


def _naming(email: str) -> Q:
    """Events elsewhere whose data carries the address (an email changed from or to it)."""
    email = normalize_email(email)
    return Q(data__from=email) | Q(data__to=email)


def list_person_timeline(email: str, *, lead_ids: list[int], contact_ids: list[int]) -> dict[str, list[dict]]:
    """Return the activities, system events and attachment names on the person's records."""
    person = _of_person(lead_ids, contact_ids)
    activities = Activity.objects.filter(person).order_by("created_at", "id")
    events = Event.objects.filter(person | _naming(email)).order_by("created_at", "id")
    attachments = Attachment.objects.filter(person).order_by("created_at", "id")
    return {
        "activities": [
            {
                "id": a.pk,
                "kind": a.kind,
                "subject": a.subject,
                "body": a.body,
                "lead": a.lead_id,
                "contact": a.contact_id,
                "created_at": a.created_at.isoformat(),
            }
            for a in activities
        ],
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "summary": e.summary,
                "data": e.data,
                "lead": e.lead_id,
                "contact": e.contact_id,
                "created_at": e.created_at.isoformat(),
            }
            for e in events
        ],
        "attachments": [
            {"id": f.pk, "name": f.original_name, "size": f.size, "lead": f.lead_id, "contact": f.contact_id}
            for f in attachments
        ],
    }


@transaction.atomic
def erase_person_timeline(email: str, *, lead_ids: list[int], contact_ids: list[int]) -> dict[str, int]:
    """Scrub the subjects and bodies of the person's activities and events, delete their attachments (files after
    commit); return counts."""
    person = _of_person(lead_ids, contact_ids)
    activities = Activity.objects.filter(person).update(subject=ERASED_TEXT, body="")
    events = Event.objects.filter(person | _naming(email)).update(summary=ERASED_TEXT, data={})
    # Users' notifications about the records (an SLA breach, a reminder) name the person.
    urls = [f"/leads/{pk}/" for pk in lead_ids] + [f"/contacts/{pk}/" for pk in contact_ids]
    notifications = Notification.objects.filter(
        Q(url__in=urls) | Q(activity__in=Activity.objects.filter(person).values("pk"))
    ).update(text=ERASED_TEXT)
    files = list(Attachment.objects.filter(person).values_list("pk", "file"))
    Attachment.objects.filter(pk__in=[pk for pk, _ in files]).delete()
    if files:
        storage = Attachment._meta.get_field("file").storage
        names = [name for _, name in files if name]

        def remove_files() -> None:
            for name in names:
                try:
                    storage.delete(name)
                except OSError:
                    logger.warning("could not delete the erased attachment file %s", name)

        transaction.on_commit(remove_files)
    return {
        "activities_scrubbed": activities,
        "events_scrubbed": events,
        "notifications_scrubbed": notifications,
        "attachments_deleted": len(files),
    }


def purge_events_before(cutoff) -> int:
    """Delete the system events (not the activities people logged) recorded before `cutoff`; return how many."""
    return delete_in_batches(Event.objects.filter(created_at__lt=cutoff))
