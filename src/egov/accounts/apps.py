from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from oauth2_provider import apps as dot_apps


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")


class AxesConfig(axes_apps.AppConfig):
    """django-axes with a translatable admin name. Listed in INSTALLED_APPS instead of "axes"."""

    default = False
    verbose_name = _("Sign-in lock-outs")


class OAuthConfig(dot_apps.DOTConfig):
    """django-oauth-toolkit with a translatable admin name. Listed instead of "oauth2_provider"."""

    default = False
    verbose_name = _("API access tokens")
