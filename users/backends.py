"""Authentication backend: Django's model backend, plus every permission for the admin role."""

from django.contrib.auth.backends import ModelBackend


class RoleModelBackend(ModelBackend):
    """Admins (role "admin") configure everything, as the design says, without being Django superusers."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and getattr(user_obj, "role", None) == "admin":
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if user_obj.is_active and getattr(user_obj, "role", None) == "admin":
            return True
        return super().has_module_perms(user_obj, app_label)
