"""Sign-in, second factor, TOTP set-up, recovery codes, sign-up and sign-out (mounted at /accounts/)."""

from django.urls import path

from egov.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.second_factor, name="second_factor"),
    path("login/setup/", views.totp_setup, name="totp_setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
]
