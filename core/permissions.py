"""Role permissions: reading follows `visible_to`, configuration writes follow the role API.md names."""

from rest_framework import permissions


class IsAdminOrReadOnly(permissions.BasePermission):
    """Anyone signed in reads; only admins write (stages, users, teams)."""

    message = "Only admins may change this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or request.user.is_admin


class IsManagerOrAdmin(permissions.BasePermission):
    """Managers and admins only (scoring, assignment, nurture configuration)."""

    message = "Only managers and admins may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_manage)
