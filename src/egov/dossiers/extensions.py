"""Where other apps plug into the dossier services, which may not import them (they sit above).

An app declares what it plugs in here in its own `flows.py` (`reactions.guard`, `reactions.contribute`).
Each point is asked inside the service's transaction, under the dossier's row lock.
"""

from __future__ import annotations

from egov.core.reactions import Guard, Total
from egov.dossiers.models import Dossier

# Before the desk receives a dossier (e.g. payments: an online dossier's fees are paid first).
BEFORE_RECEIPT: Guard[Dossier] = Guard("dossier.before_receipt")
# Before the result is returned, or a signed electronic result issued (e.g. payments: the fees are
# paid before the result, in before_result mode).
BEFORE_RESULT: Guard[Dossier] = Guard("dossier.before_result")
# The amount asked when the handler requests the financial obligation without one (e.g. payments:
# the fees of the procedure left to pay).
OBLIGATION_AMOUNT: Total[Dossier] = Total("dossier.obligation_amount")
