"""Admin building blocks that stay fast at a million rows."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a change list never scans a whole large table to count it."""

    @cached_property
    def count(self) -> int:
        query = self.object_list.values("pk").order_by()[: COUNT_CAP + 1].query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608 - sql is the ORM's own compiled query, values stay parameters  # nosec B608
            return cursor.fetchone()[0]


class FastModelAdmin(admin.ModelAdmin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50


class FunnelAdminSite(admin.AdminSite):
    """The admin for users with the admin role (and Django superusers), whatever their `is_staff` flag."""

    site_header = "Funnel CRM administration"
    site_title = "Funnel CRM admin"
    index_title = "Configuration and records"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_admin", False))
