from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "egov.results"
    label = "results"
    verbose_name = _("Electronic results")

    def ready(self) -> None:
        from egov.results import checks  # noqa: F401  (registers the revocation-list check)
