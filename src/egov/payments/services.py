"""Every state change of a payment: start, callback, reconciliation, refund.

Network calls never run inside a database transaction: `start_payment` stores the payment (one
transaction), asks the platform for a transaction (idempotent on the order id, so a retry with the
same idempotency key is safe), then marks it pending (another transaction).

A confirmed payment sets the dossier's DuocThanhToanTrucTuyen and, for a financial obligation
(status 6), confirms it, all in the transaction that records the payment as paid.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import DomainError, ValidationFailed
from egov.core.events import record_event
from egov.dossiers.models import Dossier, OnlinePayment, Status
from egov.dossiers.services.processing import settle_financial_obligation
from egov.payments import client, fees, protocol
from egov.payments.models import Payment, PaymentAttempt

SETTLED = (Payment.Status.PAID, Payment.Status.FAILED, Payment.Status.REFUNDED)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


class NotApplicant(DomainError):
    code = "payment_not_applicant"
    status = 403
    vi = "Chỉ người nộp hồ sơ được thanh toán phí, lệ phí của hồ sơ."
    en = "Only the applicant may pay the dossier's fees."


class NothingToPay(DomainError):
    code = "payment_nothing_to_pay"
    status = 409
    vi = "Hồ sơ hiện không có khoản phí, lệ phí nào phải thanh toán trực tuyến."
    en = "There is nothing to pay online for this dossier now."


class FeesNotPaid(DomainError):
    code = "fees_not_paid"
    status = 409
    vi = (
        "Hồ sơ nộp trực tuyến chưa được thanh toán phí, lệ phí: bộ phận một cửa chỉ tiếp nhận "
        "sau khi người nộp đã thanh toán."
    )
    en = "The fees of this online dossier are not paid yet: the desk receives it once the applicant has paid."


class FeesNotPaidForResult(DomainError):
    code = "fees_not_paid_for_result"
    status = 409
    vi = (
        "Người nộp chưa thanh toán phí, lệ phí của hồ sơ: hãy yêu cầu thực hiện nghĩa vụ tài chính; kết "
        "quả được cấp, trả sau khi đã thanh toán."
    )
    en = (
        "The applicant has not paid the dossier's fees: request the financial obligation; the result is "
        "issued and returned once they are paid."
    )


@dataclass(frozen=True)
class CallbackAnswer:
    ok: bool
    code: str = "00"
    vi: str = ""
    en: str = ""

    def as_body(self) -> dict[str, Any]:
        if self.ok:
            return {"result": "success"}
        return {"result": "error", "error": {"code": self.code, "message": {"vi": self.vi, "en": self.en}}}


ACCEPTED = CallbackAnswer(ok=True)
BAD_CHECKSUM = CallbackAnswer(False, "bad_checksum", "Sai mã kiểm tra (checksum).", "Invalid checksum.")
UNKNOWN_ORDER = CallbackAnswer(False, "unknown_order", "Không tìm thấy giao dịch.", "Unknown order id.")
AMOUNT_MISMATCH = CallbackAnswer(
    False, "amount_mismatch", "Số tiền không khớp với khoản phải nộp.", "The amount does not match."
)


@dataclass
class ReconcileReport:
    paid: int = 0
    failed: int = 0
    expired: int = 0
    still_pending: int = 0
    errors: list[str] = field(default_factory=list)


def _snapshot(payment: Payment) -> dict[str, Any]:
    """Not `status`: on the dossier's timeline that key means the dossier's status."""
    return {
        "payment_status": payment.status,
        "amount": payment.amount,
        "refunded_amount": payment.refunded_amount,
    }


def _event(actor: Any, payment: Payment, kind: str, before: dict[str, Any], **data: Any) -> None:
    """On the dossier's timeline (aggregate id = dossier code, like the dossier's own events)."""
    record_event(
        actor=actor,
        aggregate_type="dossier",
        aggregate_id=payment.dossier.code,
        kind=kind,
        before=before,
        after=_snapshot(payment),
        data={"order_id": payment.order_id, **data},
    )


def _clean_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for line in lines:
        name, amount = line.get("name"), line.get("amount")
        if not isinstance(name, str) or not name or type(amount) is not int or amount <= 0:
            raise ValidationFailed(
                "Mỗi dòng phí cần tên và số tiền (VND) dương.",
                "Each fee line needs a name and a positive VND amount.",
            )
        extra = {k: str(line[k])[:40] for k in ("code", "kind") if isinstance(line.get(k), str) and line[k]}
        cleaned.append({**extra, "name": name[:300], "amount": amount})
    if not cleaned:
        raise ValidationFailed("Chưa có khoản phí nào.", "There is no fee line.")
    return cleaned


def pay_due(actor: Any, dossier: Dossier, *, idempotency_key: str) -> Payment:
    """Start paying what the dossier owes now (computed here, never taken from the request)."""
    if actor is None or dossier.applicant_id is None or actor.pk != dossier.applicant_id:
        raise NotApplicant()
    due = fees.amount_due(dossier)
    if due is None:
        raise NothingToPay()
    return start_payment(
        actor, dossier, lines=due.lines, idempotency_key=idempotency_key, purpose=due.purpose
    )


def start_payment(
    actor: Any,
    dossier: Dossier,
    *,
    lines: list[dict[str, Any]],
    idempotency_key: str,
    purpose: str = Payment.Purpose.FEES,
) -> Payment:
    """Create (or find again, by idempotency key) the payment and its transaction on the platform.

    While a payment of the same amount is open for the dossier, a new key gets that payment back:
    two tabs or a reload never open two transactions.
    """
    payment = _store_payment(actor, dossier, _clean_lines(lines), idempotency_key, purpose)
    if payment.status != Payment.Status.CREATED:
        return payment
    created = client.create_transaction(_create_message(payment))
    return _mark_pending(payment.pk, created.payment_url)


def _store_payment(
    actor: Any, dossier: Dossier, lines: list[dict[str, Any]], key: str, purpose: str
) -> Payment:
    if not isinstance(key, str) or not key or len(key) > 64:
        raise ValidationFailed("Khóa chống trùng không hợp lệ.", "Invalid idempotency key.")
    if actor is None or dossier.applicant_id is None or actor.pk != dossier.applicant_id:
        raise NotApplicant()
    if purpose not in Payment.Purpose.values:
        raise ValidationFailed(detail={"purpose": purpose})
    existing = Payment.objects.filter(dossier=dossier, idempotency_key=key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    amount = sum(line["amount"] for line in lines)
    minutes = int(str(settings.EGOV["PAYMENT_EXPIRY_MINUTES"]))
    try:
        with transaction.atomic():
            # The dossier row serialises starts, so two keys at once still open one payment.
            Dossier.objects.select_for_update(of=("self",)).only("pk").get(pk=dossier.pk)
            open_one = _open_payment(dossier, amount, purpose, now)
            if open_one is not None:
                return open_one
            payment = Payment.objects.create(
                dossier=dossier,
                purpose=purpose,
                idempotency_key=key,
                order_id=f"{dossier.code}-{secrets.token_hex(4).upper()}",
                amount=amount,
                lines=lines,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
            _event(actor, payment, "payment.created", {}, lines=lines, purpose=purpose)
    except IntegrityError:
        return Payment.objects.get(dossier=dossier, idempotency_key=key)
    return payment


def _open_payment(dossier: Dossier, amount: int, purpose: str, now: datetime) -> Payment | None:
    return (
        Payment.objects.filter(
            dossier=dossier,
            purpose=purpose,
            amount=amount,
            status__in=(Payment.Status.CREATED, Payment.Status.PENDING),
            expires_at__gt=now,
        )
        .order_by("-pk")
        .first()
    )


def _create_message(payment: Payment) -> dict[str, Any]:
    dossier = payment.dossier
    node = client.public_url()
    return {
        "client_id": settings.EGOV["PAYMENT_CLIENT_ID"],
        "transaction_id": payment.order_id,
        "amount": payment.amount,
        "command": protocol.COMMAND_PAY,
        "version": protocol.VERSION,
        "locale": "vi",
        "return_url": node + reverse("payments:return", args=[payment.order_id]),
        "callback_url": node + reverse("payments:callback"),
        "description": f"Nộp phí, lệ phí hồ sơ {dossier.code}"[:300],
        # The platform must not take money after the node gave up on the order (see reconcile).
        "expire_date": timezone.localtime(payment.expires_at, VN).strftime(protocol.PAY_DATE_FORMAT),
        "bill": {
            "service_type": "fee",
            "beneficiary_account": settings.EGOV["PAYMENT_BENEFICIARY"],
            "unit": "VND",
            "lines": payment.lines,
            "dossier_code": dossier.code,
            "procedure_code": dossier.procedure_version.procedure.code,
            "payer": dossier.applicant_name,
        },
    }


def _mark_pending(payment_id: int, payment_url: str) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == Payment.Status.CREATED:
            before = _snapshot(payment)
            payment.status = Payment.Status.PENDING
            payment.payment_url = payment_url
            payment.save(update_fields=["status", "payment_url"])
            PaymentAttempt.objects.create(
                payment=payment,
                kind="create",
                payload={"payment_url": payment_url},
                checksum_ok=True,
                outcome="pending",
                created_at=timezone.now(),
            )
            _event(None, payment, "payment.pending", before)
    return payment


LOGGED_FIELDS = (*protocol.CALLBACK_FIELDS, "checksum")
LOGGED_CHARS = 200


def _log(payment: Payment | None, kind: str, payload: Any, ok: bool, outcome: str) -> None:
    """Keep what the platform sent; from an unauthenticated sender only the protocol's fields, cut short,
    so anyone posting to the callback cannot fill the log with what they like."""
    if ok and isinstance(payload, dict):
        stored = payload
    elif isinstance(payload, dict):
        stored = {k: str(payload[k])[:LOGGED_CHARS] for k in LOGGED_FIELDS if k in payload}
    else:
        stored = {"raw": str(payload)[:LOGGED_CHARS]}
    PaymentAttempt.objects.create(
        payment=payment, kind=kind, payload=stored, checksum_ok=ok, outcome=outcome, created_at=timezone.now()
    )


def _pay_date(text: Any) -> datetime:
    try:
        return datetime.strptime(str(text), protocol.PAY_DATE_FORMAT).replace(tzinfo=VN)
    except ValueError:
        return timezone.now()


def handle_callback(payload: Any) -> CallbackAnswer:
    """The platform's signed confirmation. Rejections change nothing but the log; replays are no-ops."""
    with transaction.atomic():
        return _settle(payload, kind="callback")


