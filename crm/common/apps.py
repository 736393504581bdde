from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommonConfig(AppConfig):
    default = True
    name = "crm.common"
    label = "common"

    def ready(self) -> None:
        from crm.common import checks  # noqa: F401 - registers the deploy checks


class FunnelAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "crm.common.admin.FunnelAdminSite"
