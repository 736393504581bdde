from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "core"
    label = "core"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from core import checks  # noqa: F401 - registers the deploy checks

        # Every app's reactions to the events of the apps below it (core.events).
        autodiscover_modules("subscribers")


class FunnelAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin.FunnelAdminSite"
