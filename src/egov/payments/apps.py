from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """How payments react to the dossiers and the worker is declared in `egov.payments.flows`."""

    name = "egov.payments"
    label = "payments"
    verbose_name = _("Online payment")
