"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps) and their secrets.

Written against the RFC instead of pulling a runtime dependency; the tests check it against the
independent `pyotp` package. Secrets are stored encrypted (Fernet) under a key derived from
SECRET_KEY with HKDF, so a copy of the database alone does not reveal them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time as _time
from datetime import datetime
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Session flag set once the second factor is passed (egov.testing.browser uses the same key).
SECOND_FACTOR_SESSION_KEY = "egov_second_factor"

DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
ISSUER_PREFIX = "egov"


def generate_secret() -> str:
    """A fresh random secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def _timestamp(at: datetime | float | None) -> float:
    if at is None:
        return _time.time()
    if isinstance(at, datetime):
        return at.timestamp()
    return float(at)


def step_at(at: datetime | float | None = None) -> int:
    return int(_timestamp(at) // STEP_SECONDS)


def code_for_step(secret: str, step: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, at: datetime | float | None = None) -> str:
    """The code an authenticator app shows at `at` (now by default)."""
    return code_for_step(secret, step_at(at))


def verify(
    secret: str, code: str, last_step: int = 0, at: datetime | float | None = None, window: int = WINDOW
) -> int | None:
    """The time step `code` belongs to (±`window` steps around `at`), or None.

    Steps at or before `last_step` are refused: a code that was accepted once cannot be replayed.
    """
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit() or not secret:
        return None
    current = step_at(at)
    for step in range(current - window, current + window + 1):
        if step <= last_step:
            continue
        if hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str | None = None) -> str:
    """otpauth://totp/<node name>:<username>?secret=…&issuer=<node name> for authenticator apps.

    The label prefix equals the issuer parameter, as the Key URI format asks ("egov:<username>" with
    the default node name); apps that read only one of them still show the same name.
    """
    issuer = issuer or str(settings.EGOV["NODE_NAME"]) or ISSUER_PREFIX
    label = quote(f"{issuer}:{username}", safe=":@")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer}, quote_via=quote)


def grouped(secret: str, size: int = 4) -> str:
    """'ABCD EFGH …': easier to type by hand."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def _fernet() -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"egov.accounts.totp-secret")
    key = hkdf.derive(settings.SECRET_KEY.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(token: str) -> str:
    """The plain secret, or "" when there is none or SECRET_KEY changed (the user must re-enrol)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return ""
