from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("login/code/", views.two_factor_verify, name="two_factor_verify"),
    path("settings/two-factor/", views.two_factor_settings, name="two_factor"),
    path("settings/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("settings/two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("settings/two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("settings/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
]
