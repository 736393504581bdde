"""Email from a record's page: `/leads/<id>/email/` and `/contacts/<id>/email/` — write (optionally from a
template), preview the email as the person will get it, send.

One view shape for both records; the POST's `action` says which step: `template` (load the picked template into
the fields), `preview`, `edit` (back from the preview) or `send`. Nothing is written before `send`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from contacts.models import Contact
from core.exceptions import ApplicationError
from core.views import add_service_error
from leads.models import Lead
from nurture.forms import RecordEmailForm
from nurture.models import EmailTemplate
from nurture.rendering import MERGE_FIELDS
from nurture.services.record_email import (
    check_merge_fields,
    queue_record_email,
    record_kind,
    refusal_reason,
    render_record_email,
)

RELATED = {Lead: ("owner",), Contact: ("owner", "account")}


def _page(request: HttpRequest, record, form: RecordEmailForm, *, preview=None, refusal: str = "", status: int = 200):
    kind = record_kind(record)
    back = reverse(f"{kind}s:detail", args=[record.pk])
    context = {
        "record": record,
        "record_kind": kind,
        "back": back,
        "form": form,
        "preview": preview,
        "refusal": refusal,
        "merge_fields": ["{{ %s }}" % name for name in MERGE_FIELDS if name != "unsubscribe_url"],  # noqa: UP031
    }
    return render(request, "nurture/record_email.html", context, status=status)


def _template_form(template_id: str | None) -> RecordEmailForm:
    """A form holding the picked template's subject and body, to edit before previewing (blank if none)."""
    template = EmailTemplate.objects.active().filter(pk=template_id).first() if str(template_id).isdigit() else None
    if template is None:
        return RecordEmailForm()
    return RecordEmailForm(initial={"template": template.pk, "subject": template.subject, "body": template.body_text})


@login_required
@require_http_methods(["GET", "POST"])
def record_email(request: HttpRequest, pk: int, model: type) -> HttpResponse:
    """Write, preview and send an email to a lead or contact the user can see; refused for do-not-contact."""
    record = get_object_or_404(model.objects.visible_to(request.user).select_related(*RELATED[model]), pk=pk)
    refusal = refusal_reason(record)
    if refusal:
        status = 400 if request.method == "POST" else 200
        return _page(request, record, RecordEmailForm(), refusal=refusal, status=status)
    if request.method == "GET":
        return _page(request, record, _template_form(request.GET.get("template")))
    action = request.POST.get("action", "preview")
    if action == "template":
        return _page(request, record, _template_form(request.POST.get("template")))
    form = RecordEmailForm(request.POST)
    if not form.is_valid():
        return _page(request, record, form, status=400)
    data = form.cleaned_data
    if action == "edit":
        return _page(request, record, form)
    try:
        check_merge_fields(subject=data["subject"], body=data["body"])
        if action != "send":
            preview = render_record_email(record, subject=data["subject"], body=data["body"])
            return _page(request, record, form, preview=preview)
        queue_record_email(
            record, by=request.user, subject=data["subject"], body=data["body"], template=data.get("template")
        )
    except (ValidationError, ApplicationError) as exc:
        add_service_error(form, exc)
        return _page(request, record, form, status=400)
    messages.success(request, f"Email to {record.full_name} is on its way; it will appear on the timeline once sent.")
    return redirect(reverse(f"{record_kind(record)}s:detail", args=[record.pk]) + "#timeline")


def lead_email(request: HttpRequest, pk: int) -> HttpResponse:
    return record_email(request, pk, Lead)


def contact_email(request: HttpRequest, pk: int) -> HttpResponse:
    return record_email(request, pk, Contact)
