"""egov's profile of the national payment platform's (PayGov-style) protocol, STANDARDS.md §4.

Every message carries `checksum` = HMAC-SHA256 (lower-case hex) with the partner secret over the
message's key fields, in the canonical order below, as text joined by "|" (missing field = "").
Amounts are whole VND written as decimal integers. Error codes: `00` paid, `24` failed or cancelled
by the payer, `99` not settled yet (status query only).

- Create transaction (egov → platform, JSON POST {base}/api/transactions): CREATE_FIELDS + `description`
  and a `bill` {service_type, beneficiary_account, unit, lines [{name, amount}], dossier_code,
  procedure_code, payer}. Answer {"error": "0", "payment_url", "transaction_id"}.
- Callback (platform → egov, JSON POST /payments/callback): CALLBACK_FIELDS + checksum.
  egov answers {"result": "success"} or {"result": "error", "error": {code, message {vi, en}}}.
- Refund (egov → platform, JSON POST {base}/api/refunds): REFUND_FIELDS + checksum; `refund_id` is
  egov's idempotency key (the same id again returns the same refund). Answer REFUND_ANSWER_FIELDS +
  checksum, `error_code` `00` refunded, `24` refused (then also a `message` {vi, en}).
- Status query (egov → platform, GET {base}/api/transactions/<order_id>?client_id=&checksum= over
  QUERY_FIELDS): answer has CALLBACK_FIELDS + checksum.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

COMMAND_PAY = "PAY"
COMMAND_REFUND = "REFUND"
VERSION = "2.1"
CODE_PAID = "00"
CODE_FAILED = "24"
CODE_PENDING = "99"
PAY_DATE_FORMAT = "%Y%m%d%H%M%S"

CREATE_FIELDS = (
    "client_id",
    "transaction_id",
    "amount",
    "command",
    "version",
    "locale",
    "return_url",
    "callback_url",
)
CALLBACK_FIELDS = ("client_id", "order_id", "transaction_no", "amount", "pay_date", "error_code")
QUERY_FIELDS = ("client_id", "order_id")
REFUND_FIELDS = ("client_id", "order_id", "refund_id", "amount", "command")
REFUND_ANSWER_FIELDS = ("client_id", "order_id", "refund_id", "refund_no", "amount", "error_code")


def canonical(fields: Mapping[str, Any], order: Sequence[str]) -> str:
    return "|".join("" if fields.get(name) is None else str(fields.get(name)) for name in order)


def checksum(fields: Mapping[str, Any], secret: str, order: Sequence[str] = CALLBACK_FIELDS) -> str:
    """HMAC-SHA256 hex of the key fields of a message, in the canonical order."""
    text = canonical(fields, order)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def verify(fields: Mapping[str, Any], secret: str, order: Sequence[str] = CALLBACK_FIELDS) -> bool:
    """Constant-time comparison of the message's `checksum` with the expected one."""
    given = fields.get("checksum")
    if not isinstance(given, str) or not secret:
        return False
    return hmac.compare_digest(given.lower(), checksum(fields, secret, order))


def signed(fields: dict[str, Any], secret: str, order: Sequence[str] = CALLBACK_FIELDS) -> dict[str, Any]:
    return {**fields, "checksum": checksum(fields, secret, order)}
