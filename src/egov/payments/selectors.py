"""Reads of payments, filtered by the reader's rights."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egov.payments.models import Payment


def payments_of_applicant(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier__applicant_id=user.pk).select_related("dossier")
