from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "egov.payments"
    label = "payments"
    verbose_name = _("Online payment")

    def ready(self) -> None:
        from egov.core.periodic import register_periodic
        from egov.payments.services import reconcile

        # Lost callbacks are healed by asking the platform; runs in `egov worker`.
        register_periodic("payments.reconcile", 60, reconcile)
