"""Attachment pages: upload on a record page (a form post or the drop zone's fetch), download, delete.

Every record and attachment is looked up through `visible_to(request.user)`: one the user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from activities.attachments import RECORD_NAMES, add_attachment, check_request_size, delete_attachment
from activities.models import Attachment
from core.exceptions import ApplicationError
from core.views import error_text

# Types a browser could run or render as a page: served as opaque bytes, on top of the download headers.
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml", "text/javascript")


def record_model(record_name: str):
    """The model of a record an attachment may belong to (they are apps above activities: read from the FK)."""
    if record_name not in RECORD_NAMES:
        raise Http404
    return Attachment._meta.get_field(record_name).related_model


def record_url(record) -> str:
    return reverse(f"{record._meta.app_label}:detail", args=[record.pk]) + "#attachments"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: HttpRequest, exc: ApplicationError, back: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": exc.code, "detail": exc.detail}, status=exc.status_code)
    messages.error(request, error_text(exc))
    return redirect(back)


@login_required
@require_POST
def upload(request: HttpRequest, record_name: str, pk: int) -> HttpResponse:
    """Attach the posted `file` to a record the user can see; JSON for the drop zone, a redirect for the form."""
    model = record_model(record_name)
    record = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    back = record_url(record)
    try:
        # An upload whose request is already too long is refused on its Content-Length, before the storage sees it.
        check_request_size(request.META)
        attachment = add_attachment(by=request.user, upload=request.FILES.get("file"), **{record_name: record})
    except ApplicationError as exc:
        return _refuse(request, exc, back)
    if _wants_json(request):
        return JsonResponse(
            {
                "id": attachment.pk,
                "name": attachment.original_name,
                "size": attachment.size,
                "download": reverse("attachments:download", args=[attachment.pk]),
            },
            status=201,
        )
    messages.success(request, f"Attached {attachment.original_name}.")
    return redirect(back)


def download_response(attachment: Attachment) -> FileResponse:
    """The file as a download with the name the person gave it; never rendered inline, never sniffed."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file of this attachment is missing.") from None
    content_type = attachment.content_type
    if content_type in ACTIVE_TYPES or not content_type:
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an attachment of a record the user can see."""
    return download_response(get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an attachment of a record the user can see (and so edit)."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user).select_related(*RECORD_NAMES), pk=pk)
    record = next(getattr(attachment, name) for name in RECORD_NAMES if getattr(attachment, f"{name}_id"))
    back = record_url(record)
    try:
        delete_attachment(attachment, by=request.user)
    except ApplicationError as exc:
        return _refuse(request, exc, back)
    messages.success(request, f"Removed {attachment.original_name}.")
    return redirect(back)
