"""Secrets of the second factor: TOTP keys encrypted at rest, recovery codes kept only as keyed digests.

The one-time-password algorithms come from django-otp (`django_otp.oath`); this module only keeps
what django-otp stores in clear out of a database copy: a TOTP key is encrypted (Fernet, key derived
from SECRET_KEY with HKDF) and a recovery code is stored as an HMAC-SHA256 under SECRET_KEY, so a copy
of the database alone gives neither. Changing SECRET_KEY makes both unreadable: users enrol again.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.crypto import get_random_string, salted_hmac

# Session flag set once the second factor is passed (egov.testing and the back office read it).
SECOND_FACTOR_SESSION_KEY = "egov_second_factor"

KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends
ISSUER_PREFIX = "egov"
RECOVERY_CODES = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i): easy to copy from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_HALF = 5


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def base32(key: bytes) -> str:
    """What authenticator apps expect (no padding)."""
    return base64.b32encode(key).decode("ascii").rstrip("=")


def from_base32(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def grouped(secret: str, size: int = 4) -> str:
    """'ABCD EFGH …': easier to type by hand."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def provisioning_uri(key: bytes, username: str, issuer: str | None = None) -> str:
    """otpauth://totp/<node name>:<username>?secret=…&issuer=<node name> for authenticator apps.

    The label prefix equals the issuer parameter, as the Key URI format asks ("egov:<username>" with
    the default node name); apps that read only one of them still show the same name.
    """
    issuer = issuer or str(settings.EGOV["NODE_NAME"]) or ISSUER_PREFIX
    label = quote(f"{issuer}:{username}", safe=":@")
    query = urlencode({"secret": base32(key), "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def _fernet() -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"egov.accounts.totp-secret")
    key = hkdf.derive(settings.SECRET_KEY.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_key(key: bytes) -> str:
    """The base32 form encrypted: the same format the hand-written TOTP of 2026 stored."""
    return _fernet().encrypt(base32(key).encode("ascii")).decode("ascii")


def decrypt_key(token: str) -> bytes:
    """The key, or b"" when there is none or SECRET_KEY changed (the user must enrol again)."""
    if not token:
        return b""
    try:
        return from_base32(_fernet().decrypt(token.encode("ascii")).decode("ascii"))
    except (InvalidToken, ValueError):
        return b""


def new_recovery_code() -> str:
    """'abcde-fghjk': 10 characters of a 31-letter alphabet (about 50 bits)."""
    raw = get_random_string(2 * RECOVERY_HALF, RECOVERY_ALPHABET)
    return f"{raw[:RECOVERY_HALF]}-{raw[RECOVERY_HALF:]}"


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    cleaned = normalise_recovery_code(code)
    return len(cleaned) == 2 * RECOVERY_HALF and all(ch in RECOVERY_ALPHABET for ch in cleaned)


def recovery_digest(code: str) -> str:
    """Keyed digest stored instead of the code (looked up by equality: codes are random, not chosen)."""
    value = normalise_recovery_code(code)
    return salted_hmac("egov.accounts.recovery-code", value, algorithm="sha256").hexdigest()
