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