def _settle(payload: Any, *, kind: str) -> CallbackAnswer:
    """Apply a signed platform record (callback or status answer); runs in the caller's transaction."""
    secret = str(settings.EGOV["PAYMENT_SECRET"])
    if not isinstance(payload, dict) or not protocol.verify(payload, secret, protocol.CALLBACK_FIELDS):
        _log(None, kind, payload, False, "rejected: checksum")
        return BAD_CHECKSUM
    payment = Payment.objects.select_for_update().filter(order_id=str(payload.get("order_id"))).first()
    if payment is None or payload.get("client_id") != settings.EGOV["PAYMENT_CLIENT_ID"]:
        _log(None, kind, payload, True, "rejected: unknown order")
        return UNKNOWN_ORDER
    if str(payload.get("amount")) != str(payment.amount):
        _log(payment, kind, payload, True, "rejected: amount mismatch")
        return AMOUNT_MISMATCH
    code = payload.get("error_code")
    if payment.status in SETTLED or code == protocol.CODE_PENDING:
        _log(payment, kind, payload, True, "no-op: already settled" if payment.status in SETTLED else "no-op")
        return ACCEPTED
    before = _snapshot(payment)
    payment.transaction_no = str(payload.get("transaction_no", ""))[:64]
    if code == protocol.CODE_PAID:
        payment.status = Payment.Status.PAID
        payment.paid_at = _pay_date(payload.get("pay_date"))
    else:
        payment.status = Payment.Status.FAILED
    payment.save(update_fields=["status", "paid_at", "transaction_no"])
    _log(payment, kind, payload, True, payment.status)
    if payment.status == Payment.Status.PAID:
        _after_paid(payment, kind, before)
    else:
        _event(None, payment, "payment.failed", before, source=kind, error_code=code)
    return ACCEPTED


