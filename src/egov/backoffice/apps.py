from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "egov.backoffice"
    verbose_name = "Một cửa điện tử"
