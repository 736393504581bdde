"""Domain errors of saved views."""

from core.exceptions import PermissionDenied


class SavedViewNotOwned(PermissionDenied):
    code = "saved_view_not_owned"
    default_detail = "Only the owner of this view may change or delete it."


class SavedViewShareForbidden(PermissionDenied):
    code = "saved_view_share_forbidden"
    default_detail = "Only managers and admins may share a view, and only with a team they manage."