def _flag_duplicate(payment: Payment) -> None:
    """A second payment for the same purpose (a late payment of an expired order, two platforms' pages
    left open): the money came in and is recorded, and the desk is told to refund it."""
    others = Payment.objects.filter(
        dossier_id=payment.dossier_id, purpose=payment.purpose, status=Payment.Status.PAID
    ).exclude(pk=payment.pk)
    first = others.order_by("paid_at", "pk").first()
    if first is not None:
        _event(None, payment, "payment.duplicate", _snapshot(payment), duplicate_of=first.order_id)


def online_payment_kind() -> int:
    """DuocThanhToanTrucTuyen: 1 national platform (or its sandbox), 2 a local gateway."""
    if settings.EGOV.get("PAYMENT_PLATFORM_KIND") == "local":
        return OnlinePayment.LOCAL_GATEWAY
    return OnlinePayment.NATIONAL_PLATFORM


def _after_paid(payment: Payment, source: str, before: dict[str, Any]) -> None:
    """In the paying transaction: the dossier's DuocThanhToanTrucTuyen, the event, status 6 ends."""
    kind = online_payment_kind()
    Dossier.objects.filter(pk=payment.dossier_id).update(online_payment=kind, updated_at=timezone.now())
    _event(None, payment, "payment.paid", before, source=source, online_payment=kind)
    _flag_duplicate(payment)
    if payment.purpose != Payment.Purpose.OBLIGATION:
        return
    dossier = Dossier.objects.get(pk=payment.dossier_id)
    if dossier.status == Status.FINANCIAL:
        settle_financial_obligation(
            dossier,
            note=f"Đã thanh toán trực tuyến / paid online: {payment.transaction_no}",
            data={"order_id": payment.order_id, "amount": payment.amount},
        )


