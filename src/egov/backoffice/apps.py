from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "egov.backoffice"
    verbose_name = _("Electronic one-stop office")
