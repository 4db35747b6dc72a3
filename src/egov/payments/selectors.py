"""Reads of payments, filtered by the reader's rights."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egov.dossiers.models import Dossier
from egov.payments import fees
from egov.payments.models import Payment


def payments_of_applicant(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier__applicant_id=user.pk).select_related("dossier")


def payment_facts(dossier: Dossier) -> dict[str, Any]:
    """What the back office shows of a dossier's fees (the caller has checked the officer may read it).

    `lines` are `fees.FeeLine`s (with `exempt`), `due` a `fees.Due` or None, `payments` newest first
    with their refunds prefetched.
    """
    return {
        "lines": fees.fee_lines(dossier),
        "total": fees.total_due(dossier),
        "exemption": fees.exemption_of(dossier),
        "due": fees.amount_due(dossier),
        "when": fees.payment_when(),
        "online_payment": dossier.online_payment,
        "payments": list(Payment.objects.filter(dossier=dossier).prefetch_related("refunds").order_by("-pk")),
    }


def dossier_payment(
    dossier: Dossier, *, pk: int | None = None, order_id: str | None = None
) -> Payment | None:
    """One payment of the dossier by id or order id (None for another dossier's: URLs are not trusted)."""
    payments = Payment.objects.filter(dossier=dossier).select_related("dossier")
    if pk is not None:
        payments = payments.filter(pk=pk)
    if order_id is not None:
        payments = payments.filter(order_id=order_id)
    return payments.first()


def recent_payments(dossier: Dossier, limit: int = 5) -> list[Payment]:
    """The dossier's latest payments, newest first (the portal's pay box)."""
    return list(Payment.objects.filter(dossier=dossier).order_by("-pk")[:limit])


def reread(payment: Payment) -> Payment:
    """The payment as now stored (after the platform was asked), with its dossier."""
    return Payment.objects.select_related("dossier").get(pk=payment.pk)
