"""Zalo notifications through ZNS, the template-message API of a Zalo Official Account.

ZNS sends only templates Zalo approved beforehand: each notification kind names its template id
(EGOV_ZALO_TEMPLATES) and sends `template_data`, the values of the placeholders its Zalo
MessageTemplate text uses (kept on the notification when it is planned). The request carries an
`access_token` header; access tokens come from Zalo's OAuth endpoint in exchange for the refresh
token, which Zalo rotates at every exchange (see ZaloToken). A send refused with -124 (access token
invalid) gets a fresh token and is tried once more.

Zalo answers HTTP 200 with `{"error": <code>, "message", "data": {"msg_id", …}}`. Codes that say the
message or the recipient can never be served (phone, template, data, account, refusal) are
permanent; quota, time-of-day and unknown ones are temporary (retried with back-off).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, cast

import httpx
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.core.outbox import PermanentFailure, TemporaryFailure
from egov.notifications.channels import InvalidPhone, international_phone
from egov.notifications.models import Notification, ZaloToken
from egov.notifications.rendering import placeholders_of

TIMEOUT_SECONDS = 10.0
EXPIRY_MARGIN = dt.timedelta(seconds=60)
ACCESS_TOKEN_INVALID = -124
# Zalo's published ZNS error codes that no retry can fix; any other non-zero code is retried.
PERMANENT_ERRORS = {
    -108: "phone number invalid",
    -109: "template ID invalid",
    -111: "template data empty",
    -112: "template data invalid",
    -118: "Zalo account not existed",
    -119: "account cannot receive ZNS",
    -131: "template not approved",
    -139: "user refused this kind of ZNS",
    -141: "user refused ZNS from this OA",
}
TEMPORARY_ERRORS = {
    -100: "unknown error",
    -115: "out of quota (ZNS balance)",
    -124: "access token invalid",
    -133: "not sent at night",
    -144: "OA daily quota exceeded",
}


def _egov(name: str) -> str:
    return str(settings.EGOV.get(name) or "")


def template_ids() -> dict[str, str]:
    """{kind: ZNS template id} from EGOV_ZALO_TEMPLATES ("kind=id" items)."""
    items = cast(list[str], settings.EGOV.get("ZALO_TEMPLATES") or [])
    pairs = (str(item).partition("=") for item in items)
    return {kind.strip(): tid.strip() for kind, _sep, tid in pairs if kind.strip() and tid.strip()}


def template_data(template_text: str, context: dict[str, str]) -> dict[str, str]:
    """The values of the placeholders the Zalo template text names (the approved ZNS parameters)."""
    return {name: context.get(name, "") for name in sorted(placeholders_of(template_text))}


def _fernet() -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"egov.notifications.zalo-token")
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode())))


def _seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii") if value else ""


def _open(value: str) -> str:
    """The plain token, or "" when there is none or SECRET_KEY changed since it was stored."""
    try:
        return _fernet().decrypt(value.encode("ascii")).decode() if value else ""
    except (InvalidToken, ValueError):
        return ""


def _digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def _locked_row(app_id: str, seed: str) -> ZaloToken:
    """The app's token row, locked; (re)started from the configured refresh token when that changed."""
    now = timezone.now()
    ZaloToken.objects.get_or_create(
        app_id=app_id,
        defaults={"refresh_token": _seal(seed), "seed_digest": _digest(seed), "updated_at": now},
    )
    row = ZaloToken.objects.select_for_update().get(app_id=app_id)
    if row.seed_digest != _digest(seed):
        row.refresh_token, row.access_token, row.expires_at = _seal(seed), "", None
        row.seed_digest, row.updated_at = _digest(seed), now
        row.save()
    return row


