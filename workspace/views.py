"""Saved views in the browser: save the list as it is shown, open, rename and delete views."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.views import flash_error, redirect_back
from workspace.forms import RenameViewForm, SaveViewForm
from workspace.models import ListKey, SavedView
from workspace.services import create_saved_view, delete_saved_view, update_saved_view


def _visible_view(request: HttpRequest, pk: int) -> SavedView:
    return get_object_or_404(SavedView.objects.visible_to(request.user).select_related("owner"), pk=pk)


def _own_view(request: HttpRequest, pk: int) -> SavedView:
    """The user's own view: another's that they can see is a 403, one they can't a 404."""
    view = _visible_view(request, pk)
    if view.owner_id != request.user.pk:
        raise PermissionDenied("Only the owner of this view may change or delete it.")
    return view


@login_required
def saved_view_list(request: HttpRequest) -> HttpResponse:
    """The user's saved views and their teams', by list, with rename and delete for their own."""
    views = list(SavedView.objects.in_menu_of(request.user).select_related("owner", "shared_with_team"))
    return render(request, "workspace/savedview_list.html", {"views": views, "rename_form": RenameViewForm()})


@login_required
def saved_view_menu(request: HttpRequest) -> HttpResponse:
    """The navigation menu's content: the user's views and their teams', grouped by list (fetched when opened)."""
    views = list(SavedView.objects.in_menu_of(request.user).only("id", "name", "list_key", "query", "owner_id"))
    labels = dict(ListKey.choices)
    order = list(labels)
    views.sort(key=lambda view: (order.index(view.list_key), view.name.lower(), view.pk))
    groups = [(labels[key], list(items)) for key, items in groupby(views, key=lambda view: view.list_key)]
    return render(request, "workspace/_nav_menu.html", {"groups": groups})


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the list the user is looking at (its filters, sort and columns) under a name, then open it."""
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        errors = " ".join(f"{form.fields[name].label or name}: {' '.join(e)}" for name, e in form.errors.items())
        messages.error(request, f"The view was not saved. {errors}")
        return redirect_back(request, reverse("workspace:list"))
    try:
        view = create_saved_view(by=request.user, **form.cleaned_data)
    except (ValidationError, ApplicationError) as exc:
        flash_error(request, exc)
        return redirect_back(request, reverse("workspace:list"))
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(view.url)


@login_required
def saved_view_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a saved view: its list with its query string."""
    return redirect(_visible_view(request, pk).url)


@login_required
@require_POST
def saved_view_rename(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename one of the user's own views."""
    view = _own_view(request, pk)
    form = RenameViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the view a name of up to 80 characters.")
        return redirect("workspace:list")
    try:
        update_saved_view(view, by=request.user, data={"name": form.cleaned_data["name"]})
    except (ValidationError, ApplicationError) as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "View renamed.")
    return redirect("workspace:list")


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's own views."""
    view = _own_view(request, pk)
    delete_saved_view(view, by=request.user)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect_back(request, reverse("workspace:list"))
