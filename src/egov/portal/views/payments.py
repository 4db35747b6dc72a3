"""Paying a dossier's fees online from My dossiers: the pay box, the payment's page, the e-receipt.

Only the applicant sees or starts a payment (anyone else gets a 404, as in My dossiers). What to pay
is computed on the server from the catalogue, never read from the form; the form carries only a
one-time token, used as the payment's idempotency key, so a double click opens one payment.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from egov.core.errors import DomainError
from egov.core.ui import flash_done, flash_error, in_language
from egov.dossiers.models import Dossier
from egov.payments import client, exemptions, fees, policies, services
from egov.payments.models import Payment
from egov.payments.receipt import beneficiary, receipt_pdf
from egov.payments.selectors import dossier_payment, recent_payments, reread
from egov.portal.views.mine import own_dossier


def _own_payment(request: HttpRequest, code: str, order_id: str) -> Payment:
    dossier = own_dossier(request, code)
    payment = dossier_payment(dossier, order_id=order_id)
    if payment is None:
        raise Http404("payment")
    return payment


def status_label(payment: Payment) -> str:
    vi, _sep, en = str(Payment.Status(payment.status).label).partition(" / ")
    return in_language(vi, en[:1].upper() + en[1:] if en else vi)


def pay_box_context(dossier: Dossier) -> dict[str, Any]:
    """What the pay box on the dossier's pages shows: fee lines, exemption, what is due, payments."""
    lines = fees.fee_lines(dossier)
    payments = recent_payments(dossier)
    offered = fees.exemptions_offered(dossier)
    return {
        "dossier": dossier,
        "lines": lines,
        "total": sum(line.due for line in lines),
        "due": fees.amount_due(dossier),
        "mode": fees.payment_when(),
        "exemption": fees.exemption_of(dossier),
        "offered": offered,
        "can_claim": bool(offered) and policies.exemption_may_change(dossier),
        "payments": [
            {"payment": p, "label": status_label(p), "has_receipt": policies.has_receipt(p)} for p in payments
        ],
        "token": secrets.token_urlsafe(16),
    }


@login_required
@require_POST
def my_pay(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    try:
        payment = services.pay_due(request.user, dossier, idempotency_key=request.POST.get("token", ""))
    except DomainError as err:
        flash_error(request, err)
        return redirect("portal:my_dossier", code=dossier.code)
    if payment.status == Payment.Status.PENDING and payment.payment_url:
        return HttpResponseRedirect(payment.payment_url)  # the platform's payer page
    return redirect("portal:my_payment", code=dossier.code, order_id=payment.order_id)


@login_required
@require_POST
def my_exemption(request: HttpRequest, code: str) -> HttpResponse:
    dossier = own_dossier(request, code)
    try:
        claimed = exemptions.claim_exemption(request.user, dossier, request.POST.get("exemption", ""))
    except DomainError as err:
        flash_error(request, err)
    else:
        if claimed is None:
            flash_done(request, "Đã bỏ đối tượng miễn phí, lệ phí.", "The fee exemption was withdrawn.")
        else:
            flash_done(
                request,
                "Đã ghi nhận đối tượng miễn phí, lệ phí. Bộ phận một cửa sẽ kiểm tra giấy tờ chứng minh.",
                "The fee exemption was recorded. The one-stop desk will check the supporting document.",
            )
    return redirect("portal:my_dossier", code=dossier.code)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_payment(request: HttpRequest, code: str, order_id: str) -> HttpResponse:
    """Where the payer lands back from the platform: paid, failed or still waiting (polled by htmx)."""
    payment = _own_payment(request, code, order_id)
    partial = request.headers.get("HX-Request") == "true"
    if not partial and payment.status == Payment.Status.PENDING:
        payment = _ask_platform(payment)
    context = {
        "payment": payment,
        "dossier": payment.dossier,
        "label": status_label(payment),
        "has_receipt": policies.has_receipt(payment),
        "waiting": policies.awaiting_confirmation(payment),
    }
    template = "portal/payments/_status.html" if partial else "portal/payments/payment.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


def _ask_platform(payment: Payment) -> Payment:
    """Back from the platform without a callback yet: ask once (a failure leaves it to the worker)."""
    try:
        services.check_with_platform(payment)
    except client.PlatformError:
        return payment
    return reread(payment)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_payment_receipt(request: HttpRequest, code: str, order_id: str) -> HttpResponse:
    """The electronic receipt (biên lai điện tử) of a confirmed payment, printable."""
    payment = _own_payment(request, code, order_id)
    if not policies.has_receipt(payment):
        raise Http404("receipt")
    dossier = payment.dossier
    context = {
        "payment": payment,
        "dossier": dossier,
        "procedure": dossier.procedure_version.procedure,
        "agency": beneficiary(payment),
        "beneficiary_account": settings.EGOV["PAYMENT_BENEFICIARY"],
        "label": status_label(payment),
    }
    return render(request, "portal/payments/receipt.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_payment_receipt_pdf(request: HttpRequest, code: str, order_id: str) -> HttpResponse:
    payment = _own_payment(request, code, order_id)
    if not policies.has_receipt(payment):
        raise Http404("receipt")
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.order_id}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("my/dossiers/<str:code>/pay/", my_pay, name="my_pay"),
    path("my/dossiers/<str:code>/exemption/", my_exemption, name="my_exemption"),
    path("my/dossiers/<str:code>/payments/<str:order_id>/", my_payment, name="my_payment"),
    path(
        "my/dossiers/<str:code>/payments/<str:order_id>/receipt/",
        my_payment_receipt,
        name="my_payment_receipt",
    ),
    path(
        "my/dossiers/<str:code>/payments/<str:order_id>/receipt.pdf",
        my_payment_receipt_pdf,
        name="my_payment_receipt_pdf",
    ),
]