def _exchange(refresh_token: str) -> dict[str, Any]:
    """POST the refresh token to Zalo's OAuth endpoint; the answer holds the new pair."""
    try:
        response = httpx.post(
            _egov("ZALO_OAUTH_URL"),
            data={
                "app_id": _egov("ZALO_APP_ID"),
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
            headers={"secret_key": _egov("ZALO_SECRET")},
            timeout=TIMEOUT_SECONDS,
        )
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise TemporaryFailure(f"Zalo OAuth: {exc.__class__.__name__}: {exc}") from exc
    if not isinstance(answer, dict) or not answer.get("access_token"):
        error = answer.get("error") if isinstance(answer, dict) else None
        reason = answer.get("error_name") or answer.get("message") if isinstance(answer, dict) else answer
        raise TemporaryFailure(
            f"Zalo OAuth refused the refresh token ({error}: {reason}); authorise the OA again and set "
            "EGOV_ZALO_REFRESH_TOKEN"
        )
    return answer


def access_token(stale: str = "") -> str:
    """A valid access token, refreshed when missing, expired or equal to `stale` (Zalo refused it).

    The refresh happens while the row is locked: Zalo's refresh tokens work once, so a second worker
    waits for the first one's new pair instead of spending the old token again.
    """
    app_id, seed = _egov("ZALO_APP_ID"), _egov("ZALO_REFRESH_TOKEN")
    if not seed:
        raise TemporaryFailure("Zalo is not configured (EGOV_ZALO_REFRESH_TOKEN)")
    with transaction.atomic():
        row = _locked_row(app_id, seed)
        current = _open(row.access_token)
        if current and current != stale and row.expires_at and row.expires_at > timezone.now():
            return current
        refresh = _open(row.refresh_token)
        if not refresh:
            raise TemporaryFailure("the stored Zalo refresh token is unreadable: set EGOV_ZALO_REFRESH_TOKEN")
        answer = _exchange(refresh)
        lifetime = dt.timedelta(seconds=int(str(answer.get("expires_in") or 3600)))
        row.access_token = _seal(str(answer["access_token"]))
        row.refresh_token = _seal(str(answer.get("refresh_token") or refresh))
        row.expires_at = timezone.now() + lifetime - EXPIRY_MARGIN
        row.updated_at = timezone.now()
        row.save()
        return str(answer["access_token"])


@dataclass(frozen=True)
class Answer:
    code: int
    message: str
    msg_id: str = ""


def _post_message(payload: dict[str, Any], token: str) -> Answer:
    try:
        response = httpx.post(
            _egov("ZALO_ZNS_URL"), json=payload, headers={"access_token": token}, timeout=TIMEOUT_SECONDS
        )
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"Zalo ZNS: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise TemporaryFailure(f"Zalo ZNS: HTTP {response.status_code}: {response.text[:200]}")
    try:
        body = response.json()
        data = body.get("data") or {}
        return Answer(int(body["error"]), str(body.get("message") or ""), str(data.get("msg_id") or ""))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TemporaryFailure(f"Zalo ZNS: unreadable answer {response.text[:200]!r}") from exc


def _outcome(answer: Answer) -> str:
    if answer.code == 0:
        return f"ZNS msg_id: {answer.msg_id}"
    if answer.code in PERMANENT_ERRORS:
        raise PermanentFailure(f"ZNS {answer.code} {PERMANENT_ERRORS[answer.code]}: {answer.message}")
    meaning = TEMPORARY_ERRORS.get(answer.code, "not a known ZNS code")
    raise TemporaryFailure(f"ZNS {answer.code} {meaning}: {answer.message}")


def send_zns(notification: Notification) -> str:
    """Send the notification's ZNS template; returns Zalo's message id for the attempt log."""
    if not _egov("ZALO_APP_ID"):
        raise TemporaryFailure("Zalo is not configured (EGOV_ZALO_APP_ID)")
    template_id = template_ids().get(notification.template.kind)
    if not template_id:
        raise PermanentFailure(f"no ZNS template id for {notification.template.kind} (EGOV_ZALO_TEMPLATES)")
    try:
        phone = international_phone(notification.recipient)
    except InvalidPhone as exc:
        raise PermanentFailure(str(exc)) from exc
    payload = {
        "phone": phone,
        "template_id": template_id,
        "template_data": notification.data or {},
        "tracking_id": f"notification-{notification.pk}",
    }
    token = access_token()
    answer = _post_message(payload, token)
    if answer.code == ACCESS_TOKEN_INVALID:
        answer = _post_message(payload, access_token(stale=token))
    return _outcome(answer)
