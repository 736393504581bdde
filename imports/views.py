"""The import pages: upload a CSV, correct the detected mapping, watch the progress, download the errors."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from core import leases
from core.exceptions import StorageFull
from imports.api.views import error_report_response
from imports.models import ImportJob
from imports.reading import FIELD_LABELS, IMPORTABLE_FIELDS
from imports.services import create_import, start_import
from users.models import User

FIELD_CHOICES = [("", "— skip this column —"), *((name, FIELD_LABELS[name]) for name in IMPORTABLE_FIELDS)]


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 or Latin-1, any delimiter; a Salesforce export works.")
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Assignment rules decide", label="Owner of new leads"
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by("username")


def _require_manager(user: User) -> None:
    """Answer 404 to a rep: importing has no rep's version, and a page a role lacks is hidden, as records are."""
    if not user.can_manage:
        raise Http404("Only managers and admins may import leads.")


def _visible_job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("created_by"), pk=pk)


@login_required
def upload(request):
    """Upload a CSV; the next step shows the detected column mapping."""
    _require_manager(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = create_import(
                by=request.user, file=form.cleaned_data["file"], owner=form.cleaned_data["owner"], start=False
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("file" if field not in form.fields else field, errors)
        except StorageFull as exc:
            form.add_error("file", exc.detail)
        else:
            return redirect("imports:mapping", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user).select_related("created_by")[:20]
    return render(request, "imports/import_upload.html", {"form": form, "jobs": jobs})


@login_required
def mapping(request, pk: int):
    """Show each CSV column with the lead field it goes to; correct and start."""
    job = _visible_job(request, pk)
    if job.status != ImportJob.Status.DRAFT:
        return redirect("imports:progress", pk=job.pk)
    _require_manager(request.user)
    chosen = dict(job.mapping)
    error = ""
    if request.method == "POST":
        chosen = {header: request.POST.get(f"column-{index}", "") for index, header in enumerate(job.headers)}
        try:
            start_import(job, by=request.user, mapping=chosen)
        except ValidationError as exc:
            error = " ".join(exc.message_dict.get("mapping", exc.messages))
        else:
            messages.success(request, f"Import of {job.original_name} started.")
            return redirect("imports:progress", pk=job.pk)
    columns = [
        {"index": index, "header": header, "field": chosen.get(header, "")} for index, header in enumerate(job.headers)
    ]
    return render(
        request,
        "imports/import_mapping.html",
        {"job": job, "columns": columns, "choices": FIELD_CHOICES, "error": error},
    )


@login_required
def progress(request, pk: int):
    """The progress of an import; JavaScript refreshes the figures, a reload link works without it."""
    job = _visible_job(request, pk)
    # Any status and every owner the viewer may see: exactly the leads the job created or updated, as far as the
    # viewer may see them (the lead list starts from what they may see).
    leads_url = f"{reverse('leads:list')}?{urlencode({'import_job': job.pk, 'status': 'all', 'owner': 'any'})}"
    return render(
        request,
        "imports/import_progress.html",
        {
            "job": job,
            "status_display": _status_display(job),
            "status_url": reverse("imports:status", args=[pk]),
            "leads_url": leads_url,
        },
    )


def _recovering(job: ImportJob) -> bool:
    return job.status == ImportJob.Status.RUNNING and leases.is_recovering("import", job.pk)


def _status_display(job: ImportJob) -> str:
    """The status, or "recovering after a worker stopped" while a stopped worker's job waits to be taken over."""
    return f"{job.get_status_display()}: {leases.RECOVERING}" if _recovering(job) else job.get_status_display()


@login_required
@require_GET
def status(request, pk: int):
    """The progress figures as JSON for the progress page."""
    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": _status_display(job),
            "recovering": _recovering(job),
            "rows_total": job.rows_total,
            "rows_done": job.rows_done,
            "percent": job.percent,
            "created": job.created,
            "updated": job.updated,
            "merged": job.merged,
            "failed": job.failed,
            "rate": job.rate,
            "eta_seconds": job.eta_seconds,
            "detail": job.detail,
        }
    )


@login_required
@require_GET
def errors(request, pk: int):
    """Download the error report of an import as CSV."""
    return error_report_response(_visible_job(request, pk))
