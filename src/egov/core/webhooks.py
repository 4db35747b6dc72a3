"""Outgoing webhooks: dossier status changes POSTed, signed, to the URLs an administrator configured.

Each message is sent to every URL in `EGOV_WEBHOOK_URLS` with the same body and two headers the
receiver relies on: `Idempotency-Key` (the outbox key, stable across retries, so the receiver can
drop duplicates) and `X-Egov-Signature: sha256=<hex HMAC-SHA256 of the raw body with
EGOV_WEBHOOK_SECRET>` (so the receiver knows the body came from this node, unchanged).

A retry re-sends to every URL, including those that already accepted: the key makes that harmless.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, cast

import httpx
from django.conf import settings

from egov.core.models import OutboxMessage
from egov.core.outbox import PermanentFailure, TemporaryFailure, register_handler

DOSSIER_STATUS_CHANGED = "dossier.status_changed"
CATALOG_VERSION_PUBLISHED = "catalog.version_published"
TIMEOUT_SECONDS = 5.0
# Request timeout, too early, too many requests: the receiver asks to be tried again later.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})
USER_AGENT = "egov-webhooks/1"


def encode_body(payload: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8) so the signature is reproducible."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), header or "")


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


def deliver_webhook(message: OutboxMessage, urls: list[str] | None = None) -> None:
    """POST the message to every URL; raise TemporaryFailure/PermanentFailure if any did not accept."""
    configured = cast(list[str], settings.EGOV.get("WEBHOOK_URLS") or [])
    targets = list(configured) if urls is None else urls
    if not targets:
        return
    body = encode_body(message.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": message.key,
        "X-Egov-Topic": message.topic,
        "X-Egov-Signature": sign(body, str(settings.EGOV.get("WEBHOOK_SECRET") or "")),
    }
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        problems = [p for url in targets if (p := _post(client, url, body, headers)) is not None]
    if not problems:
        return
    joined = "; ".join(problems)
    if any(p.startswith("temporary") for p in problems):
        raise TemporaryFailure(joined)
    raise PermanentFailure(joined)


@register_handler(DOSSIER_STATUS_CHANGED)
def deliver_dossier_status_changed(message: OutboxMessage) -> None:
    deliver_webhook(message)


@register_handler(CATALOG_VERSION_PUBLISHED)
def deliver_catalog_version_published(message: OutboxMessage) -> None:
    """Portals and the national catalogue mirror learn of a newly published procedure version."""
    deliver_webhook(message)
