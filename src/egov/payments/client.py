"""Calls to the payment platform over HTTPS (httpx), signed with the partner secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from egov.core.errors import DomainError
from egov.payments import protocol

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class PlatformError(DomainError):
    code = "payment_platform_error"
    status = 502
    vi = "Nền tảng thanh toán trả lời không hợp lệ."
    en = "The payment platform sent an invalid answer."
    retryable = False


class PlatformUnavailable(PlatformError):
    """Time-out or connection failure: the same request may be sent again (it is idempotent)."""

    code = "payment_platform_unavailable"
    status = 503
    vi = "Nền tảng thanh toán tạm thời không phản hồi, vui lòng thử lại."
    en = "The payment platform is not answering; please try again."
    retryable = True


@dataclass(frozen=True)
class CreatedTransaction:
    payment_url: str


def config(name: str) -> str:
    return str(settings.EGOV[name])


def public_url() -> str:
    """This node's public base URL (EGOV_PUBLIC_URL): the platform sends the payer back and calls here."""
    return config("PUBLIC_URL").rstrip("/")


def platform_url() -> str:
    """Empty EGOV_PAYMENT_PLATFORM_URL: the sandbox built into this node."""
    return (config("PAYMENT_PLATFORM_URL") or public_url() + "/payments/sandbox").rstrip("/")


def _send(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = httpx.request(method, url, timeout=TIMEOUT, **kwargs)
    except httpx.TransportError as exc:  # time-outs included
        raise PlatformUnavailable(detail=str(exc)) from exc
    if response.status_code >= 500:
        raise PlatformUnavailable(detail=f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise PlatformError(detail=f"HTTP {response.status_code}: not JSON") from exc
    if not isinstance(body, dict):
        raise PlatformError(detail="not a JSON object")
    return body


def create_transaction(message: dict[str, Any]) -> CreatedTransaction:
    """`message` carries CREATE_FIELDS, description and bill; the checksum is added here."""
    body = _send(
        "POST",
        f"{platform_url()}/api/transactions",
        json=protocol.signed(message, config("PAYMENT_SECRET"), protocol.CREATE_FIELDS),
    )
    if body.get("error") != "0" or not isinstance(body.get("payment_url"), str):
        raise PlatformError(detail=body)
    return CreatedTransaction(payment_url=body["payment_url"])


def query_status(order_id: str) -> dict[str, Any]:
    """The platform's signed record of a transaction (CALLBACK_FIELDS + checksum)."""
    fields = {"client_id": config("PAYMENT_CLIENT_ID"), "order_id": order_id}
    params = protocol.signed(fields, config("PAYMENT_SECRET"), protocol.QUERY_FIELDS)
    return _send("GET", f"{platform_url()}/api/transactions/{order_id}", params=params)


@dataclass(frozen=True)
class RefundAnswer:
    done: bool
    refund_no: str
    body: dict[str, Any]


def request_refund(order_id: str, refund_id: str, amount: int) -> RefundAnswer:
    """Ask the platform to pay `amount` back; the same refund id again gets the same answer."""
    fields = {
        "client_id": config("PAYMENT_CLIENT_ID"),
        "order_id": order_id,
        "refund_id": refund_id,
        "amount": amount,
        "command": protocol.COMMAND_REFUND,
    }
    message = protocol.signed(fields, config("PAYMENT_SECRET"), protocol.REFUND_FIELDS)
    body = _send("POST", f"{platform_url()}/api/refunds", json=message)
    if body.get("error_code") is None:
        return RefundAnswer(done=False, refund_no="", body=body)  # refused before any checksum
    same = body.get("order_id") == order_id and body.get("refund_id") == refund_id
    if not same or not protocol.verify(body, config("PAYMENT_SECRET"), protocol.REFUND_ANSWER_FIELDS):
        raise PlatformError(detail="refund answer: bad checksum")
    done = body.get("error_code") == protocol.CODE_PAID and str(body.get("amount")) == str(amount)
    return RefundAnswer(done=done, refund_no=str(body.get("refund_no", ""))[:64], body=body)
