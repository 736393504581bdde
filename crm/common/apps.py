from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "crm.common"
    label = "common"

    def ready(self) -> None:
        from crm.common import checks  # noqa: F401 - registers the deploy checks
