"""What an actor may do with a dossier's money now, asked by the payment services and both UIs.

`refunds.refund` and `exemptions.claim_exemption` enforce these rules under their row locks; the
back office's payment panel and the portal's pay box ask the same functions which forms to show, so
a page never offers what the service would refuse.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone

from egov.core.roles import Role
from egov.dossiers.models import ACTIVE_STATUSES, Dossier
from egov.dossiers.permissions import holds_role, is_applicant, is_desk
from egov.payments.models import Payment, Refund

# Money goes back only on the word of the desk that took the dossier or of the agency's leader;
# specialists, clerks and (read-only) supervisors of the agency cannot refund.
REFUND_ROLES = (Role.DESK, Role.LEADER)
REFUNDABLE = (Payment.Status.PAID, Payment.Status.REFUNDED)
OPEN = (Payment.Status.CREATED, Payment.Status.PENDING)
# A payment the platform confirmed has its electronic receipt (biên lai), kept after a refund.
RECEIPTED = (Payment.Status.PAID, Payment.Status.REFUNDED)


def has_receipt(payment: Payment) -> bool:
    return payment.status in RECEIPTED


def awaiting_confirmation(payment: Payment) -> bool:
    """Created or sent to the platform, not yet confirmed or failed: the payer's page keeps asking."""
    return payment.status in OPEN


def may_refund(actor: Any, payment: Payment) -> bool:
    """The desk or the leader of the dossier's agency, or of the agency that took over its work."""
    return getattr(actor, "kind", "") == "officer" and holds_role(
        actor, payment.dossier.agency_id, *REFUND_ROLES
    )


def refundable_amount(payment: Payment) -> int:
    """What is left to refund: paid, minus refunded, minus refunds still waiting for the platform."""
    if payment.status not in REFUNDABLE:
        return 0
    waiting = payment.refunds.filter(status=Refund.Status.REQUESTED).aggregate(t=Sum("amount"))["t"] or 0
    return max(payment.amount - payment.refunded_amount - waiting, 0)


def may_claim_exemption(actor: Any, dossier: Dossier) -> bool:
    """The applicant claims it in the pay box; the desk records it after checking the proof."""
    return is_applicant(actor, dossier) or is_desk(actor, dossier)


def exemption_locked(dossier: Dossier) -> bool:
    """A payment is open (not expired) or paid: the amount it was made for must not change."""
    payments = Payment.objects.filter(dossier=dossier)
    return (
        payments.filter(status=Payment.Status.PAID).exists()
        or payments.filter(status__in=OPEN, expires_at__gt=timezone.now()).exists()
    )


def exemption_may_change(dossier: Dossier) -> bool:
    """While the dossier is active and no payment holds the amount."""
    return dossier.status in ACTIVE_STATUSES and not exemption_locked(dossier)