def check_with_platform(payment: Payment) -> CallbackAnswer:
    """Ask the platform for the payment's signed record and apply it like a callback."""
    answer = client.query_status(payment.order_id)
    with transaction.atomic():
        return _settle(answer, kind="query")


def reconcile(now: datetime | None = None) -> ReconcileReport:
    """Settle pending payments whose callback is late by asking the platform; expire the stale ones."""
    now = now or timezone.now()
    report = ReconcileReport()
    stale = now - timedelta(minutes=int(str(settings.EGOV["PAYMENT_RECONCILE_MINUTES"])))
    pending = Payment.objects.filter(status=Payment.Status.PENDING, created_at__lte=stale).order_by("pk")
    for payment in pending.iterator():
        try:
            check_with_platform(payment)
        except client.PlatformError as err:
            report.errors.append(f"{payment.order_id}: {err.code}")
            continue
        payment.refresh_from_db()
        if payment.status == Payment.Status.PAID:
            report.paid += 1
        elif payment.status == Payment.Status.FAILED:
            report.failed += 1
        elif _expire(payment.pk, now):
            report.expired += 1
        else:
            report.still_pending += 1
    for payment_id in Payment.objects.filter(status=Payment.Status.CREATED, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        report.expired += int(_expire(payment_id, now))
    return report


def _expire(payment_id: int, now: datetime) -> bool:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status not in (Payment.Status.CREATED, Payment.Status.PENDING) or payment.expires_at > now:
            return False
        before = _snapshot(payment)
        payment.status = Payment.Status.EXPIRED
        payment.save(update_fields=["status"])
        _event(None, payment, "payment.expired", before)
        return True


def check_fees_paid_for_result(dossier: Dossier) -> None:
    """Before-result mode: no result (returned or signed and sent) while the fees are unpaid."""
    if fees.result_withheld(dossier):
        raise FeesNotPaidForResult(detail={"dossier": dossier.code, "amount": fees.total_due(dossier)})


def check_fees_paid(dossier: Dossier) -> None:
    """Before-receipt mode: the desk cannot receive an online dossier whose fees are unpaid.

    Counter and post dossiers pay at the desk; a free (or exempted) procedure is never held.
    """
    if fees.receipt_blocked(dossier):
        raise FeesNotPaid(detail={"dossier": dossier.code, "amount": fees.total_due(dossier)})
