from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "egov.payments"
    label = "payments"
    verbose_name = _("Online payment")

    def ready(self) -> None:
        from egov.core.periodic import register_periodic
        from egov.dossiers.services import closing, intake, processing
        from egov.payments.fees import obligation_default
        from egov.payments.refunds import retry_refunds
        from egov.payments.services import check_fees_paid, check_fees_paid_for_result, reconcile

        # Lost callbacks are healed by asking the platform; runs in `egov worker`.
        register_periodic("payments.reconcile", 60, reconcile)
        register_periodic("payments.refunds", 60, retry_refunds)
        # The dossier services may not import payments: they call back through these hooks.
        if check_fees_paid not in intake.RECEIVE_CHECKS:
            intake.RECEIVE_CHECKS.append(check_fees_paid)
        if check_fees_paid_for_result not in closing.RESULT_CHECKS:
            closing.RESULT_CHECKS.append(check_fees_paid_for_result)
        if obligation_default not in processing.DEFAULT_OBLIGATION_AMOUNT:
            processing.DEFAULT_OBLIGATION_AMOUNT.append(obligation_default)
