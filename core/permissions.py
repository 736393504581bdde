"""Role permissions: reading follows `visible_to`, configuration writes follow the role API.md names."""

from rest_framework import permissions


def has_admin_access(request) -> bool:
    """An admin signed in with the session, or with an API token of the `admin` scope.

    A token's scope bounds its user's role: an admin's `read` or `write` token acts as the admin on records (what
    they see) but does not reach admin-only endpoints. The authentication's token (`request.auth`) names its
    `scope`; a session carries none.
    """
    user = request.user
    if not (user and user.is_authenticated and user.is_admin):
        return False
    return getattr(request.auth, "scope", "admin") == "admin"


class IsAdmin(permissions.BasePermission):
    """Admins only, with the session or an admin-scope token."""

    message = "Only admins may do this (with an API token: one of the admin scope)."

    def has_permission(self, request, view):
        return has_admin_access(request)


class IsAdminOrReadOnly(permissions.BasePermission):
    """Anyone signed in reads; only admins write (stages, users, teams), with an admin-scope token if a token."""

    message = "Only admins may change this (with an API token: one of the admin scope)."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or has_admin_access(request)


class IsManagerOrAdmin(permissions.BasePermission):
    """Managers and admins only (scoring, assignment, nurture configuration)."""

    message = "Only managers and admins may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_manage)
