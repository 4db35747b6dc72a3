"""HTTP faces of payments: the platform's callback, the payer's return, and the sandbox platform."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core import safejson
from egov.payments import sandbox, selectors, services
from egov.payments.models import SandboxTransaction

MAX_BODY = 64 * 1024  # a platform message is well under 2 kB
View = Callable[..., HttpResponse]


def sandbox_only(view: View) -> View:
    """The sandbox platform answers only on a demo node that is its own platform (no platform URL set).

    A real node without a platform URL is refused at start (egov.E004); this keeps the sandbox shut even
    in a process that serves such a node some other way: its payer page 'pays' without money.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if str(settings.EGOV.get("PAYMENT_PLATFORM_URL") or "").strip() or not settings.EGOV.get("DEMO"):
            raise Http404("sandbox")
        return view(request, *args, **kwargs)

    return wrapped


def _json(request: HttpRequest) -> Any:
    """The JSON body, or None when it is larger than MAX_BODY (read no further) or not strict JSON.

    Strict (egov.core.safejson): no NaN/1e999 (no JSON column nor the log stores them), no NUL or
    lone surrogate (no text column stores them), no nesting deeper than any platform message.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length > MAX_BODY:
        return None
    try:
        return safejson.loads(request.read(MAX_BODY + 1)[:MAX_BODY] or b"null")
    except safejson.JsonRefused:
        return None


@csrf_exempt  # called server-to-server by the platform; authenticated by the checksum
@require_POST
def callback(request: HttpRequest) -> JsonResponse:
    answer = services.handle_callback(_json(request))
    return JsonResponse(answer.as_body(), status=200 if answer.ok else 400)


@login_required
@require_GET
def payment_return(request: HttpRequest, order_id: str) -> HttpResponse:
    """Where the platform sends the payer back: the payment's page in My dossiers."""
    payment = get_object_or_404(selectors.payments_of_applicant(request.user), order_id=order_id)
    return redirect("portal:my_payment", code=payment.dossier.code, order_id=payment.order_id)


@sandbox_only
@csrf_exempt  # partner-to-platform API; authenticated by the checksum
@require_POST
def sandbox_create(request: HttpRequest) -> JsonResponse:
    try:
        txn = sandbox.create_transaction(_json(request))
    except sandbox.SandboxRefused as err:
        return JsonResponse({"error": err.code, "message": {"vi": err.vi, "en": err.en}}, status=400)
    url = request.build_absolute_uri(reverse("payments:sandbox_pay", args=[txn.transaction_id]))
    return JsonResponse({"error": "0", "payment_url": url, "transaction_id": txn.transaction_id})


@sandbox_only
@csrf_exempt  # partner-to-platform API; authenticated by the checksum
@require_POST
def sandbox_refund(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(sandbox.refund(_json(request)))
    except sandbox.SandboxRefused as err:
        return JsonResponse({"error": err.code, "message": {"vi": err.vi, "en": err.en}}, status=400)


@sandbox_only
@require_GET
def sandbox_status(request: HttpRequest, txn: str) -> JsonResponse:
    try:
        return JsonResponse(sandbox.status_of(txn, request.GET.dict()))
    except sandbox.SandboxRefused as err:
        return JsonResponse({"error": err.code, "message": {"vi": err.vi, "en": err.en}}, status=400)


@sandbox_only
@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest, txn: str) -> HttpResponse:
    transaction = get_object_or_404(SandboxTransaction, transaction_id=txn)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in ("success", "fail", "silent"):
            raise Http404
        sandbox.pay(transaction, outcome)
        return HttpResponseRedirect(transaction.return_url)
    return render(request, "payments/sandbox_pay.html", {"txn": transaction})
