"""Outgoing webhooks: dossier status changes POSTed, signed, to the URLs an administrator configured.

Signed the Standard Webhooks way (standardwebhooks.com), with the maintained `standardwebhooks`
package: every request carries `webhook-id` (the outbox message key, the same on every retry, so the
receiver drops duplicates), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
(`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under EGOV_WEBHOOK_SECRET, a `whsec_…` secret).
Because the id and the time are signed, a captured request cannot be replayed later (receivers refuse
timestamps more than five minutes away) nor passed off as another message. docs/api.md shows how a
receiver verifies.

A retry re-sends to every URL, including those that already accepted: the id makes that harmless.
Delivery is at least once. Without a valid secret nothing is sent: the rows wait in the outbox.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
from typing import Any, cast

import httpx
from django.conf import settings
from standardwebhooks import Webhook

from egov.core.models import OutboxMessage
from egov.core.outbox import PermanentFailure, TemporaryFailure

DOSSIER_STATUS_CHANGED = "dossier.status_changed"
CATALOG_VERSION_PUBLISHED = "catalog.version_published"
TIMEOUT_SECONDS = 5.0
# Request timeout, too early, too many requests: the receiver asks to be tried again later.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})
USER_AGENT = "egov-webhooks/1"
SECRET_PREFIX = "whsec_"
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks format: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode("ascii")


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot sign webhooks (empty, no whsec_ prefix, not base64, wrong size), or None."""
    if not secret:
        return "EGOV_WEBHOOK_SECRET is empty"
    if not secret.startswith(SECRET_PREFIX):
        return "EGOV_WEBHOOK_SECRET does not start with whsec_"
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return "EGOV_WEBHOOK_SECRET is not whsec_ + base64"
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        return f"EGOV_WEBHOOK_SECRET must hold {SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes, not {len(key)}"
    return None


def encode_body(payload: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8): the bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signed_headers(message_id: str, body: bytes, secret: str, at: dt.datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for `body` sent at `at`."""
    moment = at.astimezone(dt.UTC)  # the library reads the time as UTC whatever its zone
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> str | None:
    """Returns None when accepted, else 'temporary: …' or 'permanent: …'."""
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"temporary: {url}: {exc.__class__.__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    final = 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_CLIENT_ERRORS
    kind = "permanent" if final else "temporary"
    return f"{kind}: {url}: HTTP {response.status_code}"


def deliver_webhook(
    message: OutboxMessage, urls: list[str] | None = None, *, now: dt.datetime | None = None
) -> None:
    """POST the message to every URL; raise TemporaryFailure/PermanentFailure if any did not accept.

    `now` is the signing time (default: the current time).
    """
    configured = cast(list[str], settings.EGOV.get("WEBHOOK_URLS") or [])
    targets = list(configured) if urls is None else urls
    if not targets:
        return
    secret = str(settings.EGOV.get("WEBHOOK_SECRET") or "").strip()
    problem = secret_problem(secret)
    if problem:
        raise TemporaryFailure(f"not sent, unsigned: {problem}")
    body = encode_body(message.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": message.key,
        "X-Egov-Topic": message.topic,
        **signed_headers(message.key, body, secret, now or dt.datetime.now(dt.UTC)),
    }
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        problems = [p for url in targets if (p := _post(client, url, body, headers)) is not None]
    if not problems:
        return
    joined = "; ".join(problems)
    if any(p.startswith("temporary") for p in problems):
        raise TemporaryFailure(joined)
    raise PermanentFailure(joined)


def deliver_dossier_status_changed(message: OutboxMessage) -> None:
    deliver_webhook(message)


def deliver_catalog_version_published(message: OutboxMessage) -> None:
    """Portals and the national catalogue mirror learn of a newly published procedure version."""
    deliver_webhook(message)
