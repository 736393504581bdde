"""Writes on saved views."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict

from core.lists import PAGE_PARAMS
from core.services import apply_changes, save_validated
from users.models import Team, User
from workspace.exceptions import SavedViewNotOwned, SavedViewShareForbidden
from workspace.models import SavedView

EDITABLE_FIELDS = ["name", "query", "shared_with_team"]
# Not part of a list's shape: the page cursor, and a form's CSRF token should one be pasted in.
DROPPED_PARAMS = {*PAGE_PARAMS, "csrfmiddlewaretoken"}


def normalize_query(query: str) -> str:
    """The list's query string as a view keeps it: no leading "?", no page cursor, encoded once."""
    params = QueryDict(str(query or "").strip().lstrip("?"), mutable=True)
    for name in DROPPED_PARAMS:
        params.pop(name, None)
    for name in list(params):
        if not name or "\x00" in name or any("\x00" in value for value in params.getlist(name)):
            raise ValidationError({"query": "The query string holds a null character."})
    return params.urlencode()


def _check_share(team: Team | None, *, by: User) -> None:
    if team is None:
        return
    if by.is_admin or (by.is_manager and team.manager_id == by.pk):
        return
    raise SavedViewShareForbidden(field="shared_with_team")


def _check_name_free(view: SavedView) -> None:
    taken = SavedView.objects.filter(owner_id=view.owner_id, list_key=view.list_key, name__iexact=view.name)
    if view.name and taken.exclude(pk=view.pk).exists():
        raise ValidationError({"name": "You already have a view with this name on this list."})


def _check_owner(view: SavedView, *, by: User) -> None:
    if view.owner_id != by.pk:
        raise SavedViewNotOwned()


@transaction.atomic
def create_saved_view(
    *, by: User, list_key: str, name: str, query: str = "", shared_with_team: Team | None = None
) -> SavedView:
    """Save a list's filters, sort and columns under `name` for `by`, optionally shared with a team they manage.

    Raises:
        SavedViewShareForbidden: a rep shares, or a manager shares with a team they don't manage.
    """
    _check_share(shared_with_team, by=by)
    view = SavedView(
        owner=by,
        list_key=list_key,
        name=(name or "").strip(),
        query=normalize_query(query),
        shared_with_team=shared_with_team,
    )
    _check_name_free(view)
    save_validated(view)
    return view


@transaction.atomic
def update_saved_view(view: SavedView, *, by: User, data: dict[str, Any]) -> SavedView:
    """Rename a view, replace its query or change its sharing; only its owner may.

    Raises:
        SavedViewNotOwned: `by` is not the owner.
        SavedViewShareForbidden: the new team is not one `by` may share with.
    """
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    _check_owner(view, by=by)
    data = {key: value for key, value in data.items() if key in EDITABLE_FIELDS}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    if "query" in data:
        data["query"] = normalize_query(data["query"])
    if "shared_with_team" in data and data["shared_with_team"] != view.shared_with_team:
        _check_share(data["shared_with_team"], by=by)
    changes = apply_changes(view, data, fields=EDITABLE_FIELDS)
    if changes:
        _check_name_free(view)
        save_validated(view, update_fields=list(changes))
    return view


@transaction.atomic
def delete_saved_view(view: SavedView, *, by: User) -> None:
    """Delete a view; only its owner may.

    Raises:
        SavedViewNotOwned: `by` is not the owner.
    """
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    _check_owner(view, by=by)
    view.delete()
