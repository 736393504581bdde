from django.apps import AppConfig


class NurtureConfig(AppConfig):
    name = "nurture"

    def ready(self) -> None:
        from nurture import receivers

        receivers.connect()
