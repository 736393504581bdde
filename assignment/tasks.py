"""Background kicks of assignment and its notices: ids in, running one twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from core.text import one_line

# Leads younger than this are left to the kick their creation enqueued; the sweeper repairs the rest.
ASSIGNMENT_SWEEP_AGE = timedelta(minutes=1)
DIGEST_LISTED = 50


def _lead_url(lead_id: int) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/leads/{lead_id}/"


def _describe(lead) -> str:
    company = f" ({lead.company})" if lead.company else ""
    return f"{lead.full_name}{company} — {_lead_url(lead.pk)}"


@shared_task(ignore_result=True)
def assign_lead_task(lead_id: int) -> None:
    """Assign one lead by the rules when it is still unowned; a second run finds it owned."""
    from assignment.services import assign_lead
    from leads.models import Lead

    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is not None and lead.owner_id is None:
        assign_lead(lead)


@shared_task(ignore_result=True)
def assign_unassigned_leads_task() -> int:
    """Sweep: assign, in bulk, every open unowned lead older than a minute; return how many got an owner."""
    from assignment.services import assign_leads_bulk
    from leads.models import Lead

    cutoff = timezone.now() - ASSIGNMENT_SWEEP_AGE
    return assign_leads_bulk(Lead.objects.open().unassigned().filter(created_at__lte=cutoff)).assigned_count


@shared_task(ignore_result=True)
def notify_new_owner_task(lead_id: int, owner_id: int) -> None:
    """Email `owner_id` that a lead is now theirs, unless it has moved on to someone else since."""
    from leads.models import Lead

    lead = Lead.objects.select_related("owner").filter(pk=lead_id, owner_id=owner_id).first()
    if lead is None or not lead.owner.email:
        return
    send_mail(
        subject=one_line(f"New lead for you: {lead.full_name}"),
        message=f"Hello {lead.owner.display_name},\n\nThis lead is now yours:\n{_describe(lead)}\n",
        from_email=None,
        recipient_list=[lead.owner.email],
    )


@shared_task(ignore_result=True)
def notify_new_owner_digest_task(owner_id: int, lead_ids: list[int]) -> None:
    """Email `owner_id` one digest of the leads a bulk pass gave them (those still theirs)."""
    from leads.models import Lead
    from users.models import User

    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not owner.email:
        return
    leads = Lead.objects.filter(pk__in=lead_ids, owner_id=owner_id)
    total = leads.count()
    if not total:
        return
    listed = "\n".join(_describe(lead) for lead in leads.order_by("pk")[:DIGEST_LISTED])
    more = f"\n… and {total - DIGEST_LISTED} more." if total > DIGEST_LISTED else ""
    send_mail(
        subject=f"{total} new lead{'s' if total != 1 else ''} for you",
        message=f"Hello {owner.display_name},\n\nThese leads are now yours:\n{listed}{more}\n",
        from_email=None,
        recipient_list=[owner.email],
    )


@shared_task(ignore_result=True)
def notify_assignment_failed_task(lead_ids: list[int]) -> None:
    """Tell the responsible managers which of these leads nobody could take (still unowned ones only)."""
    from assignment.selectors import list_assignment_failure_recipients

    for recipient, leads in list_assignment_failure_recipients(lead_ids):
        listed = "\n".join(_describe(lead) for lead in leads[:DIGEST_LISTED])
        more = f"\n… and {len(leads) - DIGEST_LISTED} more." if len(leads) > DIGEST_LISTED else ""
        send_mail(
            subject=f"{len(leads)} lead{'s' if len(leads) != 1 else ''} could not be assigned",
            message=(
                f"Hello {recipient.display_name},\n\nNobody available could take these leads; they wait in your "
                f"unassigned view until a rep has room or you assign them by hand:\n{listed}{more}\n"
            ),
            from_email=None,
            recipient_list=[recipient.email],
        )


@shared_task(ignore_result=True)
def handle_sla_breaches_task() -> int:
    """Handle every lead past its first-touch target once: notify, note, reassign by the rule; return how many."""
    from assignment.services.sla import handle_sla_breaches

    return handle_sla_breaches()


# An import of millions of rows runs for minutes: it gets its own limits, far above the default short-task ones.
