"""How payments react.

- The dossier services ask before a receipt and before a result whether the fees allow it (in the
  mode `EGOV_PAYMENT_WHEN` chooses), and what to ask when a financial obligation names no amount.
- `egov worker` heals lost callbacks by asking the platform, and sends again unanswered refunds.
"""

from __future__ import annotations

from egov.core import reactions
from egov.dossiers import extensions
from egov.payments.fees import obligation_default
from egov.payments.refunds import retry_refunds
from egov.payments.services import check_fees_paid, check_fees_paid_for_result, reconcile

reactions.guard(extensions.BEFORE_RECEIPT, check_fees_paid)
reactions.guard(extensions.BEFORE_RESULT, check_fees_paid_for_result)
reactions.contribute(extensions.OBLIGATION_AMOUNT, obligation_default)
reactions.every("payments.reconcile", 60, reconcile)
reactions.every("payments.refunds", 60, retry_refunds)
