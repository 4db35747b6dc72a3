"""The sandbox payment platform: the other side of the protocol (the national node hosts it).

It knows one partner, this node's EGOV_PAYMENT_CLIENT_ID / EGOV_PAYMENT_SECRET.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from egov.core.errors import DomainError
from egov.payments import protocol
from egov.payments.models import SandboxRefund, SandboxTransaction

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class SandboxRefused(DomainError):
    code = "sandbox_refused"


def _secret() -> str:
    return str(settings.EGOV["PAYMENT_SECRET"])


def _partner_ok(fields: dict[str, Any], order: tuple[str, ...]) -> bool:
    return fields.get("client_id") == settings.EGOV["PAYMENT_CLIENT_ID"] and protocol.verify(
        fields, _secret(), order
    )


def _bill(message: dict[str, Any]) -> dict[str, Any]:
    bill = message.get("bill")
    return bill if isinstance(bill, dict) else {}


def create_transaction(message: Any) -> SandboxTransaction:
    """Store a partner's transaction; the same transaction id again returns the same transaction."""
    if not isinstance(message, dict) or not _partner_ok(message, protocol.CREATE_FIELDS):
        raise SandboxRefused("Sai mã kiểm tra.", "Invalid checksum.", code="1")
    amount = message.get("amount")
    if message.get("command") != protocol.COMMAND_PAY or type(amount) is not int or amount <= 0:
        raise SandboxRefused("Yêu cầu không hợp lệ.", "Invalid request.", code="2")
    existing = SandboxTransaction.objects.filter(transaction_id=str(message["transaction_id"])).first()
    if existing is not None:
        if existing.amount != amount:
            raise SandboxRefused("Trùng mã giao dịch.", "Duplicate transaction id.", code="3")
        return existing
    try:
        with transaction.atomic():
            return SandboxTransaction.objects.create(
                client_id=message["client_id"],
                transaction_id=str(message["transaction_id"]),
                transaction_no=secrets.token_hex(8).upper(),
                amount=amount,
                description=str(message.get("description", ""))[:300],
                return_url=str(message["return_url"]),
                callback_url=str(message["callback_url"]),
                bill={**_bill(message), "expire_date": str(message.get("expire_date", ""))[:14]},
                created_at=timezone.now(),
            )
    except IntegrityError:
        return SandboxTransaction.objects.get(transaction_id=str(message["transaction_id"]))


def record(txn: SandboxTransaction) -> dict[str, Any]:
    """The signed record of a transaction, as sent in callbacks and status answers."""
    code = {"paid": protocol.CODE_PAID, "failed": protocol.CODE_FAILED}.get(txn.status, protocol.CODE_PENDING)
    paid_at = timezone.localtime(txn.paid_at) if txn.paid_at else None
    fields = {
        "client_id": txn.client_id,
        "order_id": txn.transaction_id,
        "transaction_no": txn.transaction_no,
        "amount": txn.amount,
        "pay_date": paid_at.strftime(protocol.PAY_DATE_FORMAT) if paid_at else "",
        "error_code": code,
    }
    return protocol.signed(fields, _secret(), protocol.CALLBACK_FIELDS)


def status_of(transaction_id: str, query: dict[str, Any]) -> dict[str, Any]:
    fields = {**query, "order_id": transaction_id}
    if not _partner_ok(fields, protocol.QUERY_FIELDS):
        raise SandboxRefused("Sai mã kiểm tra.", "Invalid checksum.", code="1")
    txn = SandboxTransaction.objects.filter(transaction_id=transaction_id).first()
    if txn is None:
        raise SandboxRefused("Không tìm thấy giao dịch.", "Unknown transaction.", code="4")
    return record(txn)


def expired(txn: SandboxTransaction) -> bool:
    """Past the partner's expire_date (kept in the stored message): the platform takes no money."""
    text = str((txn.bill or {}).get("expire_date") or "")
    try:
        deadline = datetime.strptime(text, protocol.PAY_DATE_FORMAT).replace(tzinfo=VN)
    except ValueError:
        return False
    return timezone.now() > deadline


def pay(txn: SandboxTransaction, outcome: str) -> None:
    """The payer's choice: 'success' and 'fail' call the partner back; 'silent' pays and never does."""
    with transaction.atomic():
        locked = SandboxTransaction.objects.select_for_update().get(pk=txn.pk)
        if locked.status == SandboxTransaction.Status.PENDING:
            paid = outcome in ("success", "silent") and not expired(locked)
            locked.status = SandboxTransaction.Status.PAID if paid else SandboxTransaction.Status.FAILED
            locked.paid_at = timezone.now() if paid else None
            locked.save(update_fields=["status", "paid_at"])
    if outcome != "silent":
        with contextlib.suppress(httpx.TransportError):  # the partner reconciles with a status query
            httpx.post(locked.callback_url, json=record(locked), timeout=10.0)


def pay_order(order_id: str, outcome: str = "success") -> None:
    """What the payer page does when the payer presses a button, without a browser (tests, benchmark).

    The platform's callback still goes over HTTP to the partner's callback URL.
    """
    pay(SandboxTransaction.objects.get(transaction_id=order_id), outcome)


def _refund_answer(
    txn: SandboxTransaction, refund_id: str, amount: int, refund_no: str, code: str
) -> dict[str, Any]:
    fields = {
        "client_id": txn.client_id,
        "order_id": txn.transaction_id,
        "refund_id": refund_id,
        "refund_no": refund_no,
        "amount": amount,
        "error_code": code,
    }
    return protocol.signed(fields, _secret(), protocol.REFUND_ANSWER_FIELDS)


def refund(message: Any) -> dict[str, Any]:
    """Pay back part or all of a paid transaction, never more than was paid; idempotent per refund id."""
    if not isinstance(message, dict) or not _partner_ok(message, protocol.REFUND_FIELDS):
        raise SandboxRefused("Sai mã kiểm tra.", "Invalid checksum.", code="1")
    amount, refund_id = message.get("amount"), message.get("refund_id")
    if (
        message.get("command") != protocol.COMMAND_REFUND
        or type(amount) is not int
        or amount <= 0
        or not isinstance(refund_id, str)
        or not 0 < len(refund_id) <= 64
    ):
        raise SandboxRefused("Yêu cầu không hợp lệ.", "Invalid request.", code="2")
    with transaction.atomic():
        txn = (
            SandboxTransaction.objects.select_for_update()
            .filter(transaction_id=str(message["order_id"]))
            .first()
        )
        if txn is None:
            raise SandboxRefused("Không tìm thấy giao dịch.", "Unknown transaction.", code="4")
        done = SandboxRefund.objects.filter(refund_id=refund_id).first()
        if done is not None:
            if done.transaction_id != txn.pk or done.amount != amount:
                raise SandboxRefused("Trùng mã hoàn tiền.", "Duplicate refund id.", code="3")
            return _refund_answer(txn, refund_id, amount, done.refund_no, protocol.CODE_PAID)
        refunded = txn.refunds.aggregate(total=Sum("amount"))["total"] or 0
        if txn.status != SandboxTransaction.Status.PAID or refunded + amount > txn.amount:
            return _refund_answer(txn, refund_id, amount, "", protocol.CODE_FAILED)
        made = SandboxRefund.objects.create(
            transaction=txn,
            refund_id=refund_id,
            refund_no="R" + secrets.token_hex(8).upper(),
            amount=amount,
            created_at=timezone.now(),
        )
        return _refund_answer(txn, refund_id, amount, made.refund_no, protocol.CODE_PAID)
