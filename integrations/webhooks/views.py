"""The admins' webhook pages: endpoints, a new endpoint (secret shown once), edit, rotate, the log and replay.

Admins only: anyone else signed in gets 403, as on the other configuration pages.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.keyset import keyset_page
from integrations.webhooks import services
from integrations.webhooks.forms import EndpointEditForm, EndpointForm, ReplayRangeForm
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.tasks import deliver_webhooks_task

LOG_PAGE_SIZE = 50


def admin_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_admin:
            raise PermissionDenied("Only admins manage webhooks.")
        return view(request, *args, **kwargs)

    return wrapped


def _endpoint(request, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.visible_to(request.user), pk=pk)


def _form_error(form, exc: Exception) -> None:
    """Show a service's refusal on the form: on its field when it names one."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ApplicationError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
    else:
        form.add_error(None, exc.messages)


@admin_only
def endpoint_list(request):
    """Every endpoint with its state and how many deliveries are open or given up."""
    endpoints = Endpoint.objects.visible_to(request.user).annotate(
        open_count=Count("deliveries", filter=Q(deliveries__status__in=Delivery.OPEN)),
        dead_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.DEAD)),
    )
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints})


@admin_only
def endpoint_create(request):
    """Register an endpoint; the page after saving shows its secret this once."""
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(by=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            return render(
                request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "secret": secret, "new": True}
            )
    return render(request, "webhooks/endpoint_form.html", {"form": form, "heading": "New webhook endpoint"})


@admin_only
def endpoint_edit(request, pk: int):
    """Edit an endpoint's URL, event types, description and active flag."""
    endpoint = _endpoint(request, pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
    form = EndpointEditForm(request.POST or None, initial={**initial, "is_active": endpoint.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint, by=request.user, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:detail", pk=endpoint.pk)
    context = {"form": form, "endpoint": endpoint, "heading": f"Edit {endpoint.url}"}
    return render(request, "webhooks/endpoint_form.html", context)


@admin_only
def endpoint_detail(request, pk: int):
    """An endpoint, its delivery log (newest first, filterable by status) and the replay controls."""
    endpoint = _endpoint(request, pk)
    log = Delivery.objects.filter(endpoint=endpoint).select_related("message")
    wanted = request.GET.get("status", "")
    if wanted in Delivery.Status.values:
        log = log.filter(status=wanted)
    page = keyset_page(
        log, sort="-created_at", after=request.GET.get("after"), before=request.GET.get("before"), size=LOG_PAGE_SIZE
    )
    keep = {"status": wanted} if wanted else {}
    context = {
        "endpoint": endpoint,
        "page": page,
        "next_link": f"?{urlencode({**keep, 'after': page.next_cursor})}" if page.next_cursor else "",
        "previous_link": f"?{urlencode({**keep, 'before': page.previous_cursor})}" if page.previous_cursor else "",
        "statuses": Delivery.Status.choices,
        "wanted": wanted,
        "replay_form": ReplayRangeForm(),
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@admin_only
@require_POST
def endpoint_rotate(request, pk: int):
    """Give the endpoint a new secret, shown this once; the old one signs alongside for 24 hours."""
    endpoint, secret = services.rotate_secret(_endpoint(request, pk), by=request.user)
    return render(request, "webhooks/endpoint_secret.html", {"endpoint": endpoint, "secret": secret, "new": False})


@admin_only
@require_POST
def endpoint_replay(request, pk: int):
    """Queue one message (`message_id`) or a time range again, with the same webhook-ids."""
    endpoint = _endpoint(request, pk)
    message_id = request.POST.get("message_id", "").strip()
    form = ReplayRangeForm(request.POST)
    try:
        if message_id:
            queued = services.replay_messages(endpoint, by=request.user, webhook_id=message_id)
        elif form.is_valid():
            data = form.cleaned_data
            queued = services.replay_messages(endpoint, by=request.user, since=data["since"], until=data["until"])
        else:
            messages.error(request, "Give the start of the range to replay (and optionally its end).")
            return redirect("webhooks:detail", pk=endpoint.pk)
    except (ApplicationError, ValidationError) as exc:
        text = exc.detail if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        messages.error(request, text)
        return redirect("webhooks:detail", pk=endpoint.pk)
    if queued:
        deliver_webhooks_task.delay_on_commit()
    messages.success(request, f"{queued} message{'' if queued == 1 else 's'} queued again.")
    return redirect("webhooks:detail", pk=endpoint.pk)


@admin_only
@require_POST
def endpoint_delete(request, pk: int):
    """Delete the endpoint and its delivery log."""
    endpoint = _endpoint(request, pk)
    services.delete_endpoint(endpoint, by=request.user)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return redirect("webhooks:list")
