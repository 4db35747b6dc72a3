"""Refunds asked of the payment platform: reserved, sent, recorded; never more than was paid.

`refund` reserves the amount under the payment's row lock (a `Refund` row, status requested, counted
against what is left), sends the signed request outside any database transaction with the refund's
id as idempotency key, then records the platform's answer. Two officers refunding at once: the
second reservation sees the first and is refused. A request the platform did not answer stays
requested and is sent again (same id) by `retry_refunds` in `egov worker`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.errors import DomainError, ValidationFailed
from egov.payments import client, policies
from egov.payments.models import Payment, Refund
from egov.payments.services import _event, _snapshot

RETRY_AFTER = timedelta(minutes=1)


class RefundRefused(DomainError):
    code = "payment_refund_refused"
    status = 409
    vi = "Không thể hoàn tiền: số tiền hoàn vượt quá số đã thanh toán hoặc khoản thanh toán chưa hoàn tất."
    en = "Refund refused: it exceeds the amount paid or the payment is not settled."


class RefundForbidden(DomainError):
    code = "payment_refund_forbidden"
    status = 403
    vi = "Bạn không có quyền hoàn tiền khoản này."
    en = "You may not refund this payment."


def refund(
    actor: Any, payment: Payment, amount: int, *, idempotency_key: str | None = None, reason: str = ""
) -> Payment:
    """Refund `amount` VND of a paid payment through the platform; returns the payment as recorded."""
    key = idempotency_key if idempotency_key is not None else uuid.uuid4().hex
    if not isinstance(key, str) or not 0 < len(key) <= 64:
        raise ValidationFailed("Khóa chống trùng không hợp lệ.", "Invalid idempotency key.")
    row = _reserve(actor, payment, amount, key, str(reason or "")[:500])
    if row.status == Refund.Status.REQUESTED:
        row = _send(row)
    if row.status == Refund.Status.REFUSED:
        raise RefundRefused(detail={"platform": row.answer})
    return Payment.objects.get(pk=payment.pk)


def _reserve(actor: Any, payment: Payment, amount: int, key: str, reason: str) -> Refund:
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=payment.pk)
        if not policies.may_refund(actor, locked):
            raise RefundForbidden()
        again = Refund.objects.filter(refund_id=key).first()
        if again is not None:
            if again.payment_id != locked.pk or again.amount != amount:
                raise ValidationFailed(
                    "Khóa chống trùng đã được dùng.", "The idempotency key was used already."
                )
            return again
        if type(amount) is not int or amount <= 0 or amount > policies.refundable_amount(locked):
            raise RefundRefused()
        row = Refund.objects.create(
            payment=locked,
            refund_id=key,
            amount=amount,
            reason=reason,
            requested_by=actor,
            created_at=timezone.now(),
        )
        _event(actor, locked, "payment.refund_requested", _snapshot(locked), refund=amount, refund_id=key)
        return row


def _send(row: Refund) -> Refund:
    """The HTTP request, outside any transaction; a time-out leaves the refund requested (retried)."""
    answer = client.request_refund(row.payment.order_id, row.refund_id, row.amount)
    return _record(row.pk, answer)


def _record(refund_pk: int, answer: client.RefundAnswer) -> Refund:
    with transaction.atomic():
        payment_id = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_pk)
        payment = Payment.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=payment_id)
        row = Refund.objects.select_for_update().get(pk=refund_pk)
        if row.status != Refund.Status.REQUESTED:
            return row
        before = _snapshot(payment)
        row.answer = answer.body
        row.settled_at = timezone.now()
        if answer.done:
            row.status, row.refund_no = Refund.Status.DONE, answer.refund_no
            payment.refunded_amount += row.amount
            if payment.refunded_amount == payment.amount:
                payment.status = Payment.Status.REFUNDED
            payment.save(update_fields=["refunded_amount", "status"])
            kind = "payment.refunded"
        else:
            row.status = Refund.Status.REFUSED
            kind = "payment.refund_refused"
        row.save(update_fields=["answer", "settled_at", "status", "refund_no"])
        _event(row.requested_by, payment, kind, before, refund=row.amount, refund_no=row.refund_no)
        return row


def retry_refunds(now: datetime | None = None) -> int:
    """Send again the refunds the platform did not answer (same refund id: no double refund)."""
    now = now or timezone.now()
    sent = 0
    waiting = Refund.objects.filter(status=Refund.Status.REQUESTED, created_at__lte=now - RETRY_AFTER)
    for row in waiting.select_related("payment").order_by("pk"):
        try:
            _send(row)
        except client.PlatformError:
            continue
        sent += 1
    return sent
