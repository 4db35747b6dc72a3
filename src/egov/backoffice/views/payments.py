"""Back office: the desk records (or clears) the fee exemption after checking the proof; refunds.

The payments app decides (egov.payments.policies, enforced by egov.payments.exemptions and
egov.payments.refunds); these views read the form, call it and tell the officer the outcome in the
page language.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from egov.backoffice.permissions import officer_required
from egov.backoffice.views.dossier import load_dossier
from egov.core.errors import DomainError, ValidationFailed
from egov.core.templatetags.egov_format import vnd
from egov.core.ui import flash_done, flash_error
from egov.dossiers.models import Dossier
from egov.payments import exemptions, fees, policies, refunds
from egov.payments.models import Payment
from egov.payments.selectors import dossier_payment, payment_facts

TOKEN = re.compile(r"[0-9a-f]{32}")
AMOUNT = re.compile(r"[0-9]{1,3}(?:[. ][0-9]{3})+|[0-9]{1,15}")
MAX_REASON = 500


class RefundAmountInvalid(ValidationFailed):
    code = "refund_amount_invalid"
    vi = "Số tiền hoàn phải là số nguyên dương (đồng), không vượt quá số còn có thể hoàn."
    en = "The refund must be a positive whole number of VND, at most what can still be refunded."


class RefundReasonMissing(ValidationFailed):
    code = "refund_reason_missing"
    vi = "Cần ghi lý do hoàn tiền."
    en = "Give the reason for the refund."


class RefundFormExpired(ValidationFailed):
    code = "refund_form_expired"
    vi = "Biểu mẫu hoàn tiền đã hết hiệu lực; vui lòng tải lại trang và thử lại."
    en = "The refund form has expired; reload the page and try again."


def payment_desk(user: Any, dossier: Dossier) -> dict[str, Any]:
    """The fee lines, the exemption form (desk only) and the refund forms (officers refunds allows)."""
    facts = payment_facts(dossier)
    payments = facts["payments"]
    may_refund = bool(payments) and policies.may_refund(user, payments[0])
    refundable = []
    if may_refund:
        for payment in payments:
            left = policies.refundable_amount(payment)
            if left:
                refundable.append({"payment": payment, "left": left})
    return {
        "lines": facts["lines"],
        "total": facts["total"],
        "exemption": facts["exemption"],
        "offered": (
            fees.exemptions_offered(dossier)
            if policies.may_claim_exemption(user, dossier) and policies.exemption_may_change(dossier)
            else []
        ),
        "refundable": refundable,
        "token": secrets.token_hex(16),
    }


def _back(code: str) -> HttpResponse:
    return redirect(reverse("office:dossier", args=[code]) + "#payments")


@require_POST
@officer_required
def record_exemption(request: HttpRequest, code: str) -> HttpResponse:
    """Record the exemption chosen from those the fee lines offer; an empty choice clears it."""
    dossier = load_dossier(request.user, code)
    chosen = str(request.POST.get("exemption", "")).strip()[:64]
    try:
        recorded = exemptions.claim_exemption(request.user, dossier, chosen)
    except DomainError as err:
        flash_error(request, err)
        return _back(dossier.code)
    if recorded is None:
        flash_done(request, "Đã bỏ đối tượng miễn phí, lệ phí.", "The fee exemption was cleared.")
    else:
        flash_done(
            request,
            f"Đã ghi nhận đối tượng miễn phí, lệ phí: {recorded.name}.",
            f"The fee exemption was recorded: {recorded.name}.",
        )
    return _back(dossier.code)


def _amount(raw: str, left: int) -> int:
    """'20000', '20.000' or '20 000'; empty means everything that is left."""
    text = raw.strip()
    if not text:
        return left
    if len(text) > 20 or not AMOUNT.fullmatch(text):
        raise RefundAmountInvalid(detail={"amount": text[:40]})
    return int(text.replace(".", "").replace(" ", ""))


def _refund(request: HttpRequest, payment: Payment) -> Payment:
    token = str(request.POST.get("token", ""))
    if not TOKEN.fullmatch(token):
        raise RefundFormExpired()
    reason = str(request.POST.get("reason", "")).strip()
    if not reason:
        raise RefundReasonMissing()
    amount = _amount(str(request.POST.get("amount", "")), policies.refundable_amount(payment))
    if amount <= 0:
        raise RefundAmountInvalid(detail={"amount": amount})
    return refunds.refund(request.user, payment, amount, idempotency_key=token, reason=reason[:MAX_REASON])


@require_POST
@officer_required
def refund_payment(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Refund all or part of a paid payment; the form's one-time token makes a double click refund once."""
    dossier = load_dossier(request.user, code)
    payment = dossier_payment(dossier, pk=pk)
    if payment is None:
        raise Http404("payment")
    try:
        done = _refund(request, payment)
    except DomainError as err:
        flash_error(request, err)
        return _back(dossier.code)
    flash_done(
        request,
        f"Đã hoàn tiền khoản {done.order_id}; tổng số đã hoàn {vnd(done.refunded_amount)}.",
        f"Payment {done.order_id} refunded; {vnd(done.refunded_amount)} refunded in all.",
    )
    return _back(dossier.code)


urlpatterns = [
    path("dossiers/<str:code>/payments/exemption/", record_exemption, name="payment_exemption"),
    path("dossiers/<str:code>/payments/<int:pk>/refund/", refund_payment, name="payment_refund"),
]
