from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    label = "users"
    verbose_name = "Users and teams"

    def ready(self) -> None:
        from users import (
            audit,  # noqa: F401 - connects the sign-in audit receivers
            throttling,  # noqa: F401 - registers the check of FUNNEL_TOKEN_RATE
        )
